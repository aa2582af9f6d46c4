#include "sandbox/limits.h"

#include <sys/resource.h>

#include <string>

namespace cordon::sandbox::limits {

namespace {

struct Mapping {
  plan::LimitKind kind;
  int resource;
  const char* shown;
};

constexpr Mapping kMappings[] = {
    {plan::LimitKind::cpu_time, RLIMIT_CPU, "RLIMIT_CPU"},
    {plan::LimitKind::memory, RLIMIT_DATA, "RLIMIT_DATA"},
    {plan::LimitKind::open_files, RLIMIT_NOFILE, "RLIMIT_NOFILE"},
    {plan::LimitKind::processes, RLIMIT_NPROC, "RLIMIT_NPROC"},  // counted per user namespace (Linux 5.14+)
};

}  // namespace

Result<void> apply(const std::vector<plan::Limit>& limits) {
  for (const plan::Limit& l : limits)
    for (const Mapping& m : kMappings) {
      if (l.kind != m.kind) continue;
      // RLIMIT_CPU counts seconds: round a millisecond limit up, never down to zero.
      const rlim_t value = l.kind == plan::LimitKind::cpu_time ? static_cast<rlim_t>((l.value + 999) / 1000) : static_cast<rlim_t>(l.value);
      const struct rlimit r{value, value};
      if (::setrlimit(m.resource, &r) != 0)
        return sys_fail("limits", std::string("setrlimit ") + m.shown + " " + std::to_string(value));
    }
  return {};
}

}  // namespace cordon::sandbox::limits
