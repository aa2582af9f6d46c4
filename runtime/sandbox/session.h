// The process state the app starts with beside its confinement: its session, keyring, file-mode
// mask and working directory.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace cordon::sandbox::session {

// A new session without a controlling terminal: TIOCSTI and the host terminal's signals reach
// nothing of the sandbox (the app's own pty, if any, is attached by init: terminal.h).
Result<void> leave_host_session();

// A new anonymous session keyring: the invoker's keys (tokens, Kerberos tickets) stay outside.
Result<void> join_new_keyring();

// umask 022, whatever cordon's caller had: the app's files are not made writable by others
// because a caller's mask was loose.
Result<void> set_file_mode_mask();

// $HOME inside, as `env` has it; "/" when it is unset or cannot be entered.
Result<void> enter_home(const std::vector<std::string>& env);

}  // namespace cordon::sandbox::session
