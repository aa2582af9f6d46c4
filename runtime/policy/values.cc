// What a value in a policy may be, apart from how YAML spells it: paths and their variables,
// attribute values and their one canonical spelling, environment values, the paths cordon
// reserves. Reader (fields.cc) reports these problems at a node's position.
#include "policy/values.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "policy/suggest.h"
#include "util/strings.h"

namespace cordon::policy {

const std::vector<std::string>& path_variables() {
  static const std::vector<std::string> vars{"APP_DATA", "APP_ROOT", "HOME", "UID", "XDG_RUNTIME_DIR"};
  return vars;
}

std::optional<std::string> path_problem(std::string_view path) {
  if (path.empty()) return "empty path";
  if (has_control_char(path))
    return "path " + quoted(path) + " contains a control character";
  std::size_t pos = 0;
  if (path[0] != '/' && path[0] != '$') return "path '" + std::string(path) + "' is relative; paths must be absolute or start with a variable";
  if (path.size() > 1 && path.back() == '/') return "path '" + std::string(path) + "' ends with '/'";
  if (path.size() > 4096) return "path is longer than 4096 bytes";
  while (pos < path.size()) {
    if (path[pos] == '/') { ++pos; continue; }
    const std::size_t end = std::min(path.find('/', pos), path.size());
    const std::string_view part = path.substr(pos, end - pos);
    if (part == "." || part == "..") return "path '" + std::string(path) + "' contains '" + std::string(part) + "'; write it without . and ..";
    const std::size_t dollar = part.find('$');
    if (dollar != std::string_view::npos) {
      std::string_view var = part.substr(dollar + 1);
      if (dollar != 0) return "variable in '" + std::string(path) + "' must start a path component";
      if (!var.empty() && var.front() == '{') {
        if (var.back() != '}' || var.find('}') != var.size() - 1)
          return "'${...}' in path '" + std::string(path) + "' must be a whole path component";
        var = var.substr(1, var.size() - 2);
      }
      const auto& known = path_variables();
      if (std::find(known.begin(), known.end(), var) == known.end()) {
        const auto hint = closest(var, known);
        return "unknown variable " + quoted("$" + std::string(var)) + " in path; known: $" + join(known, ", $") +
               (hint ? "; did you mean '$" + *hint + "'?" : "");
      }
      if (pos != 0 && var != "UID") return "variable '$" + std::string(var) + "' names a whole path and must start it";
      if (pos == 0 && var == "UID") return "'$UID' is a number, not a directory; it cannot start a path";
    }
    pos = end;
  }
  if (path.find("//") != std::string_view::npos) return "path '" + std::string(path) + "' contains '//'";
  return std::nullopt;
}

bool value_has_type(const std::string& v, AttributeType type) {
  static const std::regex integer("[0-9]{1,18}");
  static const std::regex port("([0-9]{1,5})(-([0-9]{1,5}))?");
  switch (type) {
    case AttributeType::string: return true;
    case AttributeType::integer: return v.size() <= 18 && std::regex_match(v, integer);
    case AttributeType::boolean: return v == "true" || v == "false";
    case AttributeType::path: return !path_problem(v);
    case AttributeType::names: {
      // A well-known D-Bus name, as xdg-dbus-proxy takes it: two or more elements, or a prefix
      // ending in .* (org.mpris.MediaPlayer2.*). Never a unique name (:1.42), which changes per run.
      static const std::regex bus_name("[A-Za-z_-][A-Za-z0-9_-]*(\\.[A-Za-z_-][A-Za-z0-9_-]*)+(\\.\\*)?");
      return v.size() <= 255 && std::regex_match(v, bus_name);
    }
    case AttributeType::ports: {
      std::smatch m;
      if (v.size() > 11 || !std::regex_match(v, m, port)) return false;
      const int lo = std::stoi(m[1]);
      const int hi = m[3].matched ? std::stoi(m[3]) : lo;
      return lo >= 1 && hi <= 65535 && lo <= hi;
    }
  }
  return false;
}

std::string canonical_value(const std::string& value, AttributeType type) {
  auto number = [](const std::string& digits) {
    const std::size_t first = digits.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : digits.substr(first);
  };
  if (type == AttributeType::integer && all_digits(value)) return number(value);
  if (type == AttributeType::ports && value_has_type(value, type)) {
    const std::size_t dash = value.find('-');
    if (dash == std::string::npos) return number(value);
    const std::string lo = number(value.substr(0, dash)), hi = number(value.substr(dash + 1));
    return lo == hi ? lo : lo + "-" + hi;
  }
  if (type == AttributeType::path && value_has_type(value, type)) return normalize_variables(value);
  return value;
}

bool is_reserved_path(std::string_view path) {
  static const std::vector<std::string_view> trees{"/proc", "/dev", "/etc/cordon", "/var/lib/cordon",
                                                   "/var/cache/cordon", "$APP_DATA"};
  if (path == "/") return true;
  for (std::string_view tree : trees)
    if (path == tree || (path.size() > tree.size() && path.substr(0, tree.size()) == tree && path[tree.size()] == '/'))
      return true;
  return false;
}

// Environment values are expanded at launch like paths: $NAME or ${NAME} for the five path
// variables, $$ for a literal '$'. Anything else after a '$' would silently stay literal or,
// worse, look like a host variable that is passed in; it is refused instead.
std::optional<std::string> env_value_problem(std::string_view value) {
  const auto& known = path_variables();
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '$') continue;
    if (i + 1 < value.size() && value[i + 1] == '$') {
      ++i;
      continue;
    }
    std::string_view rest = value.substr(i + 1);
    std::string_view name;
    if (!rest.empty() && rest[0] == '{') {
      const std::size_t close = rest.find('}');
      if (close == std::string_view::npos) return "unterminated '${' in " + quoted(value);
      name = rest.substr(1, close - 1);
    } else {
      std::size_t len = 0;
      while (len < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[len])) || rest[len] == '_')) ++len;
      name = rest.substr(0, len);
    }
    if (std::find(known.begin(), known.end(), name) == known.end())
      return "unknown variable " + quoted("$" + std::string(name)) + "; values may use $" + join(known, ", $") +
             ", and $$ for a literal '$'; nothing else comes from the host";
  }
  return std::nullopt;
}

