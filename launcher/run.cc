// `cordon run APP|FILE [-- ARGS]`: resolve the Plan, launch it, exit with the app's status.
// cordon's own failures exit 125; a command that cannot be executed 126; one that is missing 127.
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "launcher/commands.h"
#include "launcher/denial_report.h"
#include "launcher/plan_source.h"
#include "launcher/exit_codes.h"
#include "launcher/host.h"
#include "cache/filter_cache.h"
#include "cache/plan_cache.h"
#include "plan/plan_for.h"
#include "sandbox/launch.h"
#include "util/step_timer.h"
#include "util/strings.h"

namespace cordon::launcher {

namespace {

int exit_code_for(const Error& e) {
  if (e.step != "exec") return kExitCordon;
  return e.sys_errno == ENOENT ? kExitNotFound : kExitCannotExec;
}

// Denials go to cordon (to be reported, or let through in complain mode) unless nobody would hear
// of them: --quiet alone keeps them plain errno answers in the filter.
seccomp::Denials denials_mode(const RunArgs& args) {
  if (args.complain) return seccomp::Denials::complain;
  return args.quiet ? seccomp::Denials::errno_only : seccomp::Denials::notify;
}

// A failure is said on stderr; the app's exit status stands.
void write_suggestions(const std::string& path, const DenialReport& report) {
  std::ofstream out(path, std::ios::trunc);
  out << report.suggestions();
  if (!out.flush()) std::cerr << "cordon: cannot write " << path << "\n";
}

}  // namespace

int run(const RunArgs& args) {
  StepTimer timer(args.timing, "parent");
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  const cache::Location where = cache_location();
  auto plan = cached_or_resolved_plan(args.app, paths, where);
  timer.mark("load the plan");
  if (!plan) return kExitCordon;  // 1 would read as the app's own status
  if (auto file = policy::find_app(paths, args.app); file && *file == args.app)
    if (auto owner = policy::name_taken(paths, *file, plan->app)) {
      std::cerr << "cordon: " << args.app << ": the name '" << plan->app << "' belongs to " << *owner
                << "; an ad-hoc policy cannot take another app's name (and data)\n";
      return kExitCordon;
    }
  auto ctx = launch_context(args.user);
  if (!ctx) {
    std::cerr << "cordon: " << plan->app << ": cannot " << ctx.error().to_string() << "\n";
    return kExitCordon;
  }
  ctx->args = args.args;
  ctx->timing = args.timing;
  ctx->wait_for_teardown = false;  // cordon exits right after: the kernel finishes the teardown
  auto filters = cache::filters_for(*plan, denials_mode(args), cache::filters_dir(where), where.uid);
  if (!filters) {
    std::cerr << "cordon: " << plan->app << ": cannot " << filters.error().to_string() << "\n";
    return kExitCordon;
  }
  timer.mark("load the seccomp filter");
  DenialReport report(*plan, paths, ReportOptions{args.quiet, args.json});
  ctx->denial_sink = &report;
  auto status = sandbox::launch(*plan, *filters, *ctx);
  if (!args.suggest.empty()) write_suggestions(args.suggest, report);
  if (!status) {
    const Error& e = status.error();
    std::cerr << "cordon: " << plan->app << ": " << (e.step == "exec" ? "cannot execute " : "cannot ")
              << e.to_string() << "\n";
    return exit_code_for(e);
  }
  return *status;
}

}  // namespace cordon::launcher
