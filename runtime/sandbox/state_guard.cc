#include "sandbox/state_guard.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>

#include "util/dirs.h"
#include "util/path_within.h"
#include "util/replace_file.h"

namespace cordon::sandbox {

namespace {

bool writable_bind(const Step& s) { return s.kind == plan::MountKind::bind_rw && !s.device; }

// A bind (either way) or a tmpfs: what could show or replace something at its path.
bool grant(const Step& s) {
  return s.kind == plan::MountKind::bind_ro || s.kind == plan::MountKind::bind_rw || s.kind == plan::MountKind::tmpfs;
}

struct Wanted {
  std::string path;
  bool create;
  mode_t mode;
  bool skip_if_missing = false;  // a place an earlier launch used: gone now, nothing to hide
};

// State that XDG variables put elsewhere in some launch is listed in the default data directory
// (~/.local/share/cordon/elsewhere), so that a launch with other variables, or none, still hides
// it: one absolute path a line.
std::string elsewhere_list(const LaunchContext& ctx) { return ctx.home + "/.local/share/cordon/elsewhere"; }

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] == '/') out.push_back(line);
  return out;
}

bool is_default_state(const LaunchContext& ctx, const std::string& dir) {
  for (const char* d : {"/.cache/cordon", "/.config/cordon", "/.local/share/cordon"})
    if (dir == ctx.home + d) return true;
  return false;
}

// Adds this launch's relocated state directories to the list (written beside, then renamed).
Result<void> remember_relocated(const LaunchContext& ctx, const std::vector<std::string>& listed) {
  std::vector<std::string> all = listed;
  for (const std::string& d : ctx.state_dirs)
    if (!d.empty() && d[0] == '/' && !is_default_state(ctx, d) && std::find(all.begin(), all.end(), d) == all.end())
      all.push_back(d);
  if (all.size() == listed.size()) return {};
  const std::string list = elsewhere_list(ctx);
  CORDON_TRY(make_dirs("state", list.substr(0, list.rfind('/')), 0700));
  std::string text;
  struct stat st {};
  for (const std::string& d : all)
    if (::lstat(d.c_str(), &st) == 0 || std::find(ctx.state_dirs.begin(), ctx.state_dirs.end(), d) != ctx.state_dirs.end())
      text += d + "\n";  // places that are gone are dropped while the list is rewritten anyway
  return replace_file("state", list, text);
}

std::vector<Wanted> wanted_dirs(const LaunchContext& ctx, const std::vector<std::string>& elsewhere) {
  std::vector<Wanted> out;
  if (ctx.invoked_by_root) {
    out = {{"/etc/cordon", true, 0755}, {"/var/cache/cordon", true, 0700}, {"/var/lib/cordon", true, 0700}};
    if (ctx.uid != 0 && !ctx.home.empty() && ctx.home[0] == '/')  // --user: that user's own, not created by root
      for (const char* d : {"/.cache/cordon", "/.config/cordon", "/.local/share/cordon"})
        out.push_back({ctx.home + d, false, 0700});
    return out;
  }
  for (const std::string& d : ctx.state_dirs)
    if (!d.empty() && d[0] == '/') out.push_back({d, true, 0700});
  for (const std::string& d : elsewhere)
    if (std::none_of(out.begin(), out.end(), [&](const Wanted& w) { return w.path == d; }))
      out.push_back({d, false, 0700, true});
  return out;
}

}  // namespace

Result<std::vector<StateDir>> prepare_state_dirs(const LaunchContext& ctx) {
  std::vector<StateDir> out;
  std::vector<std::string> elsewhere;
  if (!ctx.invoked_by_root && !ctx.home.empty() && ctx.home[0] == '/') {
    elsewhere = read_lines(elsewhere_list(ctx));
    CORDON_TRY(remember_relocated(ctx, elsewhere));
  }
  for (const Wanted& w : wanted_dirs(ctx, elsewhere)) {
    if (w.create) CORDON_TRY(make_dirs("state", w.path, w.mode));
    struct stat st {};
    if (::lstat(w.path.c_str(), &st) != 0) {
      if (errno != ENOENT) return sys_fail("state", "stat " + w.path);
      if (w.skip_if_missing) continue;
      out.push_back({w.path, false});
      continue;
    }
    out.push_back({w.path, true});
    if (!S_ISLNK(st.st_mode)) continue;
    // A link (a dotfiles manager's, say): what it points at must be hidden and kept in place too.
    char resolved[PATH_MAX];
    if (!::realpath(w.path.c_str(), resolved))
      return sys_fail("state", "use " + w.path + ": a symbolic link to nothing (cordon's state must be a directory)");
    out.push_back({resolved, true});
  }
  return out;
}

