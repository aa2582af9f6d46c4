// Turns the Plan's symbolic items into concrete ones for this launch: variables expanded with the
// LaunchContext, mounts sorted so that a parent always comes before what is mounted under it.
// Pure: reads no files.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"
#include "sandbox/context.h"
#include "sandbox/state_dir.h"
#include "util/result.h"

namespace cordon::sandbox {

struct Step {
  plan::MountKind kind = plan::MountKind::bind_ro;
  std::string path;      // absolute, expanded
  bool optional = false;
  bool device = false;   // a device node bind: the only mounts without nodev
  std::string origin;    // "base.yaml:12" etc., for error messages
  bool app_grant = false;  // only the app's own policy asks for it (no interface, no cordon)
  std::string source = {}; // a bind's host path when it is not `path` (the payload at $APP_ROOT)
  // What the source must be, checked on the descriptor the bind is made from (a slot's socket or
  // directory: its provider could put anything at that path).
  enum class Expect { anything, socket, directory } expect = Expect::anything;
  // A bind the launcher already made (root's launches: slots.h): a detached mount to attach as it
  // is. -1: the child opens `source` itself.
  int prepared_tree = -1;
};

struct Expanded {
  std::vector<Step> mounts;        // in the order to apply
  std::vector<std::string> argv;   // the Plan's command + the caller's args
  std::vector<std::string> env;    // NAME=value, the whole environment of the app
};

Result<Expanded> expand(const plan::Plan& plan, const LaunchContext& ctx, const std::string& app_data);

struct PersonalFacts;  // personal_paths.h

// The protections every launch adds to the expanded mounts, in order: cordon's state directories
// (`state`, state_guard.h) and people's homes (`facts`, personal_paths.h) hidden or refused, grants
// below a hide refused, the directories between a writable grant and a protection pinned; then
// re-sorted. Pure: `facts` holds what was read from the host.
// `ctx`: the app's own policy and cordon's search folders, never the app's to write (state_guard.h).
Result<void> protect_mounts(std::vector<Step>& mounts, const std::vector<StateDir>& state, const PersonalFacts& facts,
                            const LaunchContext& ctx);

// "$HOME/x" -> "/home/u/x". Fails on a variable this launch has no value for.
Result<std::string> expand_variables(const std::string& text, const LaunchContext& ctx, const std::string& app_data,
                                     bool is_path);

}  // namespace cordon::sandbox
