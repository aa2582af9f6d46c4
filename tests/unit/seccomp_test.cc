// The compiled filter, evaluated instruction by instruction (bpf_eval.h) for every rule and every
// libseccomp pitfall docs/seccomp.md names: what the kernel would answer, without loading it.
#include <doctest/doctest.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

#include <cerrno>
#include <set>

#include "bpf_eval.h"
#include "seccomp/compile.h"
#include "support.h"

namespace {

using cordon::test::Call;
using cordon::test::run_filters;

constexpr std::uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr std::uint32_t kKill = SECCOMP_RET_KILL_PROCESS;
constexpr std::uint32_t errno_ret(int e) { return SECCOMP_RET_ERRNO | static_cast<std::uint32_t>(e); }

int nr(const char* name) {
  const int n = ::seccomp_syscall_resolve_name(name);
  REQUIRE(n >= 0);
  return n;
}

cordon::seccomp::Filters filters_for(const std::string& app_yaml) {
  auto r = cordon::test::resolve_text(app_yaml);
  REQUIRE(r.plan);
  auto f = cordon::seccomp::compile(*r.plan);
  REQUIRE(f);
  return *f;
}

const char* kTypical = "schema: 1\nname: t\ncommand: [/bin/true]\nplugs: [home]\n";
const char* kNetworked = "schema: 1\nname: n\ncommand: [/bin/true]\nplugs: [network]\n";

std::uint32_t answer(const cordon::seccomp::Filters& f, const char* name, std::uint64_t a0 = 0, std::uint64_t a1 = 0,
                     std::uint64_t a2 = 0) {
  Call c;
  c.nr = nr(name);
  c.args[0] = a0;
  c.args[1] = a1;
  c.args[2] = a2;
  return run_filters(f, c);
}

}  // namespace

TEST_CASE("allowlist: allowed, known but not allowed, and unknown syscalls") {
  const auto f = filters_for(kTypical);
  CHECK(f.programs.size() == 1);  // the argument rules spliced in front of the allowlist
  CHECK(answer(f, "getppid") == kAllow);
  CHECK(answer(f, "mount") == errno_ret(EPERM));
  CHECK(answer(f, "unshare") == errno_ret(EPERM));
  CHECK(answer(f, "setns") == errno_ret(EPERM));
  CHECK(answer(f, "bpf") == errno_ret(EPERM));
  CHECK(answer(f, "io_uring_enter") == errno_ret(EPERM));
  Call unknown;
  unknown.nr = 1000;  // a number newer than any filter: ENOSYS, so libc falls back
  CHECK(run_filters(f, unknown) == errno_ret(ENOSYS));
}

TEST_CASE("errno rules: clone3 and io_uring_setup answer ENOSYS") {
  const auto f = filters_for(kTypical);
  CHECK(answer(f, "clone3") == errno_ret(ENOSYS));
  CHECK(answer(f, "io_uring_setup") == errno_ret(ENOSYS));
}

TEST_CASE("every syscall of the Plan's allowlist is allowed with harmless arguments") {
  auto r = cordon::test::resolve_text(kTypical);
  REQUIRE(r.plan);
  auto f = cordon::seccomp::compile(*r.plan);
  REQUIRE(f);
  for (const cordon::plan::Named& s : r.plan->syscalls) {
    if (s.name == "clone3" || s.name == "openat2") continue;  // allowed by their sets, answered ENOSYS by a rule
    Call c;
    c.nr = nr(s.name.c_str());
    if (s.name == "socket" || s.name == "socketpair") c.args[0] = AF_UNIX;
    CAPTURE(s.name);
    CHECK(run_filters(*f, c) == kAllow);
  }
}

TEST_CASE("syscalls numbered past 450 are handled (libseccomp 2.5.4's table ends near there)") {
  const auto f = filters_for(kTypical);
  CHECK(answer(f, "cachestat") == kAllow);   // 451, in basic-io
  CHECK(answer(f, "fchmodat2") == kAllow);   // 452, in file-metadata
}

