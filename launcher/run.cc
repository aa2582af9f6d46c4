// `cordon run APP|FILE [-- ARGS]`: resolve the Plan, launch it, exit with the app's status.
// cordon's own failures exit 125; a command that cannot be executed 126; one that is missing 127.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "launcher/commands.h"
#include "launcher/denial_report.h"
#include "launcher/plan_source.h"
#include "launcher/exit_codes.h"
#include "launcher/host.h"
#include "launcher/installed.h"
#include "launcher/launch_refusals.h"
#include "launcher/learn_view.h"
#include "launcher/learned_files.h"
#include "launcher/status_fd.h"
#include "policy/amend.h"
#include "policy/load.h"
#include "sandbox/app_data.h"
#include "cache/filter_cache.h"
#include "cache/plan_cache.h"
#include "app/plan_for.h"
#include "sandbox/app_origin.h"
#include "sandbox/launch.h"
#include "sandbox/seccomp_filter.h"
#include "util/step_timer.h"
#include "util/strings.h"
#include "util/unique_fd.h"

namespace cordon::launcher {

namespace {

// Everything cordon reads to make a launch, which no app may be granted read-write
// (state_guard.h keep_inputs_read_only): the app and interface folders, the syscall catalogue (it
// decides every app's filter), the shipped data and the folder of cordon's own executable (a
// rewritten cordon runs the user's next launch unconfined). Real paths, as grants are compared.
std::vector<std::string> launch_inputs(const policy::SearchPaths& paths, const std::string& data_dir) {
  std::vector<std::string> inputs = paths.app_dirs;
  inputs.insert(inputs.end(), paths.interface_dirs.begin(), paths.interface_dirs.end());
  std::string exe_dir;
  char exe[PATH_MAX];
  if (const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1); n > 0)
    exe_dir = std::string(exe, static_cast<std::size_t>(n)).substr(0, std::string(exe, static_cast<std::size_t>(n)).rfind('/'));
  for (const std::string& path : {paths.syscall_sets, data_dir, exe_dir}) {
    char resolved[PATH_MAX];
    if (path.empty()) continue;
    inputs.push_back(::realpath(path.c_str(), resolved) ? std::string(resolved) : path);
  }
  return inputs;
}

// The symbolic links a path passes through as it is spelled (made absolute against the working
// directory): an app that may change one could point the next launch at another policy.
std::vector<std::string> links_on_the_way(const std::string& path) {
  std::string absolute = path;
  if (absolute.empty() || absolute[0] != '/') {
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) return {};
    absolute = std::string(cwd) + "/" + path;
  }
  std::vector<std::string> links;
  std::string prefix;
  std::size_t pos = 1;
  while (pos <= absolute.size()) {
    const std::size_t end = std::min(absolute.find('/', pos), absolute.size());
    const std::string part = absolute.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      prefix = prefix.substr(0, prefix.rfind('/'));
      continue;
    }
    prefix += "/" + part;
    struct stat st {};
    if (::lstat(prefix.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) links.push_back(prefix);
  }
  return links;
}

// What a policy file (not an installed package) cannot be, said before anything is claimed or
// created for it: a command relative to a payload it does not have, or an installed app's name
// (launch_refusals.h, which `cordon check` says too).
std::optional<std::string> refuse_as_policy_file(const plan::Plan& plan, const policy::SearchPaths& paths,
                                                 const std::string& app_arg, bool health_check) {
  const auto& argv = health_check ? plan.health_check : plan.command;
  const std::string_view prefix = plan::kAppRootPrefix;
  if (!argv.empty() && argv[0].rfind(prefix, 0) == 0)
    return "its " + std::string(health_check ? "health check" : "command") + " '" + argv[0].substr(prefix.size()) +
           "' is a file of a package's payload, and a policy file has none: install the folder as a package "
           "(cordon pack DIR --key KEY.pem -o APP.cordon, then cordon install APP.cordon), or give an absolute path";
  // Found by name in the app search path, it is the installed policy; given as a file, it is ad hoc.
  if (const auto file = policy::find_app(paths, app_arg); file && *file == app_arg)
    return adhoc_name_refusal(paths, *file, plan.app);
  return std::nullopt;
}

