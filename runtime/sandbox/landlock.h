// Landlock, with raw syscalls (Debian 12's headers predate most of it), as the second wall of every
// launch and the enforcer of the network plugs' ports (docs/sandbox.md "Landlock"):
// - files: a ruleset that mirrors the mount plan: reading and executing everywhere the app can see,
//   writing (and making, removing, truncating, device ioctls) only where the plan mounts something
//   writable — $APP_DATA, the private tmpfs mounts, read-write grants, /dev, /proc. If a mount were
//   ever writable by mistake, the kernel still refuses the write. ABI 1 and up; what a kernel's ABI
//   lacks (truncate before 3, device ioctls before 5) is simply not handled there.
// - TCP ports (ABI 4): connect() and bind() only to the ports of the Plan's PortFilter.
// - scopes (ABI 6): no connect to an abstract Unix socket made outside the sandbox, no signal to
//   a process outside it (the network namespace already keeps the host's abstract sockets away).
// One ruleset, applied to the child after no_new_privs; init and the app inherit it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "sandbox/expand.h"
#include "util/result.h"

namespace cordon::sandbox {

// The running kernel's Landlock ABI (0: none). In test builds (CORDON_FAULT_INJECTION),
// CORDON_LANDLOCK_ABI=N makes it report at most N, so that a test can stand in for an older kernel.
int landlock_abi();

// The Landlock ABI the Plan's port filter needs (0 when it has none).
int abi_needed_for_ports(const plan::PortFilter& ports);

// Why this kernel cannot give what the Plan asks and the launch must not go on (strict), or
// nothing. A best-effort port filter on a kernel without it runs with TCP only and no port rules.
std::optional<std::string> landlock_refusal(const plan::Plan& plan, int abi);

struct LandlockRules {
  std::vector<std::string> writable;  // paths inside the new root: every access right beneath
  const plan::PortFilter* ports = nullptr;
};

// The writable places of an expanded mount plan (everything else the app sees is read-only).
LandlockRules landlock_rules_for(const std::vector<Step>& mounts, const plan::PortFilter& ports);

// Restricts this process (and what it execs) as `rules` say, with what the kernel's ABI has. True
// when a ruleset was applied, false on a kernel without Landlock. Needs no_new_privs.
Result<bool> apply_landlock(const LandlockRules& rules);

}  // namespace cordon::sandbox
