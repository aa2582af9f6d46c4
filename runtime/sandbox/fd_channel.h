// Handing descriptors from the sandbox's child to the launcher over a SOCK_SEQPACKET pair
// (SCM_RIGHTS): the app's pty master, the seccomp listener. Each message is one tag byte and at
// most one descriptor.
#pragma once

#include <utility>

#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox::fd_channel {

// `fd` may be -1: the message then carries only the tag.
Result<void> send(int channel, char tag, int fd);

// The next message: its tag and its descriptor (invalid if none came). An error at end of input
// (the child is gone).
Result<std::pair<char, UniqueFd>> receive(int channel);

}  // namespace cordon::sandbox::fd_channel
