// The launcher's lines to its sandbox, made before the clone. Each end is held by exactly one side
// after it: the child keeps its ends across setup, init keeps `errors` and `status`, the app none.
#pragma once

#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::sandbox {

struct Pipe {
  UniqueFd read, write;
};

Result<Pipe> make_pipe();

struct Channels {
  Pipe sync;      // one byte starts the child once its ids are mapped
  Pipe errors;    // a failed step's Error (error_channel.h); EOF at the app's execve means it runs
  Pipe lifeline;  // only the launcher holds the write end: readable (EOF) means it is gone
  Pipe status;    // the app's exit status, from the sandbox's init, once every process is gone
  // SOCK_SEQPACKET: the child hands over the pty's master, then the seccomp listener (fd_channel.h).
  UniqueFd descriptors_parent, descriptors_child;

  void close_parent_ends();
  void close_child_ends();
};

Result<Channels> make_channels();

// The launcher's one byte on `sync` that starts the child. A child already gone makes it EPIPE,
// never a SIGPIPE that would kill cordon before it can say what happened.
Result<void> start_child(const Channels& channels);

}  // namespace cordon::sandbox
