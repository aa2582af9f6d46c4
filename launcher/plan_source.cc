#include "launcher/plan_source.h"

#include <unistd.h>

#include <iostream>

#include "launcher/host.h"
#include "app/plan_for.h"

namespace cordon::launcher {

cache::Location cache_location() {
  return cache::location(::getuid(), env_or_empty("HOME"), env_or_empty("XDG_CACHE_HOME"));
}

std::optional<plan::Plan> cached_or_resolved_plan(const std::string& app, const policy::SearchPaths& paths,
                                                  const cache::Location& where) {
  if (auto cached = cache::load(where, app, paths)) return cached;
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  const std::uint64_t read_at = cache::input_clock();  // before the first file is read
  auto plan = app::plan_for(app, paths, invoker_connection_stores(), diags, sources);
  std::cerr << policy::render_text(diags, sources, colour_on_stderr());
  if (plan) cache::store(where, app, paths, *plan, sources, read_at);
  return plan;
}

}  // namespace cordon::launcher
