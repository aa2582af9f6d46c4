// Named constants that syscall-set rules and interfaces may use: errno names, socket address
// families, ioctl requests and clone flags. Values come from the system headers, never literals.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cordon::syscalls {

enum class ConstantKind {
  errno_value, address_family, ioctl_request, clone_flag, personality_value, memory_protection, file_mode,
  socket_option, socket_protocol, socket_type, message_flag
};

std::optional<std::uint64_t> constant_value(ConstantKind kind, std::string_view name);
// The name of a value (the first listed, where two names share one), for messages.
std::optional<std::string> constant_name(ConstantKind kind, std::uint64_t value);
// For messages: "ENOSYS, EPERM, ..." — every name of that kind.
std::string constant_names(ConstantKind kind);

// Which table an argument rule's constants come from, by syscall and argument: ioctl requests,
// personality values, memory protections (mmap, mprotect, pkey_mprotect, shmat), file modes (the
// chmod and create calls), types and protocols (socket's second and third arguments), address families (socket,
// socketpair), socket levels and options (setsockopt, getsockopt), message flags (the send calls'
// flags), clone flags (the rest).
ConstantKind argument_kind(std::string_view syscall, int arg);

// True if libseccomp knows the name on some architecture.
bool is_known_syscall(std::string_view name);

}  // namespace cordon::syscalls
