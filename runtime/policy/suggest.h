// "did you mean" for misspelled keys and names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::policy {

// The closest candidate within a small edit distance (about a third of the word), if any.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// ", did you mean 'x'?" or "" — appended to messages.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// 'text' for messages: control characters escaped, long values cut at `max` bytes with "...".
std::string quoted(std::string_view text, std::size_t max = 60);

// "a, b, c" for "accepted: ..." lists.
std::string join(const std::vector<std::string>& words, std::string_view sep = ", ");

}  // namespace cordon::policy
