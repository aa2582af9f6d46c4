#include "app/plan_for.h"

#include "policy/suggest.h"

namespace cordon::app {

std::optional<plan::Plan> plan_for(const std::string& app, const policy::SearchPaths& paths, const plan::ResolveOptions& options,
                             policy::Diagnostics& diags, policy::SourceTexts& sources) {
  const auto file = policy::find_app(paths, app);
  if (!file) {
    diags.error(policy::Where{app, 0, 0}, "no app named '" + app + "'; searched " + policy::join(paths.app_dirs));
    return std::nullopt;
  }
  const std::size_t errors_before = diags.error_count();
  auto bundle = policy::load_bundle_partial(*file, paths, diags, sources);
  if (!bundle) return std::nullopt;
  // An app found by name must call itself that name: its name picks its $APP_DATA (DESIGN.md "Trust").
  if (*file != app && bundle->app.name.value != app && !bundle->app.name.value.empty())
    diags.error(bundle->app.name.where, "'" + *file + "' is found for app '" + app + "' but names itself '" +
                                            bundle->app.name.value + "'");
  auto resolved = plan::resolve(*bundle, options, diags);  // resolves even after errors, to report its conflicts too
  if (diags.error_count() != errors_before) return std::nullopt;
  return resolved;
}

}  // namespace cordon::app
