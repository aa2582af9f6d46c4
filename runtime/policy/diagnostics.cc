#include "policy/diagnostics.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cordon::policy {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

Diagnostic& Diagnostics::error(Where where, std::string message) {
  items_.push_back(Diagnostic{std::move(where), Severity::error, std::move(message), {}});
  return items_.back();
}

Diagnostic& Diagnostics::warning(Where where, std::string message) {
  items_.push_back(Diagnostic{std::move(where), Severity::warning, std::move(message), {}});
  return items_.back();
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(),
                                                [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

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

std::string source_line(const SourceTexts& sources, const Where& w) {
  auto it = sources.find(w.file);
  if (it == sources.end() || w.line <= 0) return {};
  const std::string& text = it->second;
  std::size_t start = 0;
  for (int line = 1; line < w.line; ++line) {
    start = text.find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  std::size_t end = text.find('\n', start);
  std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Tabs are kept so that the caret lines up with what a terminal shows.
std::string caret_under(const std::string& line, int column) {
  std::string pad;
  for (int i = 0; i + 1 < column && i < static_cast<int>(line.size()); ++i) pad += line[i] == '\t' ? '\t' : ' ';
  return pad + "^";
}

void render_one(const Diagnostic& d, const SourceTexts& sources, std::string& out) {
  out += d.where.file;
  if (d.where.line > 0) out += ":" + std::to_string(d.where.line) + ":" + std::to_string(d.where.column);
  out += std::string(": ") + to_string(d.severity) + ": " + d.message + "\n";
  const std::string line = source_line(sources, d.where);
  if (!line.empty() && line.size() < 400) {
    out += "    " + line + "\n";
    out += "    " + caret_under(line, d.where.column) + "\n";
  }
  for (const Diagnostic& n : d.notes) render_one(n, sources, out);
}

nlohmann::json one_json(const Diagnostic& d) {
  return {{"file", d.where.file},
          {"line", d.where.line},
          {"column", d.where.column},
          {"severity", to_string(d.severity)},
          {"message", d.message}};
}

}  // namespace

std::string render_text(const Diagnostics& diags, const SourceTexts& sources) {
  std::string out;
  for (const Diagnostic& d : diags.in_file_order()) render_one(d, sources, out);
  return out;
}

nlohmann::json render_json(const Diagnostics& diags) {
  nlohmann::json list = nlohmann::json::array();
  for (const Diagnostic& d : diags.in_file_order()) {
    list.push_back(one_json(d));
    for (const Diagnostic& n : d.notes) list.push_back(one_json(n));
  }
  return {{"version", 1}, {"diagnostics", std::move(list)}};
}

}  // namespace cordon::policy
