#include "sandbox/state_guard.h"

#include <algorithm>

#include "util/dirs.h"

namespace cordon::sandbox {

namespace {

// `inner` is `outer` or lies below it.
bool within(const std::string& inner, const std::string& outer) {
  if (outer == "/") return true;
  return inner.compare(0, outer.size(), outer) == 0 && (inner.size() == outer.size() || inner[outer.size()] == '/');
}

bool writable_bind(const Step& s) { return s.kind == plan::MountKind::bind_rw && !s.device; }

}  // namespace

std::vector<std::string> state_dirs(const LaunchContext& ctx) {
  if (ctx.invoked_by_root) return {"/etc/cordon", "/var/cache/cordon", "/var/lib/cordon"};
  return ctx.state_dirs;
}

Result<void> create_state_dirs(const std::vector<std::string>& dirs) {
  for (const std::string& d : dirs)
    if (!d.empty() && d[0] == '/') CORDON_TRY(make_dirs("state", d, d == "/etc/cordon" ? 0755 : 0700));
  return {};
}

Result<void> guard_state_dirs(std::vector<Step>& mounts, const std::vector<std::string>& dirs,
                              const std::string& app_data) {
  std::vector<Step> added;
  for (const std::string& state : dirs) {
    if (state.empty() || state[0] != '/') continue;
    for (const Step& b : mounts) {
      if (!writable_bind(b)) continue;
      if (within(b.path, state)) {
        if (!app_data.empty() && within(b.path, app_data)) continue;  // the app's own data
        return fail("mounts", "bind " + b.path + " read-write (" + b.origin + "): it is cordon's own state (" + state +
                                  "), which no app may write");
      }
      if (!within(state, b.path)) continue;
      // Every directory strictly between the bind and the state directory becomes a mount point.
      for (std::size_t slash = state.find('/', b.path == "/" ? 1 : b.path.size() + 1); slash != std::string::npos;
           slash = state.find('/', slash + 1)) {
        const std::string between = state.substr(0, slash);
        const bool known = std::any_of(mounts.begin(), mounts.end(), [&](const Step& s) { return s.path == between; }) ||
                           std::any_of(added.begin(), added.end(), [&](const Step& s) { return s.path == between; });
        if (!known) added.push_back(Step{plan::MountKind::bind_rw, between, false, false, "cordon (keeps " + state + " in place)"});
      }
    }
    const bool hidden = std::any_of(mounts.begin(), mounts.end(),
                                    [&](const Step& s) { return s.kind == plan::MountKind::hide && s.path == state; });
    if (!hidden) added.push_back(Step{plan::MountKind::hide, state, true, false, "cordon"});
  }
  mounts.insert(mounts.end(), added.begin(), added.end());
  return {};
}

}  // namespace cordon::sandbox
