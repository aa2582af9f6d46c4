#include "plan/plan_for.h"

#include "policy/suggest.h"

namespace cordon::plan {

std::optional<Plan> plan_for(const std::string& app, const policy::SearchPaths& paths, const ResolveOptions& options,
                             policy::Diagnostics& diags, policy::SourceTexts& sources) {
  const auto file = policy::find_app(paths, app);
  if (!file) {
    diags.error(policy::Where{app, 0, 0}, "no app named '" + app + "'; searched " + policy::join(paths.app_dirs));
    return std::nullopt;
  }
  auto bundle = policy::load_bundle(*file, paths, diags, sources);
  if (!bundle) return std::nullopt;
  return resolve(*bundle, options, diags);
}

}  // namespace cordon::plan
