// The `cordon` command line: parses argv, calls the subcommand, maps failures to exit codes.
#include <iostream>

#include <CLI/CLI.hpp>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"

#ifndef CORDON_VERSION
#error "CORDON_VERSION must be defined by the build"
#endif

namespace {

using namespace cordon::launcher;

int run_cli(int argc, char** argv) {
  CLI::App app{"cordon: run applications confined by a declarative policy", "cordon"};
  app.set_version_flag("--version", "cordon " CORDON_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  CheckArgs check_args;
  CLI::App* check_cmd = app.add_subcommand("check", "Validate app policies and interface files");
  check_cmd->add_option("FILE", check_args.files, "Policy, interface or syscall-set files")->required();
  check_cmd->add_flag("--json", check_args.json, "Print diagnostics as JSON on stdout");
  check_cmd->footer("Exit status: 0 valid, 1 invalid, 125 cordon failed.");

  ExplainArgs explain_args;
  CLI::App* explain_cmd = app.add_subcommand("explain", "Show what an app would get, and why");
  explain_cmd->add_option("APP", explain_args.app, "App name (searched in the policy path) or policy file")->required();
  explain_cmd->add_flag("--json", explain_args.json, "Print the Plan as JSON");
  explain_cmd->footer("Exit status: 0 ok, 1 invalid policy, 125 cordon failed.");

  InterfacesArgs interfaces_args;
  CLI::App* interfaces_cmd = app.add_subcommand("interfaces", "List the interfaces an app can plug");
  interfaces_cmd->add_flag("--json", interfaces_args.json, "Print as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "cordon: " << e.what() << "\n";
    std::cerr << "Try 'cordon --help'.\n";
    return kExitCordon;
  }
  if (check_cmd->parsed()) return check(check_args);
  if (explain_cmd->parsed()) return explain(explain_args);
  if (interfaces_cmd->parsed()) return interfaces(interfaces_args);
  return kExitCordon;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_cli(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "cordon: internal error: " << e.what() << "\n";
    return kExitCordon;
  }
}