// A command the host has in a folder that is the app's own empty tmpfs (/tmp, /var/tmp, /run):
// not there inside, and the reason is not obvious.
std::string private_folder_hint(const plan::Plan& plan) {
  if (plan.command.empty() || plan.command[0].empty() || plan.command[0][0] != '/') return {};
  const std::string& command = plan.command[0];
  struct stat st {};
  if (::stat(command.c_str(), &st) != 0) return {};
  for (const plan::Mount& m : plan.mounts)
    if (m.kind == plan::MountKind::tmpfs && command.compare(0, m.path.size() + 1, m.path + "/") == 0)
      return "; " + command + " is on the host, but the app's " + m.path + " is its own, empty: grant the file with "
             "`filesystem: {read-only: [" + command + "]}`";
  return {};
}

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

// --suggest FILE is created before the launch, never reused: O_EXCL refuses whatever is at the
// path (a file, a symlink even to nowhere), so the option can neither overwrite a file the invoker
// may write nor be redirected by a link. Created before the app runs, so a refusal costs no run.
Result<UniqueFd> create_suggestions_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) return sys_fail("suggest", "create " + path + " for --suggest");
  return fd;
}

// The app's whole policy with the additions (policy/amend.h); `policy_file` is the file the Plan
// came from. Unreadable now, the additions alone are written.
std::string suggested_policy(const std::string& policy_file, const policy::Amendment& add) {
  policy::Diagnostics diags;
  auto text = policy::read_policy_file(policy_file, diags);
  std::optional<policy::AppPolicy> app;
  if (text) app = policy::parse_app_partial(policy_file, *text, diags);
  if (!app) return policy::amended_policy("", policy::AppPolicy{}, add);
  return policy::amended_policy(*text, *app, add);
}