TEST_CASE("other architectures are killed: i386 through int 0x80, x32 through the x32 bit") {
  const auto f = filters_for(kTypical);
  Call i386;
  i386.arch = AUDIT_ARCH_I386;
  i386.nr = 20;  // getpid on i386
  CHECK(run_filters(f, i386) == kKill);
  Call x32;
  x32.nr = 0x40000000 | nr("getpid");
  CHECK(run_filters(f, x32) == kKill);
}

TEST_CASE("ioctl: TIOCSTI, TIOCLINUX and TIOCSETD denied on the low 32 bits; an unconditional allow does not absorb them") {
  const auto f = filters_for(kTypical);
  CHECK(answer(f, "ioctl", 0, FIONREAD) == kAllow);
  CHECK(answer(f, "ioctl", 0, TCGETS) == kAllow);
  for (std::uint64_t cmd : {std::uint64_t{TIOCSTI}, std::uint64_t{TIOCLINUX}, std::uint64_t{TIOCSETD}}) {
    CAPTURE(cmd);
    CHECK(answer(f, "ioctl", 0, cmd) == errno_ret(EPERM));
    CHECK(answer(f, "ioctl", 0, cmd | 0xffffffff00000000ull) == errno_ret(EPERM));  // CVE-2019-7303
  }
}

TEST_CASE("setsockopt: no SO_REUSEPORT group at SOL_SOCKET (a host service's traffic), with the plug or without; the same numbers at other levels pass") {
  auto setsockopt_with = [](const cordon::seccomp::Filters& f, std::uint64_t level, std::uint64_t option) {
    Call c;
    c.nr = nr("setsockopt");
    c.args[1] = level;
    c.args[2] = option;
    return run_filters(f, c);
  };
  const auto net = filters_for(kNetworked);
  const auto plain = filters_for(kTypical);
  for (std::uint64_t option : {15ull, 51ull, 52ull}) {  // SO_REUSEPORT, SO_ATTACH_REUSEPORT_CBPF, _EBPF
    CAPTURE(option);
    CHECK(setsockopt_with(net, SOL_SOCKET, option) == errno_ret(EPERM));
    CHECK(setsockopt_with(net, SOL_SOCKET | 0xffffffff00000000ull, option | 0x100000000ull) == errno_ret(EPERM));  // ints
    CHECK(setsockopt_with(net, IPPROTO_IP, option) == kAllow);    // IP_FREEBIND is 15 there
    CHECK(setsockopt_with(net, IPPROTO_IPV6, option) == kAllow);  // IPV6_RECVHOPLIMIT, IPV6_HOPLIMIT
    // Without the plug too: a host socket can be handed over a Unix socket by an app that has it.
    CHECK(setsockopt_with(plain, SOL_SOCKET, option) == errno_ret(EPERM));
  }
  CHECK(setsockopt_with(net, SOL_SOCKET, SO_REUSEADDR) == kAllow);
}

TEST_CASE("clone: any namespace flag denied, one comparison per flag; threads and vfork allowed") {
  const auto f = filters_for(kTypical);
  CHECK(answer(f, "clone", SIGCHLD) == kAllow);
  CHECK(answer(f, "clone", CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM) == kAllow);
  CHECK(answer(f, "clone", CLONE_VM | CLONE_VFORK | SIGCHLD) == kAllow);
  for (std::uint64_t flag : {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC,
                             CLONE_NEWCGROUP}) {
    CAPTURE(flag);
    CHECK(answer(f, "clone", flag | SIGCHLD) == errno_ret(EPERM));
    CHECK(answer(f, "clone", flag | CLONE_NEWUSER | SIGCHLD) == errno_ret(EPERM));
  }
}

