// Landlock scoping (ABI 6, Linux 6.12), raw syscalls: the app may not connect to an abstract Unix
// socket created outside its sandbox, nor signal a process outside it. Every app has a network
// namespace of its own, which already keeps the host's abstract sockets (X11's @/tmp/.X11-unix/X0,
// old D-Bus addresses) out of its reach on any kernel (socket_broker.h); the scope is a second
// layer where the kernel has it. Sockets and signals inside the sandbox are not affected.
// Needs no_new_privs. On a kernel without it (Debian 12's 6.1) nothing is done and the launch goes
// on: docs/sandbox.md "Known limits" says what is then open.
#pragma once

#include "util/result.h"

namespace cordon::sandbox {

// True when the scope was applied, false when the kernel has no Landlock scoping.
Result<bool> scope_to_sandbox();

}  // namespace cordon::sandbox
