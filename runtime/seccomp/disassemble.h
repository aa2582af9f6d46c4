// A compiled seccomp program as text, one instruction a line, for auditors (`cordon explain
// --bpf`): absolute jump targets, the seccomp_data field each load reads, syscall names where an
// instruction compares the syscall number, and actions by name (ALLOW, ERRNO(EPERM), USER_NOTIF,
// KILL_PROCESS).
#pragma once

#include <string>

#include "seccomp/compile.h"

namespace cordon::seccomp {

std::string disassemble(const Program& program);

}  // namespace cordon::seccomp