TEST_CASE("socket: AF_UNIX, IP and route netlink without a plug (the app's own namespace); the network plug brokers IP") {
  const auto plain = filters_for(kTypical);
  for (std::uint64_t family : std::initializer_list<std::uint64_t>{AF_UNIX, AF_INET, AF_INET6})
    CHECK(answer(plain, "socket", family, SOCK_STREAM) == kAllow);
  for (std::uint64_t family : std::initializer_list<std::uint64_t>{AF_PACKET, AF_UNSPEC, AF_ALG, AF_VSOCK, 63, 64, 200, 0x100000001ull})
    CHECK(answer(plain, "socket", family) == errno_ret(EPERM));
  for (std::uint64_t family : std::initializer_list<std::uint64_t>{AF_INET, AF_INET6, AF_NETLINK, AF_VSOCK, AF_TIPC, AF_PACKET})
    CHECK(answer(plain, "socketpair", family) == errno_ret(EPERM));  // only AF_UNIX makes pairs
  CHECK(answer(plain, "socketpair", AF_UNIX) == kAllow);
  const auto net = filters_for(kNetworked);
  CHECK(answer(net, "socket", AF_INET) == SECCOMP_RET_USER_NOTIF);  // made by the supervisor, in the host's namespace
  CHECK(answer(net, "socket", AF_INET6) == SECCOMP_RET_USER_NOTIF);
  CHECK(answer(net, "socket", AF_UNIX) == kAllow);
  CHECK(answer(net, "socket", AF_PACKET) == errno_ret(EPERM));
  CHECK(answer(net, "socketpair", AF_INET) == errno_ret(EPERM));  // the kernel would build both sockets first
}

TEST_CASE("netlink: route only, whatever else the protocol number says; IP: TCP, UDP and ping only, no SOCK_PACKET") {
  CHECK(answer(filters_for(kTypical), "socket", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) == kAllow);
  CHECK(answer(filters_for(kNetworked), "socket", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) == errno_ret(EPERM));  // network.yaml
  for (const char* app : {kTypical, kNetworked}) {
    const auto f = filters_for(app);
    CHECK(answer(f, "socket", AF_NETLINK | 0xffffffff00000000ull, SOCK_RAW, NETLINK_AUDIT) == errno_ret(EPERM));  // an int
    for (std::uint64_t protocol : std::initializer_list<std::uint64_t>{NETLINK_SOCK_DIAG, NETLINK_AUDIT, NETLINK_KOBJECT_UEVENT,
                                                                      NETLINK_GENERIC, NETLINK_NETFILTER, NETLINK_XFRM,
                                                                      NETLINK_CRYPTO, 23, 31, 32, 63, 64, 1000,
                                                                      0x100000000ull | NETLINK_AUDIT})
    {
      CAPTURE(protocol);
      CHECK(answer(f, "socket", AF_NETLINK, SOCK_RAW, protocol) == errno_ret(EPERM));
    }
    // TCP's and UDP's protocol numbers are not netlink's: an IP socket with them is not refused by this rule.
    CHECK(answer(f, "socket", AF_UNIX, SOCK_STREAM, 0) == kAllow);
  }
  CHECK(answer(filters_for(kTypical), "socket", AF_INET, SOCK_STREAM, IPPROTO_TCP) == kAllow);
  for (const char* app : {kTypical, kNetworked}) {
    const auto f = filters_for(app);
    for (int family : {AF_INET, AF_INET6}) {
      for (std::uint64_t protocol : std::initializer_list<std::uint64_t>{IPPROTO_SCTP, IPPROTO_DCCP, 115 /* L2TP */,
                                                                        256 /* SMC */, IPPROTO_MPTCP, 2, 63, 64, 135, 137, 255, 0xffffffffull,
                                                                        0x100000000ull | IPPROTO_SCTP}) {
        CAPTURE(protocol);  // kernel modules a socket() would load
        CHECK(answer(f, "socket", static_cast<std::uint64_t>(family), SOCK_STREAM, protocol) == errno_ret(EPERM));
      }
      CHECK(answer(f, "socketpair", static_cast<std::uint64_t>(family), SOCK_STREAM, IPPROTO_SCTP) == errno_ret(EPERM));
    }
    for (std::uint64_t type : {std::uint64_t{SOCK_PACKET}, std::uint64_t{SOCK_PACKET | SOCK_CLOEXEC},
                               std::uint64_t{SOCK_PACKET | SOCK_NONBLOCK}, std::uint64_t{SOCK_PACKET | SOCK_NONBLOCK | SOCK_CLOEXEC}}) {
      CAPTURE(type);  // (AF_INET, SOCK_PACKET) is an AF_PACKET socket
      CHECK(answer(f, "socket", AF_INET, type, 0) == errno_ret(EPERM));
    }
  }
  CHECK(answer(filters_for(kTypical), "socket", AF_INET, SOCK_DGRAM, IPPROTO_ICMP) == kAllow);  // ping
  CHECK(answer(filters_for(kTypical), "socket", AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6) == kAllow);
  CHECK(answer(filters_for(kTypical), "socket", AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP) == kAllow);
  // UDP-Lite (136) is built in: allowed, as the only value above the enumerated ones, high bits ignored
  CHECK(answer(filters_for(kTypical), "socket", AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE) == kAllow);
  CHECK(answer(filters_for(kTypical), "socket", AF_INET6, SOCK_DGRAM, 0x100000000ull | IPPROTO_UDPLITE) == kAllow);
  CHECK(answer(filters_for(kTypical), "socket", AF_NETLINK, SOCK_RAW, IPPROTO_SCTP) == errno_ret(EPERM));  // not route
  CHECK(answer(filters_for(kTypical), "socket", AF_INET6, SOCK_DGRAM, IPPROTO_UDP) == kAllow);
}

