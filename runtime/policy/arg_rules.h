// One argument rule or errno override, as syscall-sets.yaml and interface files write it:
//   {syscall: ioctl, arg: 1, compare: low32, deny: [TIOCSTI], why: "..."}
//   {syscall: mmap, arg: 2, deny-all-bits: [PROT_WRITE, PROT_EXEC], why: "..."}
//   {syscall: clone3, errno: ENOSYS, why: "..."}
// docs/policy-reference.md "Syscall sets"; docs/seccomp.md says how each becomes BPF.
#pragma once

#include <optional>
#include <string>

#include "policy/fields.h"
#include "policy/model.h"
#include "syscalls/constants.h"

namespace cordon::policy {

std::optional<ArgRule> read_arg_rule(const Reader& r, const YamlNode& n);

}  // namespace cordon::policy
