#include "policy/amend.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace cordon::policy {

namespace {

bool plain_safe(const std::string& v) {
  if (v.empty() || v == "~" || v == "null" || v == "true" || v == "false" || v == "yes" || v == "no") return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(v.front()) != std::string_view::npos) return false;
  for (char c : v)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/_.-$+=@").find(c) != std::string_view::npos))
      return false;
  return true;
}

// A comment stays one line whatever the app made its paths say.
std::string comment_text(const std::string& text) {
  std::string out;
  for (char c : text) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  return out;
}

using Attributes = std::vector<std::pair<std::string, std::string>>;  // name, value as YAML

std::string attributes_text(const Attributes& attributes) {
  std::string out = "{";
  for (std::size_t i = 0; i < attributes.size(); ++i)
    out += (i ? ", " : "") + attributes[i].first + ": " + attributes[i].second;
  return out + "}";
}



std::string added_text(const AddedValue& v) {
  if (!v.list) return yaml_scalar(v.items.empty() ? "" : v.items.front());
  std::string out = "[";
  for (std::size_t i = 0; i < v.items.size(); ++i) out += (i ? ", " : "") + yaml_scalar(v.items[i]);
  return out + "]";
}

std::string plug_line(const std::string& interface, const Attributes& attributes) {
  return attributes.empty() ? interface : interface + ": " + attributes_text(attributes);
}

// The app's plugs as written, with each addition merged: a new interface appended, an existing
// one given the addition's attributes (home read-only -> read-write).
std::string plugs_section(const AppPolicy& app, const Amendment& add) {
  std::vector<std::pair<std::string, std::string>> lines;  // line, comment
  for (const Plug& p : app.plugs) {
    Attributes attributes;
    for (const auto& [name, value] : p.attributes) attributes.emplace_back(name, added_text(AddedValue(value.items, value.is_list)));
    lines.emplace_back(p.interface, plug_line(p.interface, attributes));
  }
  std::vector<std::string> result;
  for (const auto& [name, line] : lines) result.push_back("  - " + line);
  for (const PlugAddition& a : add.plugs) {
    Attributes attributes;
    for (const auto& [name, value] : a.attributes) attributes.emplace_back(name, added_text(value));
    const std::string line = "  - " + plug_line(a.interface, attributes) + (a.why.empty() ? "" : "  # " + comment_text(a.why));
    auto same = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == a.interface; });
    if (same == lines.end()) result.push_back(line);
    else result[static_cast<std::size_t>(same - lines.begin())] = line;
  }
  std::string out = "plugs:\n";
  for (const std::string& l : result) out += l + "\n";
  return out;
}

std::string path_entry(const PathEntry& e) {
  return e.optional ? "{path: " + yaml_scalar(e.path) + ", optional: true}" : yaml_scalar(e.path);
}

std::string list_block(const std::string& key, const std::vector<std::string>& items) {
  if (items.empty()) return {};
  std::string out = "  " + key + ":\n";
  for (const std::string& i : items) out += "    - " + i + "\n";
  return out;
}

std::vector<std::string> entries(const std::vector<PathEntry>& list, const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const PathEntry& e : list) {
    out.push_back(path_entry(e));
    seen.insert(e.path);
  }
  for (const std::string& p : extra)
    if (seen.insert(p).second) out.push_back(yaml_scalar(p));
  return out;
}

std::string filesystem_section(const AppPolicy& app, const Amendment& add) {
  const Filesystem& fs = app.filesystem;
  return "filesystem:\n" + list_block("read-only", entries(fs.read_only, add.read_only)) +
         list_block("read-write", entries(fs.read_write, add.read_write)) + list_block("tmpfs", entries(fs.tmpfs, {})) +
         list_block("hide", entries(fs.hide, {}));
}

std::vector<std::string> names(const std::vector<Located<std::string>>& list, const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (const auto& n : list) out.push_back(n.value);
  for (const std::string& e : extra)
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  return out;
}

std::string seccomp_section(const AppPolicy& app, const Amendment& add) {
  return "seccomp:\n" + list_block("allow", names(app.seccomp.allow, add.allow)) +
         list_block("deny", names(app.seccomp.deny, {}));
}

struct Section {
  std::size_t begin = std::string::npos;  // offset of its key's line
  std::size_t end = std::string::npos;    // offset after its last line
};

bool starts_key(std::string_view line, std::string_view key) {
  if (line.substr(0, key.size()) != key) return false;
  std::size_t i = key.size();
  while (i < line.size() && line[i] == ' ') ++i;
  return i < line.size() && line[i] == ':';
}

// A top-level key's lines: from its own to the next line that starts a top-level item (a
// character other than a space or '#' in the first column).
Section find_section(std::string_view text, std::string_view key) {
  Section s;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t eol = text.find('\n', at);
    const std::size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    const std::string_view line = text.substr(at, next - at);
    const bool top = !line.empty() && line[0] != ' ' && line[0] != '#' && line[0] != '\n';
    if (s.begin != std::string::npos && top) {
      s.end = at;
      return s;
    }
    if (s.begin == std::string::npos && starts_key(line, key)) s.begin = at;
    at = next;
  }
  if (s.begin != std::string::npos) s.end = text.size();
  return s;
}

}  // namespace

std::string yaml_scalar(const std::string& value) {
  if (plain_safe(value)) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out + "\"";
}

namespace {

// An earlier suggestion's own comments at the top (its header and notes): a policy suggested again
// gets this run's, not both.
std::string without_earlier_header(std::string_view text, const std::string& name) {
  const std::string mine = "# " + name + "'s policy with what `cordon run --complain --suggest`";
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t eol = text.find('\n', at);
    const std::string_view line = text.substr(at, eol == std::string_view::npos ? std::string_view::npos : eol - at);
    const bool earlier = line.rfind(mine, 0) == 0 || line.rfind("# Compare it with the original", 0) == 0 ||
                         line.rfind("# not suggested: ", 0) == 0 || line.rfind("# cannot be granted: ", 0) == 0 ||
                         line.rfind("# read-write entries: ", 0) == 0;
    if (!earlier) break;
    at = eol == std::string_view::npos ? text.size() : eol + 1;
  }
  return std::string(text.substr(at));
}

}  // namespace

std::string amended_policy(std::string_view original, const AppPolicy& app, const Amendment& add) {
  std::string text = without_earlier_header(original, app.name.value);
  if (!text.empty() && text.back() != '\n') text += '\n';
  std::vector<std::pair<std::string, std::string>> rewrites;  // key, new section
  if (!add.plugs.empty()) rewrites.emplace_back("plugs", plugs_section(app, add));
  if (!add.read_only.empty() || !add.read_write.empty()) rewrites.emplace_back("filesystem", filesystem_section(app, add));
  if (!add.allow.empty()) rewrites.emplace_back("seccomp", seccomp_section(app, add));
  std::string appended;
  for (const auto& [key, section] : rewrites) {
    const Section s = find_section(text, key);
    if (s.begin == std::string::npos) appended += section;
    else text.replace(s.begin, s.end - s.begin, section);
  }
  std::string head = "# " + app.name.value + "'s policy with what `cordon run --complain --suggest` saw it need" +
                     (add.empty() ? " (nothing: the run needed nothing outside its policy)" : "") + ".\n" +
                     "# Compare it with the original (diff -u) before using it.\n";
  for (const std::string& n : add.notes) head += "# " + comment_text(n) + "\n";
  return head + text + appended;
}

}  // namespace cordon::policy
