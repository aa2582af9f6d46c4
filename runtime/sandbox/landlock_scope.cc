#include "sandbox/landlock_scope.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "util/unique_fd.h"

namespace cordon::sandbox {

namespace {

// The ABI 6 layout of struct landlock_ruleset_attr; Debian 12's headers predate it.
struct RulesetAttr {
  std::uint64_t handled_access_fs;
  std::uint64_t handled_access_net;
  std::uint64_t scoped;
};

constexpr std::uint32_t kCreateRulesetVersion = 1u << 0;  // LANDLOCK_CREATE_RULESET_VERSION
constexpr std::uint64_t kScopeAbstractUnixSocket = 1u << 0;
constexpr std::uint64_t kScopeSignal = 1u << 1;
constexpr long kScopeAbi = 6;

long landlock_abi() {
  return ::syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
}

}  // namespace

Result<bool> scope_to_sandbox() {
  const long abi = landlock_abi();
  if (abi < kScopeAbi) return false;  // no Landlock, or one without scopes
  RulesetAttr attr{0, 0, kScopeAbstractUnixSocket | kScopeSignal};
  UniqueFd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0)));
  if (!ruleset.valid()) return sys_fail("landlock", "create a ruleset scoping abstract sockets and signals");
  if (::syscall(SYS_landlock_restrict_self, ruleset.get(), 0) != 0)
    return sys_fail("landlock", "restrict the sandbox to its own abstract sockets and signals");
  return true;
}

}  // namespace cordon::sandbox
