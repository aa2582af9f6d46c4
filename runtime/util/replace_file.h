// Small state files of cordon's own (id ranges, name origins, relocated state): written whole or
// not at all, never through a symbolic link.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace cordon {

// Writes `text` as the content of `name` in the open directory `dir` (shown as `shown_dir` in
// errors): a temporary file is created beside it (O_EXCL | O_NOFOLLOW, `mode`, whatever the umask),
// synced, and renamed onto `name`, so a reader sees the old content or the new one. With
// `keep_existing`, a `name` that appeared meanwhile wins (RENAME_NOREPLACE) and this is no error.
Result<void> replace_file_at(std::string_view step, int dir, const std::string& shown_dir, const std::string& name,
                             const std::string& text, bool keep_existing = false, mode_t mode = 0600);

// The content of such a file without its trailing newline, read without following a link (at most
// `limit` bytes); nullopt when it is missing or empty.
std::optional<std::string> read_record_at(int dir, const std::string& name, std::size_t limit = 4096);

// The same for an absolute path; its directory is opened without following a link.
Result<void> replace_file(std::string_view step, const std::string& path, const std::string& text);

}  // namespace cordon
