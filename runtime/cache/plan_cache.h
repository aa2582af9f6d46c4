// The warm-launch cache: a resolved Plan stored as one small binary file, so that `cordon run`
// parses no YAML when nothing it was built from changed (DESIGN.md "Performance notes").
//
// Validity: the file lists every input (path, device, inode, size, mtime and ctime in nanoseconds)
// and every path that was looked up and absent (an override that appears later must be seen); a
// launch stats them all. ctime is what no unprivileged user can set back; an input whose ctime is
// within a clock tick of the time its reading began is never trusted (a change in the same tick
// would keep the same ctime).
// Trust comes from where the file lives, not from a checksum a writer could recompute: owned by
// the invoking uid, mode 0600, in a directory chain nobody else can write; anything else is
// ignored and rebuilt. The cache directories are hidden from every sandbox.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cache/plan_codec.h"
#include "plan/plan.h"
#include "policy/diagnostics.h"
#include "policy/search.h"

namespace cordon::cache {

struct Location {
  std::string dir;  // .../plans
  uid_t uid = 0;
};

// /var/cache/cordon/plans for root, $XDG_CACHE_HOME/cordon/plans (default ~/.cache/...) for a user.
Location location(uid_t uid, const std::string& home, const std::string& xdg_cache_home);

// Where compiled seccomp filters go: beside the Plans (.../cordon/filters).
std::string filters_dir(const Location& plans);

// The cached Plan for `app` (a name or a file) if every input is unchanged; nullopt otherwise.
// Every field is stored (plan/plan_fields.h). PlanPart::launch, what `cordon run` asks for, leaves
// the explain-only fields empty (the seccomp part's provenance, the set catalogue, rule reasons):
// decoding them would cost a launch more than the rest of the Plan. Every field a launch prints
// from, device and mount provenance included, is there either way.
std::optional<plan::Plan> load(const Location& where, const std::string& app, const policy::SearchPaths& paths,
                               PlanPart part = PlanPart::launch);

// The time to hand to store(): taken before the first input is read, so that an input changed
// while it was being read is caught (racy) rather than recorded with the new identity.
std::uint64_t input_clock();

// Stores a Plan just resolved from `sources` (the files read, starting at `read_at_ns`). Best
// effort: a cache that cannot be written only costs the next launch its speed.
void store(const Location& where, const std::string& app, const policy::SearchPaths& paths, const plan::Plan& plan,
           const policy::SourceTexts& sources, std::uint64_t read_at_ns);

}  // namespace cordon::cache
