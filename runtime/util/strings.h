// Small string helpers shared by the loaders, the resolver and the launcher.
#pragma once

#include <string>
#include <string_view>

namespace cordon {

std::string basename_of(std::string_view path);
bool all_digits(std::string_view s);  // non-empty and only 0-9
bool ends_with(std::string_view s, std::string_view suffix);
bool has_control_char(std::string_view s);  // bytes below 0x20, and DEL
// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max);
// Replaces every byte that is not part of well-formed UTF-8 with U+FFFD, so that text from file
// names or cut values can always go into JSON.
std::string valid_utf8(std::string_view s);

}  // namespace cordon
