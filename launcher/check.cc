// `cordon check FILE...`: validates app policies (fully: with their interfaces and the Plan they
// resolve to), interface files and the syscall-set catalogue. Diagnostics go to stderr, or to
// stdout as one JSON object with --json.
#include <iostream>

#include <nlohmann/json.hpp>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "launcher/host.h"
#include "launcher/launch_refusals.h"
#include "app/plan_for.h"
#include "policy/bundle.h"
#include "policy/load.h"
#include "policy/yaml_tree.h"
#include "sandbox/expand.h"
#include "sandbox/personal_paths.h"

namespace cordon::launcher {

namespace {

enum class FileKind { app, interface, syscall_sets };

// Interface files say `interface:`, the catalogue says `sets:`; anything else is read as an app
// policy, whose loader then names every unknown key.
FileKind kind_of(const std::string& text) {
  policy::Diagnostics scratch;
  auto root = policy::parse_yaml(text, "", scratch);
  if (root && root->find("interface")) return FileKind::interface;
  if (root && root->find("sets") && !root->find("name")) return FileKind::syscall_sets;
  return FileKind::app;
}

bool reported_at(const policy::Diagnostics& diags, const policy::Where& where) {
  for (const policy::Diagnostic& d : diags.items())
    if (d.where.file == where.file && d.where.line == where.line && d.where.column == where.column) return true;
  return false;
}

// What a launch by this user would refuse: an app's own grant that reaches a home, the session's
// runtime directory or cordon's state, decided on this host's resolved paths (personal_paths.h).
// Said here at the line, so that a policy's author learns it from `check`, not from a failed run.
void check_personal_paths(const policy::AppPolicy& app, policy::Diagnostics& diags) {
  auto ctx = launch_context("");
  if (!ctx) return;
  sandbox::PersonalFacts facts;
  std::vector<sandbox::StateDir> state;
  for (const std::string& d : ctx->state_dirs) state.push_back({d, true});
  facts.protected_paths = sandbox::personal_paths(*ctx, state);
  for (const auto* list : {&app.filesystem.read_only, &app.filesystem.read_write, &app.filesystem.tmpfs})
    for (const policy::PathEntry& e : *list) {
      auto path = sandbox::expand_variables(e.path, *ctx, "", true);  // $APP_DATA is the app's own
      if (!path || reported_at(diags, e.where)) continue;
      if (auto problem = sandbox::personal_problem(sandbox::resolve_on_host(*path), facts))
        diags.error(e.where, "'" + e.path + "': " + *problem +
                                 "; an app's own policy cannot grant it (the 'home' interface grants a home)");
    }
}

// Everything `cordon run FILE` would refuse or say of this policy file (launch_refusals.h).
void check_app(const std::string& file, const std::string& text, const policy::SearchPaths& paths,
               policy::Diagnostics& diags, policy::SourceTexts& sources) {
  auto plan = app::plan_for(file, paths, invoker_connection_stores(), diags, sources);
  policy::Diagnostics scratch;
  auto app = policy::parse_app_partial(file, text, scratch);
  if (!app) return;
  check_personal_paths(*app, diags);
  if (!plan) return;
  report_plan_notices(*plan, file, diags);
  if (auto refused = adhoc_name_refusal(paths, file, plan->app))
    diags.error(app->name.where, *refused + "; `cordon run " + file + "` refuses it");
}

void check_one(const std::string& file, const policy::SearchPaths& paths, policy::Diagnostics& diags,
               policy::SourceTexts& sources) {
  auto text = policy::read_policy_file(file, diags);
  if (!text) return;
  sources[file] = *text;
  switch (kind_of(*text)) {
    case FileKind::interface:
      if (auto iface = policy::parse_interface(file, *text, diags))
        if (auto syscalls = policy::load_syscall_sets(paths, diags, sources))
          policy::check_interface(*iface, *syscalls, diags);
      return;
    case FileKind::syscall_sets:
      if (auto cat = policy::parse_syscall_sets(file, *text, diags)) policy::check_syscall_catalog(*cat, diags);
      return;
    case FileKind::app:
      check_app(file, *text, paths, diags, sources);
      return;
  }
}

}  // namespace

void check_files(const std::vector<std::string>& files, policy::Diagnostics& diags, policy::SourceTexts& sources) {
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  for (const std::string& file : files) check_one(file, paths, diags, sources);
}

int check(const CheckArgs& args) {
  const api::Report report = api::check(args.files, colour_on_stderr());
  if (args.json) std::cout << report.json << "\n";
  else std::cerr << report.text;
  return report.ok ? kExitOk : kExitInvalid;
}

}  // namespace cordon::launcher
