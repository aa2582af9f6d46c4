#include "policy/diagnostics.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/strings.h"

namespace cordon::policy {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

Diagnostic& Diagnostics::add(Diagnostic d) {
  if (d.severity == Severity::error) ++errors_;
  if (items_.size() >= kMaxKept) {
    ++dropped_;
    overflow_ = std::move(d);
    return overflow_;
  }
  items_.push_back(std::move(d));
  return items_.back();
}

Diagnostic& Diagnostics::error(Where where, std::string message) {
  return add(Diagnostic{std::move(where), Severity::error, std::move(message), {}});
}

Diagnostic& Diagnostics::warning(Where where, std::string message) {
  return add(Diagnostic{std::move(where), Severity::warning, std::move(message), {}});
}

bool Diagnostics::has_errors() const { return errors_ > 0; }

std::size_t Diagnostics::error_count() const { return errors_; }

std::vector<Diagnostic> Diagnostics::in_file_order() const {
  std::vector<std::string> file_order;
  for (const Diagnostic& d : items_)
    if (std::find(file_order.begin(), file_order.end(), d.where.file) == file_order.end())
      file_order.push_back(d.where.file);
  auto rank = [&](const std::string& f) { return std::find(file_order.begin(), file_order.end(), f) - file_order.begin(); };
  std::vector<Diagnostic> sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    if (a.where.file != b.where.file) return rank(a.where.file) < rank(b.where.file);
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.column < b.where.column;
  });
  return sorted;
}

Diagnostic note(Where where, std::string message) {
  return Diagnostic{std::move(where), Severity::note, std::move(message), {}};
}

namespace {

// Finds source lines by index, built once per file, so quoting many diagnostics stays linear.
class LineIndex {
 public:
  explicit LineIndex(const SourceTexts& sources) : sources_(sources) {}

  std::string line(const Where& w) {
    auto it = sources_.find(w.file);
    if (it == sources_.end() || w.line <= 0) return {};
    const std::vector<std::size_t>& starts = starts_of(w.file, it->second);
    if (static_cast<std::size_t>(w.line) > starts.size()) return {};
    const std::string& text = it->second;
    const std::size_t start = starts[static_cast<std::size_t>(w.line) - 1];
    const std::size_t end = text.find('\n', start);
    std::string out = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return out;
  }

 private:
  const std::vector<std::size_t>& starts_of(const std::string& file, const std::string& text) {
    auto [it, fresh] = starts_.try_emplace(file);
    if (fresh) {
      it->second.push_back(0);
      for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') it->second.push_back(i + 1);
    }
    return it->second;
  }

  const SourceTexts& sources_;
  std::map<std::string, std::vector<std::size_t>> starts_;
};

// `column` counts bytes; the pad counts characters (UTF-8 continuation bytes take no cell), and
// tabs are kept, so the caret lines up with what a terminal shows.
std::string caret_under(const std::string& line, int column) {
  std::string pad;
  for (int i = 0; i + 1 < column && i < static_cast<int>(line.size()); ++i) {
    const auto c = static_cast<unsigned char>(line[static_cast<std::size_t>(i)]);
    if ((c & 0xC0) == 0x80) continue;
    pad += c == '\t' ? '\t' : ' ';
  }
  return pad + "^";
}

// ANSI colours as compilers use them: the place bold, the severity in its colour, the caret green.
struct Colours {
  const char *bold = "", *severity = "", *caret = "", *reset = "";
};

Colours colours_for(Severity s, bool on) {
  if (!on) return {};
  const char* severity = s == Severity::error ? "\033[1;31m" : s == Severity::warning ? "\033[1;35m" : "\033[1;36m";
  return {"\033[1m", severity, "\033[1;32m", "\033[0m"};
}

void render_one(const Diagnostic& d, LineIndex& lines, bool colour, std::string& out) {
  const Colours c = colours_for(d.severity, colour);
  out += c.bold + d.where.file;
  if (d.where.line > 0) out += ":" + std::to_string(d.where.line) + ":" + std::to_string(d.where.column);
  out += std::string(":") + c.reset + " " + c.severity + to_string(d.severity) + ":" + c.reset + " " + d.message + "\n";
  const std::string line = lines.line(d.where);
  if (!line.empty() && line.size() < 400) {
    out += "    " + line + "\n";
    out += "    " + std::string(c.caret) + caret_under(line, d.where.column) + c.reset + "\n";
  }
  for (const Diagnostic& n : d.notes) render_one(n, lines, colour, out);
}

nlohmann::ordered_json one_json(const Diagnostic& d) {
  // File names are bytes and messages may quote them: JSON needs valid UTF-8.
  return {{"file", valid_utf8(d.where.file)},
          {"line", d.where.line},
          {"column", d.where.column},
          {"severity", to_string(d.severity)},
          {"message", valid_utf8(d.message)}};
}

}  // namespace

std::string render_text(const Diagnostics& diags, const SourceTexts& sources, bool colour) {
  std::string out;
  LineIndex lines(sources);
  for (const Diagnostic& d : diags.in_file_order()) render_one(d, lines, colour, out);
  if (diags.dropped() > 0)
    out += "cordon: " + std::to_string(diags.dropped()) + " more diagnostics not shown\n";
  return out;
}

nlohmann::ordered_json render_json(const Diagnostics& diags) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Diagnostic& d : diags.in_file_order()) {
    list.push_back(one_json(d));
    for (const Diagnostic& n : d.notes) list.push_back(one_json(n));
  }
  nlohmann::ordered_json j{{"version", 1}, {"diagnostics", std::move(list)}};
  if (diags.dropped() > 0) j["not_shown"] = diags.dropped();
  return j;
}

}  // namespace cordon::policy