TEST_CASE("network plug: socket() for AF_INET and AF_INET6 reaches the listener in every mode, nothing else does") {
  using cordon::seccomp::Denials;
  auto net = cordon::test::resolve_text(kNetworked);
  auto plain = cordon::test::resolve_text(kTypical);
  REQUIRE(net.plan);
  REQUIRE(plain.plan);
  CHECK(cordon::seccomp::brokered_families(*net.plan) == std::vector<std::uint64_t>{AF_INET, AF_INET6});
  CHECK(cordon::seccomp::brokered_families(*plain.plan).empty());
  for (Denials mode : {Denials::errno_only, Denials::notify, Denials::complain}) {
    CAPTURE(std::string(cordon::seccomp::to_string(mode)));
    CHECK(cordon::seccomp::needs_listener(*net.plan, mode));  // --quiet too: the sockets come through it
    auto f = cordon::seccomp::compile(*net.plan, mode);
    REQUIRE(f);
    // High bits on the family: the kernel reads an int; --quiet's argument rules refuse them outright.
    CHECK(answer(*f, "socket", AF_INET | 0xffffffff00000000ull) ==
          (mode == Denials::errno_only ? errno_ret(EPERM) : SECCOMP_RET_USER_NOTIF));
    for (std::uint64_t family : {std::uint64_t{AF_INET}, std::uint64_t{AF_INET6}})
      for (std::uint64_t type : {std::uint64_t{SOCK_STREAM}, std::uint64_t{SOCK_DGRAM}, std::uint64_t{SOCK_RAW}}) {  // the supervisor judges the type
        CAPTURE(family);
        CHECK(answer(*f, "socket", family, type) == SECCOMP_RET_USER_NOTIF);
      }
    CHECK(answer(*f, "socket", AF_INET, SOCK_PACKET) == errno_ret(EPERM));  // AF_PACKET's code: refused in the filter
    CHECK(answer(*f, "socket", AF_INET6, SOCK_PACKET) == SECCOMP_RET_USER_NOTIF);  // not rewritten for IPv6
    CHECK(answer(*f, "socket", AF_UNIX, SOCK_STREAM) == kAllow);
    CHECK(answer(*f, "getppid") == kAllow);
    const std::uint32_t refused = mode == Denials::errno_only ? errno_ret(EPERM) : SECCOMP_RET_USER_NOTIF;
    for (std::uint64_t family : {std::uint64_t{AF_PACKET}, std::uint64_t{AF_UNSPEC}, std::uint64_t{200}})
      CHECK(answer(*f, "socket", family) == refused);  // notify: a denial the supervisor reports
    CHECK(answer(*f, "socket", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) == errno_ret(EPERM));  // lo only would mislead getaddrinfo
  }
  CHECK_FALSE(cordon::seccomp::needs_listener(*plain.plan, Denials::errno_only));
  auto quiet = cordon::seccomp::compile(*plain.plan, Denials::errno_only);
  REQUIRE(quiet);
  CHECK(answer(*quiet, "socket", AF_INET) == kAllow);  // without the plug: the app's own namespace, no listener
  CHECK(cordon::seccomp::filter_key(*net.plan, Denials::errno_only) != cordon::seccomp::filter_key(*plain.plan, Denials::errno_only));
}

