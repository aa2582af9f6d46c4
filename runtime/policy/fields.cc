#include "policy/fields.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <regex>

#include "policy/suggest.h"
#include "syscalls/constants.h"
#include "util/strings.h"

namespace cordon::policy {

namespace {

std::string describe(const YamlNode& n) {
  switch (n.kind) {
    case YamlNode::Kind::null: return "nothing";
    case YamlNode::Kind::scalar: return n.quoted ? "the quoted string " + quoted(n.scalar, 40) : quoted(n.scalar, 40);
    case YamlNode::Kind::sequence: return "a list";
    case YamlNode::Kind::mapping: return "a mapping";
  }
  return "nothing";
}

// Splits "512MiB" into 512 and "MiB"; nullopt when there is no leading number or it overflows.
std::optional<std::pair<std::uint64_t, std::string>> number_and_unit(std::string_view s) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    const std::uint64_t digit = static_cast<std::uint64_t>(s[i] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return std::nullopt;
  return std::make_pair(value, std::string(s.substr(i)));
}

std::optional<std::uint64_t> scaled(std::uint64_t value, std::uint64_t factor) {
  if (factor != 0 && value > std::numeric_limits<std::uint64_t>::max() / factor) return std::nullopt;
  return value * factor;
}

}  // namespace

bool Reader::mapping(const YamlNode& n, std::string_view what, const std::vector<std::string>& known) const {
  if (!n.is_mapping()) {
    error(n, std::string(what) + " must be a mapping, found " + describe(n));
    return false;
  }
  for (const auto& [key, value] : n.entries) {
    if (std::find(known.begin(), known.end(), key.scalar) != known.end()) continue;
    std::string message = "unknown key '" + key.scalar + "' in " + std::string(what);
    const std::string hint = did_you_mean(key.scalar, known);
    message += hint.empty() ? "; accepted: " + join(known) : hint;
    error(key, message);
  }
  return true;
}

bool Reader::sequence(const YamlNode& n, std::string_view what) const {
  if (n.is_sequence()) return true;
  error(n, std::string(what) + " must be a list, found " + describe(n));
  return false;
}

const YamlNode* Reader::required(const YamlNode& map, std::string_view key, std::string_view what) const {
  const YamlNode* n = map.find(key);
  if (!n) error(map, "missing required key '" + std::string(key) + "' in " + std::string(what));
  return n;
}

std::optional<std::string> Reader::string(const YamlNode& n, std::string_view what) const {
  if (n.is_scalar() && n.scalar.find('\0') != std::string::npos) {
    error(n, std::string(what) + " contains a NUL character");
    return std::nullopt;
  }
  if (n.is_scalar()) return n.scalar;
  error(n, std::string(what) + " must be a string, found " + describe(n));
  return std::nullopt;
}

std::optional<std::string> Reader::one_line(const YamlNode& n, std::string_view what) const {
  auto s = string(n, what);
  // C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F: some terminals read U+009B as an escape
  // sequence) and the Unicode line and paragraph separators.
  auto c1_or_separator = [](const std::string& t) {
    for (std::size_t i = 0; i + 1 < t.size(); ++i) {
      const auto a = static_cast<unsigned char>(t[i]), b = static_cast<unsigned char>(t[i + 1]);
      if (a == 0xC2 && b >= 0x80 && b <= 0x9F) return true;
      if (a == 0xE2 && b == 0x80 && i + 2 < t.size() && (t[i + 2] == '\xa8' || t[i + 2] == '\xa9')) return true;
    }
    return false;
  };
  const bool separator = s && c1_or_separator(*s);
  if (s && (separator || has_control_char(*s))) {
    error(n, std::string(what) + " must be one line of text without control characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::uint64_t> Reader::integer(const YamlNode& n, std::string_view what, std::uint64_t min,
                                             std::uint64_t max) const {
  const auto parsed = n.is_scalar() && !n.quoted && all_digits(n.scalar) ? number_and_unit(n.scalar) : std::nullopt;
  if (!parsed || parsed->first < min || parsed->first > max) {
    error(n, std::string(what) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                 ", found " + describe(n));
    return std::nullopt;
  }
  return parsed->first;
}

std::optional<bool> Reader::boolean(const YamlNode& n, std::string_view what) const {
  if (n.is_scalar() && !n.quoted && (n.scalar == "true" || n.scalar == "false")) return n.scalar == "true";
  error(n, std::string(what) + " must be true or false, found " + describe(n));
  return std::nullopt;
}

std::optional<std::string> Reader::name(const YamlNode& n, std::string_view what) const {
  auto s = string(n, what);
  if (!s) return std::nullopt;
  static const std::regex pattern("[a-z][a-z0-9-]{0,39}");
  if (s->size() > 40 || !std::regex_match(*s, pattern)) {
    error(n, std::string(what) + " " + quoted(*s) +
                 " is not valid; names are 1 to 40 characters of a-z, 0-9 and '-', starting with a letter");
    return std::nullopt;
  }
  return s;
}

std::vector<Located<std::string>> Reader::string_list(const YamlNode& n, std::string_view what) const {
  std::vector<Located<std::string>> out;
  if (!sequence(n, what)) return out;
  for (const YamlNode& item : n.items)
    if (auto s = string(item, std::string("each entry of ") + std::string(what))) out.push_back({*s, at(item)});
  return out;
}

std::optional<std::string> Reader::path(const YamlNode& n, std::string_view what) const {
  auto s = string(n, what);
  if (!s) return std::nullopt;
  std::string checked = *s;
  if (attributes && s->find("@{") != std::string::npos) {
    std::string problem;
    auto sample = with_sample_values(*s, *attributes, false, problem);
    if (!sample) {
      error(n, problem);
      return std::nullopt;
    }
    checked = *sample;
  }
  if (auto problem = path_problem(checked)) {
    error(n, *problem);
    return std::nullopt;
  }
  return normalize_variables(*s);
}


std::optional<std::uint64_t> Reader::size(const YamlNode& n, std::string_view what) const {
  static const std::vector<std::pair<std::string, std::uint64_t>> units{
      {"B", 1},          {"K", 1ull << 10}, {"KiB", 1ull << 10}, {"M", 1ull << 20}, {"MiB", 1ull << 20},
      {"G", 1ull << 30}, {"GiB", 1ull << 30}, {"T", 1ull << 40}, {"TiB", 1ull << 40}};
  const auto parsed = n.is_scalar() ? number_and_unit(n.scalar) : std::nullopt;
  if (parsed)
    for (const auto& [unit, factor] : units)
      if (parsed->second == unit) {
        auto bytes = scaled(parsed->first, factor);
        if (bytes && *bytes > 0) return bytes;
      }
  error(n, std::string(what) + " must be a positive size such as 512MiB (units: B, KiB, MiB, GiB, TiB), found " +
               describe(n));
  return std::nullopt;
}

std::optional<std::uint64_t> Reader::duration_ms(const YamlNode& n, std::string_view what) const {
  static const std::vector<std::pair<std::string, std::uint64_t>> units{
      {"ms", 1}, {"s", 1000}, {"min", 60 * 1000}, {"h", 60 * 60 * 1000}};
  const auto parsed = n.is_scalar() ? number_and_unit(n.scalar) : std::nullopt;
  if (parsed)
    for (const auto& [unit, factor] : units)
      if (parsed->second == unit) {
        auto ms = scaled(parsed->first, factor);
        if (ms && *ms > 0) return ms;
      }
  error(n, std::string(what) + " must be a positive duration such as 60s (units: ms, s, min, h), found " + describe(n));
  return std::nullopt;
}

std::optional<std::string> Reader::syscall(const YamlNode& n, std::string_view what) const {
  auto s = string(n, what);
  if (s && !syscalls::is_known_syscall(*s)) {
    error(n, "unknown syscall '" + *s + "' in " + std::string(what));
    return std::nullopt;
  }
  return s;
}

std::vector<Located<std::string>> Reader::syscall_list(const YamlNode& n, std::string_view what) const {
  std::vector<Located<std::string>> out;
  if (!sequence(n, what)) return out;
  for (const YamlNode& item : n.items)
    if (auto s = syscall(item, what)) out.push_back({*s, at(item)});
  return out;
}

std::vector<PathEntry> Reader::path_entries(const YamlNode& n, std::string_view what) const {
  std::vector<PathEntry> out;
  if (!sequence(n, what)) return out;
  for (const YamlNode& item : n.items) {
    const std::string entry_what = "each entry of " + std::string(what);
    if (item.is_mapping()) {
      if (!mapping(item, entry_what, {"optional", "path"})) continue;
      const YamlNode* p = required(item, "path", entry_what);
      const YamlNode* opt = item.find("optional");
      std::optional<std::string> text = p ? path(*p, "path") : std::nullopt;
      std::optional<bool> optional = opt ? boolean(*opt, "optional") : std::optional<bool>(false);
      if (text && optional) out.push_back(PathEntry{*text, *optional, at(*p)});
    } else if (auto text = path(item, entry_what)) {
      out.push_back(PathEntry{*text, false, at(item)});
    }
  }
  return out;
}

Filesystem Reader::filesystem(const YamlNode& n) const {
  Filesystem fs;
  if (!mapping(n, "filesystem", {"hide", "read-only", "read-write", "tmpfs"})) return fs;
  // Paths the fixed frame owns are refused here, where the entry is written.
  auto granted = [&](const char* key) {
    std::vector<PathEntry> entries;
    const YamlNode* v = n.find(key);
    if (!v) return entries;
    const bool writable = std::string_view(key) == "read-write" || std::string_view(key) == "tmpfs";
    for (PathEntry& e : path_entries(*v, std::string("filesystem.") + key)) {
      if (is_reserved_path(e.path))
        diags.error(e.where, "'" + e.path + "' is reserved: " +
                                 (e.path.rfind("/dev", 0) == 0 ? "cordon builds /dev itself; device nodes go under "
                                                                 "'devices' in an interface"
                                                               : "cordon sets it up itself or keeps its own state there"));
      else if (writable && (e.path == "/sys" || e.path.rfind("/sys/", 0) == 0))  // kernel tunables: DESIGN.md
        diags.error(e.where, "'" + e.path + "' cannot be made writable: /sys holds kernel tunables");
      else
        entries.push_back(std::move(e));
    }
    return entries;
  };
  fs.read_only = granted("read-only");
  fs.read_write = granted("read-write");
  fs.tmpfs = granted("tmpfs");
  fs.hide = granted("hide");
  return fs;
}

std::vector<EnvVar> Reader::environment(const YamlNode& n) const {
  std::vector<EnvVar> out;
  if (!n.is_mapping()) {
    error(n, "environment must be a mapping of NAME: value, found " + describe(n));
    return out;
  }
  static const std::regex var_name("[A-Za-z_][A-Za-z0-9_]*");
  for (const auto& [key, value] : n.entries) {
    if (key.scalar.size() > 128 || !std::regex_match(key.scalar, var_name)) {
      error(key, "environment variable name " + quoted(key.scalar) + " is not valid; use letters, digits and '_'");
      continue;
    }
    auto text = string(value, "environment." + key.scalar);
    if (!text) continue;
    if (auto problem = env_value_problem(*text)) {
      error(value, "environment." + key.scalar + ": " + *problem);
      continue;
    }
    out.push_back(EnvVar{key.scalar, *text, at(key)});
  }
  return out;
}

Limits Reader::limits(const YamlNode& n) const {
  Limits l;
  if (!mapping(n, "limits", {"cpu-time", "memory", "open-files", "processes"})) return l;
  constexpr std::uint64_t kMaxCount = 1u << 30;  // above any kernel maximum for these rlimits
  if (const YamlNode* v = n.find("memory"))
    if (auto x = size(*v, "limits.memory")) l.memory_bytes = Located<std::uint64_t>{*x, at(*v)};
  if (const YamlNode* v = n.find("processes"))
    if (auto x = integer(*v, "limits.processes", 1, kMaxCount)) l.processes = Located<std::uint64_t>{*x, at(*v)};
  if (const YamlNode* v = n.find("open-files"))
    if (auto x = integer(*v, "limits.open-files", 1, kMaxCount)) l.open_files = Located<std::uint64_t>{*x, at(*v)};
  if (const YamlNode* v = n.find("cpu-time"))
    if (auto x = duration_ms(*v, "limits.cpu-time")) l.cpu_time_ms = Located<std::uint64_t>{*x, at(*v)};
  return l;
}

}  // namespace cordon::policy