Result<void> guard_state_dirs(std::vector<Step>& mounts, const std::vector<StateDir>& dirs, const std::string& app_data) {
  std::vector<Step> added;
  auto hidden = [&](const std::string& path) {
    auto same = [&](const Step& s) { return s.path == path && s.kind == plan::MountKind::hide; };
    return std::any_of(mounts.begin(), mounts.end(), same) || std::any_of(added.begin(), added.end(), same);
  };
  for (const StateDir& state : dirs) {
    for (const Step& b : mounts) {
      if (!grant(b) || b.device) continue;
      if (path_within(b.path, state.path)) {  // read-only too: it would show other apps' data, a key
        if (!app_data.empty() && path_within(b.path, app_data)) continue;  // the app's own data
        return fail("mounts", "grant " + b.path + " (" + b.origin + "): it is cordon's own state (" +
                                  state.path + "), which no app may see");
      }
      if (!writable_bind(b) || !path_within(state.path, b.path)) continue;
      if (!state.exists)
        return fail("mounts", "bind " + b.path + " read-write (" + b.origin + "): it would let the app create " +
                                  state.path + " (cordon's state for this user, not made yet); run cordon once as "
                                  "that user first");
    }
    if (state.exists && !hidden(state.path))
      added.push_back(Step{plan::MountKind::hide, state.path, true, false, "cordon"});
  }
  mounts.insert(mounts.end(), added.begin(), added.end());
  return {};
}

Result<void> keep_inputs_read_only(std::vector<Step>& mounts, const LaunchContext& ctx) {
  auto writable_grant_of = [&](const std::string& path) -> const Step* {
    for (const Step& b : mounts)
      if (writable_bind(b) && path_within(path, b.path)) return &b;
    return nullptr;
  };
  for (const std::string& link : ctx.policy_links)
    if (const Step* b = writable_grant_of(link))
      return fail("mounts", "run the policy " + ctx.policy_file + ": it is reached through the symbolic link " + link +
                                ", which the app may change (" + b->path + " is read-write, " + b->origin +
                                "); name the policy by its real path");
  auto hidden = [&](const std::string& path) {
    return std::any_of(mounts.begin(), mounts.end(),
                       [&](const Step& h) { return h.kind == plan::MountKind::hide && path_within(path, h.path); });
  };
  for (const std::string& dir : ctx.search_dirs) {
    if (hidden(dir)) continue;  // cordon's own config (~/.config/cordon/apps): out of every app's reach
    for (const Step& b : mounts)
      if (writable_bind(b) && (path_within(dir, b.path) || b.path.substr(0, b.path.rfind('/')) == dir))
        return fail("mounts", "grant " + b.path + " read-write (" + b.origin + "): cordon reads its policies, "
                                  "interfaces, syscall catalogue or its own program from " + dir +
                                  ", which the app could then rewrite");
  }
  const std::string& file = ctx.policy_file;
  if (file.empty() || !writable_grant_of(file)) return {};
  if (!hidden(file))  // (hidden already, as cordon's own config is: a bind would uncover it)
    mounts.push_back(Step{plan::MountKind::bind_ro, file, true, false, "cordon (the app's own policy)"});
  return {};
}

void pin_protections(std::vector<Step>& mounts) {
  std::vector<Step> added;
  auto bound = [&](const std::string& path) {
    auto same = [&](const Step& s) { return s.path == path; };
    return std::any_of(mounts.begin(), mounts.end(), same) || std::any_of(added.begin(), added.end(), same);
  };
  for (const Step& s : mounts) {
    if (writable_bind(s)) continue;  // a writable grant protects nothing
    for (const Step& b : mounts) {
      if (!writable_bind(b) || b.path == s.path || !path_within(s.path, b.path)) continue;
      for (std::size_t slash = s.path.find('/', b.path == "/" ? 1 : b.path.size() + 1); slash != std::string::npos;
           slash = s.path.find('/', slash + 1)) {
        const std::string between = s.path.substr(0, slash);
        if (!bound(between))  // optional: a directory the host lacks holds nothing to move away
          added.push_back(Step{plan::MountKind::bind_rw, between, true, false, "cordon (keeps " + s.path + " in place)"});
      }
    }
  }
  mounts.insert(mounts.end(), added.begin(), added.end());
}

}  // namespace cordon::sandbox