TEST_CASE("a policy that denies socket brokers nothing") {
  auto r = cordon::test::resolve_text(std::string(kNetworked) + "seccomp: {deny: [socket]}\n");
  REQUIRE(r.plan);
  CHECK(cordon::seccomp::brokered_families(*r.plan).empty());
  auto f = cordon::seccomp::compile(*r.plan, cordon::seccomp::Denials::errno_only);
  REQUIRE(f);
  CHECK(answer(*f, "socket", AF_INET) == errno_ret(EPERM));
}

TEST_CASE("the filter key changes with the allowlist and the rules, not with anything else") {
  auto a = cordon::test::resolve_text(kTypical);
  auto b = cordon::test::resolve_text(kNetworked);
  REQUIRE(a.plan);
  REQUIRE(b.plan);
  CHECK(cordon::seccomp::filter_key(*a.plan) != cordon::seccomp::filter_key(*b.plan));
  auto c = cordon::test::resolve_text("schema: 1\nname: other\ncommand: [/bin/sh]\nplugs: [home]\n");
  REQUIRE(c.plan);
  CHECK(cordon::seccomp::filter_key(*a.plan) == cordon::seccomp::filter_key(*c.plan));
}

TEST_CASE("notify mode: what the Plan lacks goes to cordon's supervisor; the rest answers as before") {
  auto r = cordon::test::resolve_text(kTypical);
  REQUIRE(r.plan);
  auto f = cordon::seccomp::compile(*r.plan, cordon::seccomp::Denials::notify);
  REQUIRE(f);
  CHECK(answer(*f, "getppid") == kAllow);
  CHECK(answer(*f, "mount") == SECCOMP_RET_USER_NOTIF);
  CHECK(answer(*f, "unshare") == SECCOMP_RET_USER_NOTIF);  // reported: "denied to every app"
  Call unknown;
  unknown.nr = 1000;
  CHECK(run_filters(*f, unknown) == SECCOMP_RET_USER_NOTIF);  // the supervisor answers ENOSYS
  CHECK(answer(*f, "clone3") == errno_ret(ENOSYS));            // errno rules stay in the filter
  CHECK(answer(*f, "socket", AF_UNIX) == kAllow);
  CHECK(answer(*f, "socket", AF_INET) == kAllow);                  // the app's own loopback
  CHECK(answer(*f, "socket", AF_PACKET) == SECCOMP_RET_USER_NOTIF);  // the supervisor reports it
  CHECK(answer(*f, "socket", AF_UNIX | 0x100000000ull) == kAllow);  // the kernel reads an int: AF_UNIX
  CHECK(answer(*f, "ioctl", 0, TIOCSTI) == errno_ret(EPERM));      // argument denies stay errno
  CHECK(answer(*f, "clone", CLONE_NEWUSER | SIGCHLD) == errno_ret(EPERM));
  Call i386;
  i386.arch = AUDIT_ARCH_I386;
  CHECK(run_filters(*f, i386) == kKill);
}

