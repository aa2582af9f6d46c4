// How the child tells the launcher what failed: one {step, op, errno} record over a close-on-exec
// pipe. The child never prints; a successful execve closes the pipe, which the launcher reads as
// "the app is running".
#pragma once

#include <optional>

#include "util/result.h"

namespace cordon::sandbox::error_channel {

// Child side: writes the record and returns (the caller then _exits).
void send(int fd, const Error& error);
// Launcher side: blocks until a record or EOF. nullopt means the write end closed without one.
std::optional<Error> receive(int fd);

}  // namespace cordon::sandbox::error_channel
