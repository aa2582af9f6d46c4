// A classic-BPF interpreter for seccomp programs, so that unit tests can ask a compiled filter what
// it answers for (arch, syscall, arguments) without loading it into a kernel.
#pragma once

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <vector>

#include "seccomp/compile.h"

namespace cordon::test {

struct Call {
  int nr = 0;
  std::uint32_t arch = AUDIT_ARCH_X86_64;
  std::uint64_t args[6] = {0, 0, 0, 0, 0, 0};
};

// What one program returns for `call`. An instruction the interpreter does not know, a jump out of
// the program or a load outside seccomp_data makes it return kInvalid (a test failure).
constexpr std::uint32_t kInvalid = 0xdeadbeef;
std::uint32_t run_program(const std::vector<sock_filter>& code, const Call& call);

// What the kernel answers with every program loaded (in order): the strictest of their answers
// (KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > USER_NOTIF > TRACE > LOG > ALLOW).
std::uint32_t run_filters(const seccomp::Filters& filters, const Call& call);

}  // namespace cordon::test