TEST_CASE("complain mode: the never-safe calls stay denied in the filter") {
  auto r = cordon::test::resolve_text(kTypical);
  REQUIRE(r.plan);
  auto f = cordon::seccomp::compile(*r.plan, cordon::seccomp::Denials::complain);
  REQUIRE(f);
  for (const char* s : {"unshare", "setns", "bpf", "init_module", "finit_module", "delete_module", "kexec_load",
                        "kexec_file_load", "io_uring_enter", "io_uring_register"}) {
    CAPTURE(s);
    CHECK(answer(*f, s) == errno_ret(EPERM));
  }
  CHECK(answer(*f, "io_uring_setup") == errno_ret(ENOSYS));
  // The catalogue's denied list stays denied too: only what a plug or seccomp.allow could grant
  // reaches the supervisor (which lets it through and logs it).
  for (const char* s : {"mount", "perf_event_open", "userfaultfd", "name_to_handle_at", "memfd_secret"}) {
    CAPTURE(s);
    CHECK(answer(*f, s) == errno_ret(EPERM));
  }
  CHECK(answer(*f, "ptrace") == SECCOMP_RET_USER_NOTIF);
  CHECK(answer(*f, "clone", CLONE_NEWNS | SIGCHLD) == errno_ret(EPERM));
  CHECK(cordon::seccomp::filter_key(*r.plan, cordon::seccomp::Denials::complain) !=
        cordon::seccomp::filter_key(*r.plan, cordon::seccomp::Denials::notify));
}

TEST_CASE("personality: only the safe execution domains and the query") {
  for (auto mode : {cordon::seccomp::Denials::notify, cordon::seccomp::Denials::errno_only}) {
    auto r = cordon::test::resolve_text(kTypical);
    REQUIRE(r.plan);
    auto f = cordon::seccomp::compile(*r.plan, mode);
    REQUIRE(f);
    const std::uint32_t refused =
        mode == cordon::seccomp::Denials::notify ? SECCOMP_RET_USER_NOTIF : errno_ret(ENOSYS);
    CHECK(answer(*f, "personality", 0) == kAllow);           // PER_LINUX
    CHECK(answer(*f, "personality", 0x0008) == kAllow);      // PER_LINUX32
    CHECK(answer(*f, "personality", 0xffffffff) == kAllow);  // the query
    CHECK(answer(*f, "personality", 0x0400000) == refused);  // READ_IMPLIES_EXEC
    CHECK(answer(*f, "personality", 0x0040000) == refused);  // ADDR_NO_RANDOMIZE
  }
}

TEST_CASE("an interface's rules: memory-deny-write-execute denies W+X mappings and mprotect to executable") {
  const auto wx = filters_for("schema: 1\nname: w\ncommand: [/bin/true]\nplugs: [memory-deny-write-execute]\n");
  const auto plain = filters_for(kTypical);
  constexpr std::uint64_t R = 1, W = 2, X = 4;  // PROT_READ, PROT_WRITE, PROT_EXEC
  Call mmap_rx;
  mmap_rx.nr = nr("mmap");
  mmap_rx.args[2] = R | X;  // how the loader maps code: allowed
  CHECK(run_filters(wx, mmap_rx) == kAllow);
  Call mmap_wx = mmap_rx;
  mmap_wx.args[2] = R | W | X;
  CHECK(run_filters(wx, mmap_wx) == errno_ret(EPERM));
  CHECK(run_filters(plain, mmap_wx) == kAllow);  // only with the plug
  Call mprotect_x;
  mprotect_x.nr = nr("mprotect");
  mprotect_x.args[2] = R | X;
  CHECK(run_filters(wx, mprotect_x) == errno_ret(EPERM));
  mprotect_x.args[2] = R;
  CHECK(run_filters(wx, mprotect_x) == kAllow);  // RELRO: read-only is fine
}

