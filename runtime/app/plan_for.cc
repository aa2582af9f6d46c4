#include "app/plan_for.h"

#include "policy/suggest.h"

namespace cordon::app {

namespace {

// The connections of the app a bundle names, from the store that decides them.
plan::ResolveOptions connections_of(const std::string& app, const std::string& file, const policy::SearchPaths& paths,
                                    const ConnectionStores& stores, policy::Diagnostics& diags,
                                    policy::SourceTexts& sources) {
  plan::ResolveOptions options;
  const auto store = store_for(stores, paths, file);
  if (!store || app.empty()) return options;
  std::string problem;
  options.connected = read_connections(*store, app, &problem);
  if (!problem.empty()) diags.warning(policy::Where{file, 0, 0}, problem);
  sources.emplace(connections_file(*store, app), "");  // watched by the Plan cache, shown by no diagnostic
  return options;
}

}  // namespace

std::optional<plan::Plan> plan_for(const std::string& app, const policy::SearchPaths& paths,
                                   const ConnectionStores& stores, policy::Diagnostics& diags,
                                   policy::SourceTexts& sources) {
  const auto file = policy::find_app(paths, app);
  if (!file) {
    diags.error(policy::Where{app, 0, 0}, "no app named '" + app + "'; searched " + policy::join(paths.app_dirs) +
                                              " (a policy file runs by its path: ./" + app + ".yaml; `cordon apps` lists the apps this user has run)");
    return std::nullopt;
  }
  const std::size_t errors_before = diags.error_count();
  auto bundle = policy::load_bundle_partial(*file, paths, diags, sources);
  if (!bundle) return std::nullopt;
  // An app found by name must call itself that name: its name picks its $APP_DATA (DESIGN.md "Trust").
  if (*file != app && bundle->app.name.value != app && !bundle->app.name.value.empty())
    diags.error(bundle->app.name.where, "'" + *file + "' is found for app '" + app + "' but names itself '" +
                                            bundle->app.name.value + "'");
  const plan::ResolveOptions options = connections_of(bundle->app.name.value, *file, paths, stores, diags, sources);
  auto resolved = plan::resolve(*bundle, options, diags);  // resolves even after errors, to report its conflicts too
  if (diags.error_count() != errors_before) return std::nullopt;
  return resolved;
}

}  // namespace cordon::app
