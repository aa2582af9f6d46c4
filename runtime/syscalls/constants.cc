#include "syscalls/constants.h"

#include <asm/ioctls.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/socket.h>

#include <cerrno>
#include <vector>

namespace cordon::syscalls {

namespace {

struct Constant {
  ConstantKind kind;
  const char* name;
  std::uint64_t value;
};

#define CORDON_CONST(kind, name) Constant{ConstantKind::kind, #name, static_cast<std::uint64_t>(name)}

// Only what a rule has a reason to name; add a row when a rule needs one.
const std::vector<Constant>& table() {
  static const std::vector<Constant> rows{
      CORDON_CONST(errno_value, EACCES),       CORDON_CONST(errno_value, EAFNOSUPPORT),
      CORDON_CONST(errno_value, EINVAL),       CORDON_CONST(errno_value, ENOSYS),
      CORDON_CONST(errno_value, EOPNOTSUPP),   CORDON_CONST(errno_value, EPERM),
      CORDON_CONST(address_family, AF_ALG),    CORDON_CONST(address_family, AF_BLUETOOTH),
      CORDON_CONST(address_family, AF_CAN),    CORDON_CONST(address_family, AF_INET),
      CORDON_CONST(address_family, AF_INET6),  CORDON_CONST(address_family, AF_NETLINK),
      CORDON_CONST(address_family, AF_PACKET), CORDON_CONST(address_family, AF_UNIX),
      CORDON_CONST(address_family, AF_VSOCK),  CORDON_CONST(ioctl_request, TIOCLINUX),
      CORDON_CONST(ioctl_request, TIOCSTI),    CORDON_CONST(ioctl_request, TIOCSETD),
      CORDON_CONST(clone_flag, CLONE_NEWCGROUP), CORDON_CONST(clone_flag, CLONE_NEWIPC),
      CORDON_CONST(clone_flag, CLONE_NEWNET),  CORDON_CONST(clone_flag, CLONE_NEWNS),
      CORDON_CONST(clone_flag, CLONE_NEWPID),  CORDON_CONST(clone_flag, CLONE_NEWTIME),
      CORDON_CONST(clone_flag, CLONE_NEWUSER), CORDON_CONST(clone_flag, CLONE_NEWUTS),
      CORDON_CONST(personality_value, PER_LINUX), CORDON_CONST(personality_value, PER_LINUX32),
      CORDON_CONST(personality_value, UNAME26),
      Constant{ConstantKind::personality_value, "PER_LINUX32_UNAME26",
               static_cast<std::uint64_t>(PER_LINUX32) | static_cast<std::uint64_t>(UNAME26)},
      Constant{ConstantKind::personality_value, "PER_QUERY", 0xffffffffu},  // personality(0xffffffff) reads it
      CORDON_CONST(memory_protection, PROT_EXEC), CORDON_CONST(memory_protection, PROT_WRITE),
      CORDON_CONST(memory_protection, SHM_EXEC),
      CORDON_CONST(file_mode, S_ISUID),        CORDON_CONST(file_mode, S_ISGID),
      CORDON_CONST(socket_option, SOL_SOCKET), CORDON_CONST(socket_option, SO_REUSEPORT),
      CORDON_CONST(socket_option, SO_ATTACH_REUSEPORT_CBPF), CORDON_CONST(socket_option, SO_ATTACH_REUSEPORT_EBPF),
      CORDON_CONST(socket_protocol, NETLINK_ROUTE), CORDON_CONST(socket_protocol, IPPROTO_IP),
      CORDON_CONST(socket_protocol, IPPROTO_ICMP),  CORDON_CONST(socket_protocol, IPPROTO_TCP),
      CORDON_CONST(socket_protocol, IPPROTO_UDP),   CORDON_CONST(socket_protocol, IPPROTO_ICMPV6),
      CORDON_CONST(socket_protocol, IPPROTO_UDPLITE),
      CORDON_CONST(message_flag, MSG_FASTOPEN),
      // socket()'s type with the flags it may carry: SOCK_PACKET on AF_INET is AF_PACKET's code
      CORDON_CONST(socket_type, SOCK_PACKET),
      Constant{ConstantKind::socket_type, "SOCK_PACKET_NONBLOCK", SOCK_PACKET | SOCK_NONBLOCK},
      Constant{ConstantKind::socket_type, "SOCK_PACKET_CLOEXEC", SOCK_PACKET | SOCK_CLOEXEC},
      Constant{ConstantKind::socket_type, "SOCK_PACKET_NONBLOCK_CLOEXEC", SOCK_PACKET | SOCK_NONBLOCK | SOCK_CLOEXEC},
  };
  return rows;
}

#undef CORDON_CONST

}  // namespace

std::optional<std::uint64_t> constant_value(ConstantKind kind, std::string_view name) {
  for (const Constant& c : table())
    if (c.kind == kind && name == c.name) return c.value;
  return std::nullopt;
}

std::optional<std::string> constant_name(ConstantKind kind, std::uint64_t value) {
  for (const Constant& c : table())
    if (c.kind == kind && c.value == value) return std::string(c.name);
  return std::nullopt;
}

std::string constant_names(ConstantKind kind) {
  std::string out;
  for (const Constant& c : table())
    if (c.kind == kind) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

ConstantKind argument_kind(std::string_view syscall, int arg) {
  if (syscall == "socket" && arg == 1) return ConstantKind::socket_type;
  if (syscall == "socket" && arg == 2) return ConstantKind::socket_protocol;
  if (syscall == "ioctl") return ConstantKind::ioctl_request;
  if (syscall == "personality") return ConstantKind::personality_value;
  if (syscall == "mmap" || syscall == "mprotect" || syscall == "pkey_mprotect" || syscall == "shmat")
    return ConstantKind::memory_protection;
  if (syscall == "socket" || syscall == "socketpair") return ConstantKind::address_family;
  if (syscall == "setsockopt" || syscall == "getsockopt") return ConstantKind::socket_option;
  if ((syscall == "sendto" || syscall == "sendmmsg") && arg == 3) return ConstantKind::message_flag;
  if (syscall == "sendmsg" && arg == 2) return ConstantKind::message_flag;
  for (std::string_view s : {"chmod", "creat", "fchmod", "fchmodat", "fchmodat2", "mkdir", "mkdirat", "mknod", "mknodat",
                             "open", "openat"})
    if (syscall == s) return ConstantKind::file_mode;
  return ConstantKind::clone_flag;
}

bool is_known_syscall(std::string_view name) {
  return seccomp_syscall_resolve_name(std::string(name).c_str()) != __NR_SCMP_ERROR;
}

}  // namespace cordon::syscalls
