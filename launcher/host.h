// What the launcher reads from the process: the environment variables that steer the search
// paths, and where the shipped data (interfaces, syscall sets, example apps) is installed.
#pragma once

#include <string>

#include "app/connections.h"
#include "policy/search.h"
#include "sandbox/context.h"
#include "util/result.h"

namespace cordon::launcher {

policy::HostContext read_host_context();

// Who the app runs as: the invoker, or (root only) `user`; its home, runtime directory and cordon
// state directories. What a run adds (arguments, timing) is the caller's.
Result<sandbox::LaunchContext> launch_context(const std::string& user);

// Where the invoker's and the system's manual connections are kept (app/connections.h).
app::ConnectionStores invoker_connection_stores();

// How many descriptors systemd handed this process for socket activation (LISTEN_PID is this
// process, LISTEN_FDS is 1..64 and each of fds 3.. is open); 0 otherwise.
int listen_fd_count();

// The variable's value, or "" when it is unset.
std::string env_or_empty(const char* name);

// Whether diagnostics on stderr get colours: a terminal, TERM not "dumb", and no NO_COLOR
// (no-color.org: set to anything non-empty).
bool colour_on_stderr();

}  // namespace cordon::launcher