TEST_CASE("an interface's rules may only deny") {
  CHECK(cordon::test::interface_errors("schema: 1\ninterface: x\nsummary: s\nseccomp:\n  rules:\n"
                                       "    - {syscall: socket, arg: 0, allow-only: [AF_PACKET], why: w}\n") ==
        std::vector<std::string>{"6:7: an interface's rules may only deny (deny, deny-bits, deny-all-bits, errno); grant "
                                 "socket families with socket-families"});
}

TEST_CASE("the spliced program answers exactly as the two programs loaded together, and so does the fallback") {
  const char* apps[] = {kTypical, kNetworked, "schema: 1\nname: w\ncommand: [/bin/true]\nplugs: [memory-deny-write-execute]\n"};
  // Arguments that hit every rule: none, TIOCSTI (+high bits), namespace flags, families, W+X,
  // personality values.
  const std::uint64_t values[] = {0, 1, 2, 4, 6, 7, 8, 10, 16, 0x5412, 0x5412 | 0x100000000ull, 0x541c, 0x5423,
                                  CLONE_NEWUSER | SIGCHLD, CLONE_NEWNS, 0x20000, 0x400000, 0xffffffff, ~0ull};
  for (const char* app : apps) {
    for (auto mode : {cordon::seccomp::Denials::errno_only, cordon::seccomp::Denials::notify,
                      cordon::seccomp::Denials::complain}) {
      auto r = cordon::test::resolve_text(app);
      REQUIRE(r.plan);
      auto parts = cordon::seccomp::compile_parts(*r.plan, mode);
      REQUIRE(parts);
      REQUIRE(parts->argument_rules);
      const auto spliced = cordon::seccomp::assemble(*parts, mode, 4096);
      const auto separate = cordon::seccomp::assemble(*parts, mode, 0);  // forced: two programs
      REQUIRE(spliced.programs.size() == 1);
      REQUIRE(separate.programs.size() == 2);
      for (int nr = 0; nr < 470; ++nr)
        for (std::uint64_t v : values)
          for (int arg : {0, 1, 2}) {
            Call c;
            c.nr = nr;
            c.args[arg] = v;
            const std::uint32_t a = run_filters(spliced, c), b = run_filters(separate, c);
            if (a != b) {
              CAPTURE(nr);
              CAPTURE(v);
              CAPTURE(arg);
              CHECK(a == b);
            }
          }
    }
  }
}

TEST_CASE("no setuid or setgid bit on a file or directory: chmod and every call that creates one") {
  const auto f = filters_for(kTypical);
  struct Case {
    const char* syscall;
    int arg;
  };
  for (const Case c : {Case{"chmod", 1}, Case{"fchmod", 1}, Case{"fchmodat", 2}, Case{"fchmodat2", 2}, Case{"creat", 1},
                       Case{"open", 2}, Case{"openat", 3}, Case{"mkdir", 1}, Case{"mkdirat", 2}, Case{"mknod", 1},
                       Case{"mknodat", 2}}) {
    CAPTURE(c.syscall);
    Call call;
    call.nr = nr(c.syscall);
    call.args[c.arg] = 0755;
    CHECK(run_filters(f, call) == kAllow);
    call.args[c.arg] = 04755;
    CHECK(run_filters(f, call) == errno_ret(EPERM));
    call.args[c.arg] = 02755;
    CHECK(run_filters(f, call) == errno_ret(EPERM));
  }
  CHECK(answer(f, "openat2") == errno_ret(ENOSYS));  // its mode is behind a pointer
}
