// `cordon explain APP|FILE`: the resolved Plan, for a person (grouped, each line with where it came
// from) or, with --json, the Plan itself.
#include <iostream>

#include <nlohmann/json.hpp>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "launcher/explain_text.h"
#include "launcher/host.h"
#include "plan/plan_for.h"
#include "plan/plan_json.h"

namespace cordon::launcher {

int explain(const ExplainArgs& args) {
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  auto plan = plan::plan_for(args.app, paths, {}, diags, sources);
  // With --json, a tool reads stdout: the Plan, or the diagnostics object when there is none.
  if (args.json && !plan) {
    std::cout << policy::render_json(diags).dump(2) << "\n";
    return kExitInvalid;
  }
  std::cerr << policy::render_text(diags, sources);  // warnings too, on success
  if (!plan) return kExitInvalid;
  if (args.json) std::cout << plan::to_json_text(*plan);
  else std::cout << explain_text(*plan);
  return kExitOk;
}

}  // namespace cordon::launcher
