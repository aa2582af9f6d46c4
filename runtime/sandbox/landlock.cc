#include "sandbox/landlock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "util/unique_fd.h"
#include "util/test_seams.h"

namespace cordon::sandbox {

namespace {

// The kernel's UAPI, as of ABI 7 (linux/landlock.h); defined here because the build host's
// headers may be older than the kernel it runs on.
struct RulesetAttr {
  std::uint64_t handled_access_fs;
  std::uint64_t handled_access_net;  // ABI 4
  std::uint64_t scoped;              // ABI 6
};
struct __attribute__((packed)) PathBeneathAttr {
  std::uint64_t allowed_access;
  std::int32_t parent_fd;
};
struct NetPortAttr {
  std::uint64_t allowed_access;
  std::uint64_t port;
};

constexpr std::uint32_t kCreateRulesetVersion = 1u << 0;
constexpr int kRulePathBeneath = 1;
constexpr int kRuleNetPort = 2;

constexpr std::uint64_t kFsExecute = 1u << 0;
constexpr std::uint64_t kFsWriteFile = 1u << 1;
constexpr std::uint64_t kFsReadFile = 1u << 2;
constexpr std::uint64_t kFsReadDir = 1u << 3;
constexpr std::uint64_t kFsAbi1 = (1u << 13) - 1;  // execute .. make_sym
constexpr std::uint64_t kFsRefer = 1u << 13;       // ABI 2
constexpr std::uint64_t kFsTruncate = 1u << 14;    // ABI 3
constexpr std::uint64_t kFsIoctlDev = 1u << 15;    // ABI 5
constexpr std::uint64_t kFsFileRights = kFsExecute | kFsWriteFile | kFsReadFile | kFsTruncate | kFsIoctlDev;
constexpr std::uint64_t kNetBindTcp = 1u << 0;     // ABI 4
constexpr std::uint64_t kNetConnectTcp = 1u << 1;
constexpr std::uint64_t kScopeAbstractUnixSocket = 1u << 0;  // ABI 6
constexpr std::uint64_t kScopeSignal = 1u << 1;

// Below ABI 2 a file could never be moved to another directory under a ruleset that handles
// files (REFER did not exist, so it is always refused): `mv a/x b/` would fail. No file wall there.
constexpr int kFilesAbi = 2;
constexpr int kNetAbi = 4;
constexpr int kScopeAbi = 6;

std::uint64_t file_rights(int abi) {
  if (abi < kFilesAbi) return 0;
  std::uint64_t rights = kFsAbi1 | kFsRefer;
  if (abi >= 3) rights |= kFsTruncate;
  if (abi >= 5) rights |= kFsIoctlDev;
  return rights;
}

Result<void> allow_beneath(int ruleset, const std::string& path, std::uint64_t rights) {
  UniqueFd dir(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) {
    if (errno == ENOENT || errno == ELOOP) return {};  // an optional grant that is not there
    return sys_fail("landlock", "open " + path + " for its rule");
  }
  // A rule on a file (a read-write grant of one file, a device node) may hold only the rights
  // that apply to a file; the kernel refuses the directory ones there (EINVAL).
  struct stat st {};
  if (::fstat(dir.get(), &st) != 0) return sys_fail("landlock", "stat " + path + " for its rule");
  if (!S_ISDIR(st.st_mode)) rights &= kFsFileRights;
  PathBeneathAttr rule{rights, dir.get()};
  if (::syscall(SYS_landlock_add_rule, ruleset, kRulePathBeneath, &rule, 0) != 0)
    return sys_fail("landlock", "allow writing beneath " + path);
  return {};
}

// The rights a reopened std file gets: what its descriptor was opened for, no more. A file given
// as input (`< notes.txt`) is read, never written; one given for output is written, and read only
// if it was opened read-write; truncated only if it was not opened to append (`>> log`), so an app
// cannot empty or read back a log it was handed.
std::uint64_t rights_of_descriptor(int fd, const struct stat& st, std::uint64_t handled) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return 0;
  std::uint64_t rights = S_ISCHR(st.st_mode) ? kFsIoctlDev : 0;  // a terminal or device: its ioctls, as on the descriptor
  const int mode = flags & O_ACCMODE;
  if (mode == O_RDONLY || mode == O_RDWR) rights |= kFsReadFile;
  if (mode == O_WRONLY || mode == O_RDWR) {
    rights |= kFsWriteFile;
    if (!(flags & O_APPEND)) rights |= kFsTruncate;
  }
  return rights & handled;
}

// The files the app was given as stdin, stdout and stderr (`cordon run app > out.txt`): an app may
// reopen them by name (`echo x > /dev/stdout` reopens /proc/self/fd/1), and that path is the host
// file's, beneath no rule. Each such file, and only it, gets the rights of its descriptor's access
// mode; pipes, sockets and the app's pty need none (Landlock leaves pipes and sockets alone; the pty is in /dev).
Result<void> allow_std_files(int ruleset, std::uint64_t handled) {
  for (int fd = 0; fd < 3; ++fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) continue;
    const std::uint64_t rights = rights_of_descriptor(fd, st, handled);
    if (rights == 0) continue;
    PathBeneathAttr rule{rights, fd};
    if (::syscall(SYS_landlock_add_rule, ruleset, kRulePathBeneath, &rule, 0) != 0)
      return sys_fail("landlock", "allow the app's descriptor " + std::to_string(fd) + " to be reopened");
  }
  return {};
}

