// `cordon explain APP|FILE`: the resolved Plan, for a person (grouped, each line with where it came
// from) or, with --json, the Plan itself.
#include <iostream>

#include <nlohmann/json.hpp>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "sandbox/landlock.h"
#include "launcher/explain_text.h"
#include "launcher/host.h"
#include "launcher/installed.h"
#include "package/keys.h"
#include "app/plan_for.h"
#include "plan/plan_json.h"
#include "seccomp/compile.h"
#include "seccomp/disassemble.h"

namespace cordon::launcher {

namespace {

// The programs `cordon run` loads (denials reported), disassembled.
int print_bpf(const plan::Plan& plan) {
  auto filters = seccomp::compile(plan, seccomp::Denials::notify);
  if (!filters) {
    std::cerr << "cordon: " << plan.app << ": cannot " << filters.error().to_string() << "\n";
    return kExitCordon;
  }
  const std::size_t count = filters->programs.size();
  for (std::size_t i = 0; i < count; ++i) {
    const seccomp::Program& p = filters->programs[i];
    std::cout << "# " << (count == 1 ? "the filter" : "program " + std::to_string(i + 1) + " of " + std::to_string(count))
              << ", " << p.code.size() << " instructions"
              << (count == 1 ? ": the argument rules, whose ALLOW jumps to the allowlist that follows\n"
                             : "; the kernel applies the strictest answer of all programs\n")
              << seccomp::disassemble(p);
  }
  return kExitOk;
}

// What the running kernel makes of the Plan: the Plan is the same everywhere, its enforcement is not.
std::string on_this_kernel(const plan::Plan& plan, int abi) {
  std::string out = "\non this kernel (Landlock ABI " + std::to_string(abi) + ")\n";
  out += std::string("  files: ") + (abi >= 2 ? "written only where a writable mount is (Landlock), as the mounts say"
                                               : "the mounts alone (no Landlock file rules below ABI 2)") + "\n";
  if (plan.ports.active) {
    if (auto refused = sandbox::landlock_refusal(plan, abi)) out += "  TCP ports: cordon run refuses: " + *refused + "\n";
    else if (abi < sandbox::abi_needed_for_ports(plan.ports))
      out += "  TCP ports: NOT enforced (best-effort, the kernel lacks Landlock network rules); TCP only still holds\n";
    else out += "  TCP ports: enforced by Landlock, TCP only\n";
  }
  out += std::string("  abstract sockets and signals: ") + (abi >= 6 ? "scoped to the sandbox (Landlock)"
                                                                      : "the network namespace alone (no Landlock scopes)") + "\n";
  return out;
}

}  // namespace

ExplainSubject explain_subject(const std::string& app, policy::Diagnostics& diags, policy::SourceTexts& sources) {
  ExplainSubject subject;
  auto installed = find_installed_launch(app);
  if (!installed) {
    subject.error = app + ": cannot " + installed.error().to_string();
    return subject;
  }
  subject.installed = std::move(*installed);
  const std::string policy = subject.installed ? subject.installed->policy_file : app;
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  subject.plan = app::plan_for(policy, paths, invoker_connection_stores(), diags, sources);
  return subject;
}

int explain(const ExplainArgs& args) {
  if (args.json) {  // a tool reads stdout: the Plan, or the diagnostics object when there is none
    const api::Resolved resolved = api::resolve(args.app, colour_on_stderr());
    if (!resolved.error.empty()) {
      std::cerr << "cordon: " << resolved.error << "\n";
      return kExitCordon;
    }
    std::cerr << resolved.report.text;  // warnings too, on success
    std::cout << (resolved.plan ? resolved.plan->json : resolved.report.json + "\n");
    return resolved.plan ? kExitOk : kExitInvalid;
  }
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  const ExplainSubject subject = explain_subject(args.app, diags, sources);
  if (!subject.error.empty()) {
    std::cerr << "cordon: " << subject.error << "\n";
    return kExitCordon;
  }
  std::cerr << policy::render_text(diags, sources, colour_on_stderr());  // warnings too, on success
  const auto& plan = subject.plan;
  const auto& installed = subject.installed;
  if (!plan) return kExitInvalid;
  if (args.bpf) return print_bpf(*plan);
  if (installed)  // the payload's bind is the launch's, not the Plan's: say it here
    std::cout << "installed package: " << plan->app << " " << installed->version << ", revision "
              << installed->revision << ", signed by key " << package::short_id(installed->key) << "\n"
              << "payload: " << installed->app_root << ", shown read-only at /app ($APP_ROOT)\n"
              << "policy: " << installed->policy_file << "\n\n";
  std::cout << explain_text(*plan, args.app) << on_this_kernel(*plan, sandbox::landlock_abi());
  return kExitOk;
}

}  // namespace cordon::launcher
