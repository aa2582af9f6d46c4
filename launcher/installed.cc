#include "launcher/installed.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <regex>

#include "app/plan_for.h"
#include "launcher/launch_refusals.h"
#include "launcher/host.h"
#include "policy/load.h"
#include "util/test_seams.h"

namespace cordon::launcher {

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); !from.empty() && at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// A relative command[0] (or health-check[0]) names a file of the payload: it must be there, and
// executable, or the package would install and then fail at its first run (a symbolic link is
// left to the sandbox: it resolves there, not here).
void check_payload_program(const std::vector<policy::Located<std::string>>& words, const std::string& tree,
                           const char* what, policy::Diagnostics& diags) {
  if (words.empty() || words[0].value.empty() || words[0].value[0] == '/') return;
  const std::string& rel = words[0].value;
  struct stat st {};
  if (::lstat((tree + "/" + rel).c_str(), &st) != 0)
    diags.error(words[0].where, std::string(what) + "[0] '" + rel + "' is not a file of the package (nothing at " + rel +
                                    " in its folder)");
  else if (S_ISREG(st.st_mode) && (st.st_mode & 0111) == 0)
    diags.error(words[0].where, std::string(what) + "[0] '" + rel + "' is not executable (chmod +x " + rel + ")");
  else if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
    diags.error(words[0].where, std::string(what) + "[0] '" + rel + "' is not a regular file");
}

}  // namespace

Result<package::PolicyFacts> check_package_policy(const std::string& path, const std::string& shown) {
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  auto plan = app::plan_for(path, paths, app::ConnectionStores{}, diags, sources);
  if (plan) report_plan_notices(*plan, path, diags);  // what a run of it would refuse, refused now
  std::optional<policy::AppPolicy> app;
  if (auto text = sources.find(path); text != sources.end()) {
    policy::Diagnostics scratch;
    app = policy::parse_app_partial(path, text->second, scratch);
  }
  static const std::regex version_pattern("[0-9][0-9A-Za-z.+~-]{0,31}");
  if (app && !app->version)
    diags.error(app->name.where, "a packaged app's policy needs `version:` (it names the package and orders refreshes)");
  else if (app && !std::regex_match(app->version->value, version_pattern))
    diags.error(app->version->where, "version '" + app->version->value + "': a version starts with a digit and has at "
                                     "most 32 letters, digits and . + ~ -");
  else if (app && std::regex_search(app->version->value, std::regex("-[A-Za-z]")))
    diags.error(app->version->where, "version '" + app->version->value + "': a pre-release is written with ~ (1.2~rc1), "
                                     "which sorts before 1.2; written with -, it would sort after 1.2 (docs/packaging.md)");
  if (app) {
    const std::string tree = path.substr(0, path.rfind('/'));
    check_payload_program(app->command, tree, "command", diags);
    check_payload_program(app->health_check, tree, "health-check", diags);
  }
  std::cerr << replace_all(policy::render_text(diags, sources, colour_on_stderr()), path, shown);
  if (diags.has_errors() || !plan || !app) return fail("package", "install: " + shown + " is not a valid package policy");
  return package::PolicyFacts{plan->app, app->version->value, !app->health_check.empty()};
}

namespace {

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// Waits up to `seconds` for `pid`; true when it ended (its status in `status`).
bool wait_for(pid_t pid, int pidfd, double seconds, int& status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{pidfd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
  }
}

// `cordon run --health-check NAME`, as a child of ours: confined exactly as the app is, its output
// on our stderr (stdout is for --json). Past the timeout it gets SIGTERM, which cordon forwards to
// the app, then SIGKILL, which takes the sandbox with it (the sandbox dies with its launcher).
std::optional<std::string> run_health_check(const std::string& name, double timeout_s) {
  const pid_t installer = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return std::string("cannot fork: ") + std::strerror(errno);
  if (pid == 0) {
    // It dies with the install (a killed install must not leave a check running past its
    // timeout); its own sandbox dies with it in turn (sandbox/lifeline.h).
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != installer) ::_exit(127);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    const char* argv[] = {"cordon", "run", "--health-check", name.c_str(), nullptr};
    ::execv("/proc/self/exe", const_cast<char* const*>(argv));
    ::_exit(127);
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  int status = 0;
  const bool ended = wait_for(pid, pidfd, timeout_s, status);
  std::optional<std::string> verdict;
  if (!ended) {
    ::kill(pid, SIGTERM);
    if (!wait_for(pid, pidfd, 3, status)) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    char text[64];
    std::snprintf(text, sizeof text, "timed out after %g s", timeout_s);
    verdict = text;
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    verdict = describe_status(status);
  }
  if (pidfd >= 0) ::close(pidfd);
  return verdict;
}

// Test builds only: CORDON_KILL_AT=STEP kills this process with SIGKILL right after STEP, as a
// power cut or `kill -9` there would (tests/integration/it_lifecycle.py).
void kill_point(std::string_view step) {
  const char* at = test_seams::variable("CORDON_KILL_AT");
  if (at && step == at) ::raise(SIGKILL);
}

}  // namespace

package::StoreLayout invoker_store() {
  return package::store_layout(::getuid(), env_or_empty("HOME"), env_or_empty("XDG_DATA_HOME"),
                               env_or_empty("XDG_CONFIG_HOME"));
}

package::Hooks lifecycle_hooks(double health_timeout_s) {
  package::Hooks hooks;
  hooks.check_policy = check_package_policy;
  hooks.health_check = [health_timeout_s](const std::string& name) { return run_health_check(name, health_timeout_s); };
  hooks.reached = kill_point;
  // On stderr, with --json too: stdout is --json's channel, stderr never is.
  hooks.say = [](const std::string& line) { std::cerr << line << "\n"; };
  return hooks;
}

std::optional<std::string> unknown_kill_point() {
  const char* at = test_seams::variable("CORDON_KILL_AT");
  if (!at) return std::nullopt;
  const auto& steps = package::lifecycle_steps();
  if (std::find(steps.begin(), steps.end(), std::string_view(at)) != steps.end()) return std::nullopt;
  std::string names;
  for (std::string_view s : steps) names += (names.empty() ? "" : ", ") + std::string(s);
  return "CORDON_KILL_AT=" + std::string(at) + " names no lifecycle step (the steps: " + names + ")";
}

Result<std::optional<InstalledLaunch>> find_installed_launch(const std::string& app) {
  if (!package::valid_app_name(app)) return std::optional<InstalledLaunch>{};
  const package::StoreLayout store = invoker_store();
  const package::Hooks hooks = lifecycle_hooks(0);
  // Twice at most: a refresh may prune the revision between our reading and our hold on it.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto found = package::find_installed(store, app, hooks);
    if (!found) return found.error();
    if (!*found) return std::optional<InstalledLaunch>{};
    auto hold = package::hold_revision((*found)->revision_dir);
    if (!hold) {
      if (hold.error().sys_errno == ENOENT && attempt == 0) continue;
      return hold.error();
    }
    char resolved[PATH_MAX];
    if (!::realpath((*found)->revision_dir.c_str(), resolved)) return sys_fail("package", "resolve " + (*found)->revision_dir);
    InstalledLaunch launch;
    launch.app_root = resolved;
    launch.policy_file = launch.app_root + "/policy.yaml";
    launch.key = (*found)->state.key;
    launch.revision = (*found)->state.current;
    launch.version = (*found)->state.current_revision()->version;
    launch.hold = std::move(*hold);
    return std::optional<InstalledLaunch>{std::move(launch)};
  }
  return fail("package", "find " + app + ": its revision keeps changing");
}

}  // namespace cordon::launcher
