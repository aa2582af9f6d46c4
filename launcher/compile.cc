// `cordon compile APP...`: warms the caches a launch reads — the resolved Plan and the compiled
// seccomp programs (as `run` loads them, and as `run --quiet` does) — so that the first launch
// after an install or an update is as fast as the rest. Package tools run it after installing.
#include <iostream>

#include "cache/filter_cache.h"
#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "launcher/host.h"
#include "launcher/outcome.h"
#include "launcher/progress.h"
#include "launcher/plan_source.h"

namespace cordon::launcher {

int compile(const CompileArgs& args) {
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  const cache::Location where = cache_location();
  int status = kExitOk;
  ProgressLine progress;
  std::size_t done = 0;
  for (const std::string& app : args.apps) {
    if (args.apps.size() > 1)
      progress.show("compiling " + std::to_string(++done) + " of " + std::to_string(args.apps.size()) + ": " + app);
    auto plan = cached_or_resolved_plan(app, paths, where);
    progress.clear();  // diagnostics and the result line start on a line of their own
    if (!plan) {
      status = kExitInvalid;
      continue;
    }
    std::size_t instructions = 0;
    for (seccomp::Denials mode : {seccomp::Denials::notify, seccomp::Denials::errno_only}) {
      auto filters = cache::filters_for(*plan, mode, cache::filters_dir(where), where.uid);
      if (!filters) {
        std::cerr << "cordon: " << app << ": cannot " << filters.error().to_string() << "\n";
        return kExitCordon;
      }
      if (mode == seccomp::Denials::notify)
        for (const seccomp::Program& p : filters->programs) instructions += p.code.size();
    }
    say_outcome(args.json,
                "compiled " + plan->app + ": " + std::to_string(plan->syscalls.size()) + " syscalls allowed, " +
                    std::to_string(instructions) + " BPF instructions",
                {{"app", plan->app}, {"outcome", "compiled"}, {"syscalls", plan->syscalls.size()}, {"bpf_instructions", instructions}});
  }
  return status;
}

}  // namespace cordon::launcher
