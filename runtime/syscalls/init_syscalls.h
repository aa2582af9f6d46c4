// The syscalls the sandbox's init cannot do without once the seccomp filter is loaded (the filter
// is shared by init and the app): without them it could neither see the app exit (wait4,
// rt_sigtimedwait), nor stop what the app leaves behind or forward signals (kill), nor exit. A
// Plan whose allowlist lacks one is refused. Everything else init calls fails closed when denied
// (the app does not start, or init exits and the kernel ends the namespace).
#pragma once

#include <array>
#include <string_view>

namespace cordon::syscalls {

inline constexpr std::array<std::string_view, 5> kInitSyscalls{"exit", "exit_group", "kill", "rt_sigtimedwait",
                                                               "wait4"};

}  // namespace cordon::syscalls
