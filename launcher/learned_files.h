// Learn mode's file half (`cordon run --complain --suggest`, docs/seccomp.md "Learn mode"): the
// paths the app named that its Plan does not show, and the plugs or filesystem entries that would
// grant them. Decided on the host's resolved paths, never on the spelling the app used.
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

  std::size_t size() const { return used_.size(); }

 private:
  bool shown_by_plan(const std::string& path) const;
  bool in_view(const std::string& path) const;
  bool hidden(const std::string& path) const;
  std::optional<std::string> protected_by_another_path(const std::string& path, const sandbox::PersonalFacts& facts) const;
  sandbox::PersonalFacts protected_places() const;
  static std::optional<std::string> host_path(const std::string& named, bool write, bool& created);
  std::vector<std::string> shown_;   // what the Plan mounts or binds, expanded: the app's view there is the Plan's
  std::vector<std::string> viewed_;  // what the view binds (the Plan's and learn mode's)
  std::vector<std::string> hidden_;  // what the view hides: secrets a suggestion must not name
  std::string home_;
  sandbox::LaunchContext ctx_;  // whose homes and state are protected (personal_paths.h)
  std::string app_data_;
  std::map<std::string, bool> used_;  // path as the app named it -> written
};

}  // namespace cordon::launcher
