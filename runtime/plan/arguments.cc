#include "plan/arguments.h"

namespace cordon::plan {

namespace {

bool upper_name_char(char c, bool first) {
  return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

// The length of an upper-case name at the start of `s` (0 when there is none).
std::size_t upper_name_length(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && upper_name_char(s[n], n == 0)) ++n;
  return n;
}

// A name made of lower-case letters too ($Path) is not a shell's special form either: it is left to
// the program, like $path. Only a name that ends where a name must end is cordon's ($HOMEx is not $HOME).
bool name_ends_here(std::string_view s, std::size_t n) {
  if (n == s.size()) return true;
  const char c = s[n];
  return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
}

}  // namespace

std::vector<ArgumentPart> split_argument(std::string_view word) {
  std::vector<ArgumentPart> parts;
  auto literal = [&](std::string_view text, std::size_t at) {
    if (parts.empty() || parts.back().variable) parts.push_back(ArgumentPart{false, "", at});
    parts.back().text.append(text);
  };
  std::size_t i = 0;
  while (i < word.size()) {
    if (word[i] != '$') {
      literal(word.substr(i, 1), i);
      ++i;
      continue;
    }
    const std::string_view rest = word.substr(i + 1);
    if (!rest.empty() && rest[0] == '$') {
      // $$NAME: a literal "$NAME" for the program. Any other $$ is left whole: a shell's process id
      // (kill -TERM $$, /tmp/x.$$), which scripts in policies use.
      const bool escapes_a_name = rest.size() > 1 && upper_name_char(rest[1], true);
      literal(escapes_a_name ? "$" : "$$", i);
      i += 2;
      continue;
    }
    if (!rest.empty() && rest[0] == '{') {
      const std::size_t n = upper_name_length(rest.substr(1));
      if (n > 0 && n + 1 < rest.size() && rest[n + 1] == '}') {
        parts.push_back(ArgumentPart{true, std::string(rest.substr(1, n)), i});
        i += n + 3;
        continue;
      }
    } else if (const std::size_t n = upper_name_length(rest); n > 0 && name_ends_here(rest, n)) {
      parts.push_back(ArgumentPart{true, std::string(rest.substr(0, n)), i});
      i += n + 1;
      continue;
    }
    literal("$", i);  // the shell's: $n, $1, $(...), ${x:-y}, a '$' at the end
    ++i;
  }
  return parts;
}

std::vector<ArgumentPart> argument_variables(std::string_view word) {
  std::vector<ArgumentPart> out;
  for (ArgumentPart& p : split_argument(word))
    if (p.variable) out.push_back(std::move(p));
  return out;
}

const std::vector<std::string>& argument_plan_variables() {
  static const std::vector<std::string> names{"APP_DATA", "APP_ROOT", "UID", "XDG_RUNTIME_DIR"};
  return names;
}

}  // namespace cordon::plan
