// Learn mode's file half (`cordon run --complain --suggest`, docs/seccomp.md "Learn mode"): the
// paths the app named that its Plan does not show (or shows read-only where it wrote), and the
// plugs or filesystem entries that would grant them. Decided on the host's resolved paths, never
// on the spelling the app used.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/grants.h"
#include "plan/plan.h"
#include "policy/amend.h"
#include "sandbox/context.h"
#include "sandbox/path_use.h"
#include "sandbox/personal_paths.h"

namespace cordon::launcher {

class LearnedFiles {
 public:
  // `plan` is the app's own Plan, `view` the one launched (the learn view's: learn_view.h, whose
  // hides count too), `app_data` its $APP_DATA.
  LearnedFiles(const plan::Plan& plan, const plan::Plan& view, const sandbox::LaunchContext& ctx,
               const std::string& app_data);

  // Called for each path call the supervisor let through; keeps the paths outside the Plan.
  void note(const sandbox::PathUse& use);

  // The plugs and filesystem entries that grant what was noted; what nothing can grant is a note.
  void suggest(const app::GrantIndex& grants, policy::Amendment& add) const;

  std::size_t size() const { return used_.size() + sought_in_home_.size(); }

 private:
  struct Use {
    bool write = false;
    bool opened = false;  // opened, run or entered; not only looked at
  };
  struct Shown {
    std::string path;
    bool writable = false;
  };
  // What one noted path comes to on the host.
  struct Candidate {
    std::string real;       // resolved; for a created file its resolved folder + its name
    Use use;
    bool created = false;
    bool device = false;
    bool directory = false;
  };

  bool shown_by_plan(const std::string& path, bool write) const;
  bool in_view(const std::string& path) const;
  bool hidden(const std::string& path) const;
  std::optional<Candidate> candidate(const std::string& named, const Use& use) const;
  std::optional<std::string> protected_by_another_path(const std::string& path, const sandbox::PersonalFacts& facts) const;
  sandbox::PersonalFacts protected_places() const;
  void suggest_what_home_holds(const app::GrantIndex& grants, std::map<std::string, policy::PlugAddition>& plugs) const;

  std::vector<Shown> shown_;         // what the Plan mounts or binds, expanded
  std::vector<std::string> viewed_;  // what the view binds (the Plan's and learn mode's)
  std::vector<std::string> hidden_;  // what the view hides: secrets a suggestion must not name
  std::string home_;
  bool home_is_app_data_ = false;    // no home plug: the app's HOME is its $APP_DATA
  sandbox::LaunchContext ctx_;       // whose homes and state are protected (personal_paths.h)
  std::string app_data_;
  std::map<std::string, Use> used_;  // path as the app named it
  // Without the home plug, what the app looked for in its HOME ($APP_DATA) and did not find there,
  // relative to it: the real home may hold it (~/.config/app/settings.conf).
  std::map<std::string, bool> sought_in_home_;
};

}  // namespace cordon::launcher
