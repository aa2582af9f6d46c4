// Whole reads and writes on descriptors, retried on EINTR and short counts, with errors that name
// the file. Internal to the package layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace cordon::package {

// At most `max` bytes from the current position; more than that is an error naming `shown`.
Result<std::string> read_bounded(int fd, const std::string& shown, std::size_t max);
// Up to `size` bytes into `buf`; fewer only at the end of the input. Returns how many.
Result<std::size_t> read_some(int fd, char* buf, std::size_t size, const std::string& shown);
// Exactly `size` bytes at `offset`; fewer is an error ("ends early").
Result<void> pread_exact(int fd, char* buf, std::size_t size, std::uint64_t offset, const std::string& shown);
Result<void> write_all(int fd, std::string_view data, const std::string& shown);
// The names in the open folder `dir_fd`, without . and .., sorted bytewise (readdir's order is the
// filesystem's; ours is stable). Read through a duplicate descriptor, so `dir_fd` stays usable.
Result<std::vector<std::string>> names_in(int dir_fd, const std::string& shown);

}  // namespace cordon::package
