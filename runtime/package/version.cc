// compare_versions (version.h): alternating runs of non-digits and digits, compared run by run.
#include "package/version.h"

namespace cordon::package {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Where a character of a non-digit run sorts; the end of the run (0) sorts after '~' only.
int weight(std::string_view s, std::size_t i) {
  if (i >= s.size() || is_digit(s[i])) return 0;
  const char c = s[i];
  if (c == '~') return -1;
  if (is_letter(c)) return c;
  return static_cast<unsigned char>(c) + 256;
}

// Compares the non-digit runs at `i` and `j`, moving both past them.
int compare_text_run(std::string_view a, std::size_t& i, std::string_view b, std::size_t& j) {
  while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
    const int wa = weight(a, i), wb = weight(b, j);
    if (wa != wb) return wa < wb ? -1 : 1;
    if (i < a.size() && !is_digit(a[i])) ++i;
    if (j < b.size() && !is_digit(b[j])) ++j;
  }
  return 0;
}

// Compares the digit runs at `i` and `j` as numbers of any length, moving both past them.
int compare_number_run(std::string_view a, std::size_t& i, std::string_view b, std::size_t& j) {
  while (i < a.size() && a[i] == '0') ++i;
  while (j < b.size() && b[j] == '0') ++j;
  const std::size_t start_a = i, start_b = j;
  while (i < a.size() && is_digit(a[i])) ++i;
  while (j < b.size() && is_digit(b[j])) ++j;
  const std::size_t len_a = i - start_a, len_b = j - start_b;
  if (len_a != len_b) return len_a < len_b ? -1 : 1;
  const int c = a.substr(start_a, len_a).compare(b.substr(start_b, len_b));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (const int c = compare_text_run(a, i, b, j)) return c;
    if (const int c = compare_number_run(a, i, b, j)) return c;
  }
  return 0;
}

}  // namespace cordon::package
