// Landlock scoping (ABI 6, Linux 6.12), raw syscalls: the app may not connect to an abstract Unix
// socket created outside its sandbox, nor signal a process outside it. That matters with the
// network plug, which shares the host's network namespace and with it the host's abstract sockets
// (X11's @/tmp/.X11-unix/X0, old D-Bus addresses): abstract sockets have no file permissions, so
// nothing else would stop the app. Sockets and signals inside the sandbox are not affected.
// Needs no_new_privs. On a kernel without it (Debian 12's 6.1) nothing is done and the launch goes
// on: docs/sandbox.md "Known limits" says what is then open.
#pragma once

#include "util/result.h"

namespace cordon::sandbox {

// True when the scope was applied, false when the kernel has no Landlock scoping.
Result<bool> scope_to_sandbox();

}  // namespace cordon::sandbox
