// The compiled-filter cache: building the BPF with libseccomp costs ~1.5 ms, loading a stored
// program ~0.1 ms (../shared/research/perf-baseline.md), so a warm launch loads what an earlier
// launch compiled. Files live beside the Plan cache (.../cordon/filters), named by a hash of
// seccomp::filter_key (the Plan's allowlist and rules, libseccomp's version, the architecture,
// cordon's version) with the whole key inside, and are trusted like the Plan cache
// (cache/private_file.h): owned by the invoker, 0600, in a chain nobody else can write, hidden from
// every sandbox. Anything else is ignored and compiled again.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "plan/plan.h"
#include "seccomp/compile.h"
#include "util/result.h"

namespace cordon::cache {

// The filters for `plan`: from `dir` when a trusted file holds them, else compiled and stored
// there (best effort). `dir` is "" to compile without caching.
Result<seccomp::Filters> filters_for(const plan::Plan& plan, seccomp::Denials denials, const std::string& dir, uid_t uid);

// Only the cache: nullopt unless a trusted file under `dir` holds the programs for `key`.
std::optional<std::vector<seccomp::Program>> load_filters(const std::string& dir, uid_t uid, const std::string& key);

}  // namespace cordon::cache