Result<void> allow_ports(int ruleset, const std::vector<plan::PortRange>& ranges, std::uint64_t right) {
  for (const plan::PortRange& r : ranges)
    for (int port = r.first; port <= r.last; ++port) {
      NetPortAttr rule{right, static_cast<std::uint64_t>(port)};
      if (::syscall(SYS_landlock_add_rule, ruleset, kRuleNetPort, &rule, 0) != 0)
        return sys_fail("landlock", "allow TCP port " + std::to_string(port));
    }
  return {};
}

}  // namespace

int landlock_abi() {
  const long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  int found = abi < 0 ? 0 : static_cast<int>(abi);
  if (const char* cap = test_seams::variable("CORDON_LANDLOCK_ABI"))
    found = std::min(found, std::atoi(cap));
  return found;
}

int abi_needed_for_ports(const plan::PortFilter& ports) { return ports.active ? kNetAbi : 0; }

std::optional<std::string> landlock_refusal(const plan::Plan& plan, int abi) {
  const int needed = abi_needed_for_ports(plan.ports);
  if (needed == 0 || abi >= needed || plan.ports.best_effort) return std::nullopt;
  return "its network plugs name TCP ports, which only Landlock's network rules enforce (ABI " +
         std::to_string(needed) + ", Linux 6.7); this kernel has " +
         (abi == 0 ? std::string("no Landlock") : "Landlock ABI " + std::to_string(abi)) +
         ". Refused rather than run with more network than asked for; the plug may say "
         "`enforcement: best-effort` to run with TCP only and no port rules";
}

LandlockRules landlock_rules_for(const std::vector<Step>& mounts, const plan::PortFilter& ports) {
  LandlockRules rules;
  for (const Step& s : mounts)
    switch (s.kind) {
      case plan::MountKind::bind_rw:
      case plan::MountKind::tmpfs:
      case plan::MountKind::dev:
      case plan::MountKind::proc:  // /proc/self is the app's to write; /proc/sys stays a read-only mount
        rules.writable.push_back(s.path);
        break;
      case plan::MountKind::root_tmpfs:
      case plan::MountKind::bind_ro:
      case plan::MountKind::hide:
        break;
    }
  rules.ports = &ports;
  return rules;
}

Result<bool> apply_landlock(const LandlockRules& rules) {
  const int abi = landlock_abi();
  if (abi == 0) return false;
  const bool filter_ports = rules.ports && rules.ports->active && abi >= kNetAbi;
  RulesetAttr attr{file_rights(abi), filter_ports ? (kNetBindTcp | kNetConnectTcp) : 0,
                   abi >= kScopeAbi ? (kScopeAbstractUnixSocket | kScopeSignal) : 0};
  if (attr.handled_access_fs == 0 && attr.handled_access_net == 0 && attr.scoped == 0) return false;
  // The struct's size tells the kernel which fields it is given: an older one refuses a larger size.
  const std::size_t size = abi >= kScopeAbi ? sizeof attr : abi >= kNetAbi ? 2 * sizeof(std::uint64_t) : sizeof(std::uint64_t);
  UniqueFd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, size, 0)));
  if (!ruleset.valid()) return sys_fail("landlock", "create a ruleset");
  if (attr.handled_access_fs != 0) {
    if (auto r = allow_beneath(ruleset.get(), "/", kFsExecute | kFsReadFile | kFsReadDir); !r) return r.error();
    for (const std::string& path : rules.writable)
      if (auto r = allow_beneath(ruleset.get(), path, attr.handled_access_fs); !r) return r.error();
    if (auto r = allow_std_files(ruleset.get(), attr.handled_access_fs); !r) return r.error();
  }
  if (filter_ports) {
    if (auto r = allow_ports(ruleset.get(), rules.ports->connect, kNetConnectTcp); !r) return r.error();
    if (auto r = allow_ports(ruleset.get(), rules.ports->bind, kNetBindTcp); !r) return r.error();
  }
  if (::syscall(SYS_landlock_restrict_self, ruleset.get(), 0) != 0) return sys_fail("landlock", "restrict the sandbox");
  return true;
}

}  // namespace cordon::sandbox
