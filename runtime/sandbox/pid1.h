// The minimal init inside the pid namespace: starts the app, forwards the signals the launcher
// passes on, reaps every orphan, and when the app exits kills and reaps whatever is left in the
// namespace, reports the app's status (128+N for signal N) and exits with it. Confined like the app (it runs after
// every confinement step), and never returns.
#pragma once

#include <string>
#include <vector>

namespace cordon::sandbox::pid1 {

// Which of the app's stdin, stdout and stderr become its own pty (those that were terminals).
struct Terminal {
  int peer = -1;  // the pty the app gets, or -1 for none
  bool tty[3] = {false, false, false};
};

// `error_fd` is the close-on-exec error pipe: an execve failure of the app is reported on it.
// `status_fd` gets one byte, the app's exit status, once every process in the namespace is gone.
// `listen_fds`: systemd's sockets at 3..3+listen_fds-1 go to the app (not close-on-exec there),
// with LISTEN_PID set to the app's pid as it starts.
[[noreturn]] void run(const std::vector<std::string>& argv, const std::vector<std::string>& env, int error_fd,
                      int status_fd, const Terminal& terminal, int listen_fds);

// The shell's convention for a wait status: the exit code, or 128+N for signal N; 125 otherwise.
int exit_status(int wait_status);

// The signals the launcher forwards (DESIGN.md): what a service manager or a user sends.
const std::vector<int>& forwarded_signals();

}  // namespace cordon::sandbox::pid1