// A failure is said on stderr; the app's exit status stands.
void write_suggestions(const std::string& path, int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::cerr << "cordon: cannot write " << path << "\n";
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

int run(const RunArgs& args) {
  // First, before cordon opens a descriptor of its own that N could name.
  std::optional<StatusChannel> status_channel;
  if (args.status_fd != -1) {
    auto opened = StatusChannel::open(args.status_fd, args.app, listen_fd_count());
    if (!opened) {
      std::cerr << "cordon: " << args.app << ": cannot " << opened.error().to_string() << "\n";
      return kExitCordon;
    }
    status_channel.emplace(std::move(*opened));
  }
  // A launch refused before the sandbox exists: said on stderr and, for a supervisor, as `failed`.
  auto refuse = [&](const std::string& app, const std::string& why) {
    std::cerr << "cordon: " << app << ": " << why << "\n";
    if (status_channel) status_channel->failed(why);
    return kExitCordon;
  };
  StepTimer timer(args.timing, "parent");
  const policy::HostContext host = read_host_context();
  const policy::SearchPaths paths = policy::search_paths(host);
  const cache::Location where = cache_location();
  // An installed package's current revision, held on disk until this run ends (installed.h).
  auto installed = find_installed_launch(args.app);
  if (!installed) return refuse(args.app, "cannot " + installed.error().to_string());
  const std::string policy_arg = *installed ? (*installed)->policy_file : args.app;
  auto plan = cached_or_resolved_plan(policy_arg, paths, where);
  timer.mark("load the plan");
  if (!plan) {  // the diagnostics are on stderr already; 125, since 1 would read as the app's own status
    if (status_channel) status_channel->failed("the policy is invalid (the diagnostics are on stderr)");
    return kExitCordon;
  }
  if (*installed && plan->app != args.app)
    return refuse(args.app, "the installed policy names itself '" + plan->app + "'");
  if (!*installed)
    if (auto refused = refuse_as_policy_file(*plan, paths, args.app, args.health_check)) return refuse(plan->app, *refused);
  auto ctx = launch_context(args.user);
  if (!ctx) return refuse(plan->app, "cannot " + ctx.error().to_string());
  if (*installed) {
    ctx->policy_file = (*installed)->policy_file;
    ctx->app_root = (*installed)->app_root;
    ctx->origin = sandbox::package_origin((*installed)->key);
  } else if (auto file = policy::find_app(paths, args.app)) {
    char resolved[PATH_MAX];
    if (::realpath(file->c_str(), resolved)) ctx->policy_file = resolved;
    ctx->policy_links = links_on_the_way(*file);
    ctx->origin = sandbox::origin_of(*file != args.app, ctx->policy_file.empty() ? *file : ctx->policy_file);
  }
  ctx->search_dirs = launch_inputs(paths, host.data_dir);
  ctx->args = args.args;
  ctx->health_check = args.health_check;
  ctx->timing = args.timing;
  ctx->wait_for_teardown = false;  // cordon exits right after: the kernel finishes the teardown
  UniqueFd suggest_fd;
  if (!args.suggest.empty()) {
    auto created = create_suggestions_file(args.suggest);
    if (!created) {
      const bool exists = created.error().sys_errno == EEXIST;
      return refuse(plan->app, "cannot " + created.error().to_string() +
                                   (exists ? "; it is never overwritten: name a file that does not exist yet" : ""));
    }
    suggest_fd = std::move(*created);
  }
  // Learn mode: the app sees the host read-only besides its Plan (unless --no-host-view), and the
  // files and network it uses outside the Plan are noted (learn_view.h, learned_files.h).
  const plan::Plan learn_view = args.complain ? with_learn_view(*plan, paths) : *plan;
  const plan::Plan& view = args.no_host_view ? *plan : learn_view;  // what the app is launched with
  auto filters = cache::filters_for(view, denials_mode(args), cache::filters_dir(where), where.uid);
  if (!filters) return refuse(plan->app, "cannot " + filters.error().to_string());
  // Under another seccomp filter, whose listener may make ours EBUSY: the errno-only programs come
  // from the cache too, so the sandbox compiles nothing (seccomp_filter.h).
  std::optional<seccomp::Filters> fallback;
  if (filters->denials != seccomp::Denials::errno_only && sandbox::runs_under_a_filter()) {
    auto plain = cache::filters_for(view, seccomp::Denials::errno_only, cache::filters_dir(where), where.uid);
    if (!plain) return refuse(plan->app, "cannot " + plain.error().to_string());
    fallback = std::move(*plain);
    ctx->errno_only_fallback = &*fallback;
  }
  timer.mark("load the seccomp filter");
  // A manual plug grants nothing until it is connected: said on every run (never silently
  // ignored), with the command that connects it, unless --quiet.
  if (!args.quiet)
    for (const plan::Plug& p : plan->plugs)
      if (!p.connected)
        std::cerr << "cordon: " << plan->app << ": note: plug '" << p.name << "' is not connected, so it grants nothing; "
                  << connect_hint(p, args.app) << "\n";
  DenialReport report(*plan, paths, ReportOptions{args.quiet, args.json});
  ctx->denial_sink = &report;
  if (status_channel) {
    status_channel->name_app(plan->app);
    ctx->events = &*status_channel;
    report.report_to(&*status_channel);
  }
  // What the host view would show decides what may be suggested, --no-host-view or not.
  LearnedFiles learned(*plan, learn_view, *ctx, sandbox::app_data_root(*ctx) + "/" + plan->app);
  LearnedNetwork learned_network;
  if (args.complain) report.learn_into(&learned, &learned_network);
  if (refuses_unix_sockets_for_the_view(view)) report.unix_sockets_refused_for_the_view();
  auto status = sandbox::launch(view, *filters, *ctx);
  if (suggest_fd.valid()) {
    const auto found = policy::find_app(paths, policy_arg);
    policy::Amendment add = report.amendment();
    // Root's uid-0 app is host ids of its own: a root-owned file stays unwritable to it.
    if (ctx->invoked_by_root && ctx->uid == 0 && !add.read_write.empty())
      add.notes.push_back("read-write entries: an app root runs is host ids of its own (/var/lib/cordon/ids/" + plan->app +
                          "): chown what it writes to them, or run it with --user NAME");
    write_suggestions(args.suggest, suggest_fd.get(), suggested_policy(found.value_or(policy_arg), add));
  } else if (args.complain && (learned.size() || !learned_network.empty()) && !args.quiet) {
    std::cerr << "cordon: " << plan->app << ": complain: the app used files or network outside its policy; "
              << "--suggest FILE writes the policy with the grants\n";
  }
  if (status_channel) {
    if (status) status_channel->exited(*status);
    else status_channel->failed(status.error().to_string());
  }
  if (!status) {
    const Error& e = status.error();
    // The step names where in the launch it failed (docs/sandbox.md "The steps"); exec's is the app's.
    std::cerr << "cordon: " << plan->app << ": " << (e.step == "exec" ? "cannot execute " : "cannot ")
              << e.to_string() << (e.step == "exec" || e.step.empty() ? "" : " (step " + e.step + ")")
              << (e.step == "exec" && e.sys_errno == ENOENT ? private_folder_hint(*plan) : "") << "\n";
    return exit_code_for(e);
  }
  return *status;
}

}  // namespace cordon::launcher