// One spelling per path, so that conflict checks and ordering compare like with like:
// ${HOME}/x and $HOME/x are one path. Valid paths only (path_problem), where ${ starts a component.
std::string normalize_variables(std::string_view path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '$' && i + 1 < path.size() && path[i + 1] == '{') {
      const std::size_t close = path.find('}', i);
      out += '$';
      out.append(path.substr(i + 2, close - i - 2));
      i = close;
    } else {
      out += path[i];
    }
  }
  return out;
}

std::optional<std::string> replace_attribute_references(
    const std::string& text, const std::function<std::optional<std::string>(const std::string&, std::string&)>& value_of,
    std::string* problem) {
  std::string out, why;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "@{") != 0) {
      out += text[i];
      continue;
    }
    const std::size_t close = text.find('}', i);
    if (close == std::string::npos) why = "unterminated '@{' in " + quoted(text);
    const auto value = close == std::string::npos ? std::nullopt : value_of(text.substr(i + 2, close - i - 2), why);
    if (!value) {
      if (problem) *problem = why;
      return std::nullopt;
    }
    out += *value;
    i = close;
  }
  return out;
}

std::optional<std::string> with_sample_values(const std::string& text, const std::vector<AttributeSpec>& attrs,
                                              bool strings, std::string& problem) {
  return replace_attribute_references(
      text,
      [&](const std::string& name, std::string& why) -> std::optional<std::string> {
        auto spec = std::find_if(attrs.begin(), attrs.end(), [&](const AttributeSpec& a) { return a.name == name; });
        if (spec == attrs.end()) {
          why = "'@{" + name + "}' names no attribute of this interface";
          return std::nullopt;
        }
        if (spec->type == AttributeType::integer) return "0";
        if (strings && (spec->type == AttributeType::string || spec->type == AttributeType::boolean)) return "x";
        why = "'@{" + name + "}' names a " + std::string(to_string(spec->type)) + " attribute; here only " +
              (strings ? "integer, string and boolean" : "integer") + " attributes can be put in";
        return std::nullopt;
      },
      &problem);
}

}  // namespace cordon::policy
