// The `cordon` command line: parses argv, calls the subcommand, maps failures to exit codes.
#include <algorithm>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "policy/suggest.h"

#ifndef CORDON_VERSION
#error "CORDON_VERSION must be defined by the build"
#endif

namespace {

using namespace cordon::launcher;
namespace api = cordon::api;

// Where APP stands in `cordon run [OPTIONS] APP [ARGS...]`: the first word that is neither an option
// nor an option's value (a `--` before it only ends the options). Every word after APP belongs to
// the app, whatever it looks like, as with `snap run`: a wrapper that passes untrusted arguments
// must not hand its caller cordon's options (--complain, --suggest FILE). argc when there is none.
int app_position(const CLI::App& run_cmd, int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") return i + 1 < argc ? i + 1 : argc;
    if (word.size() < 2 || word[0] != '-') return i;
    if (word.find('=') != std::string::npos) continue;  // --option=value is one word
    const CLI::Option* option = run_cmd.get_option_no_throw(word);
    if (option && option->get_items_expected_max() > 0) ++i;  // its value, even one that starts with '-'
  }
  return argc;
}

// The app's arguments: the words after APP, without the `--` that `cordon run APP -- ARGS` puts
// right after it (dropped once; a second `--` is the app's).
std::vector<std::string> app_arguments(int app_at, int argc, char** argv) {
  int first = app_at + 1;
  if (first < argc && std::string(argv[first]) == "--") ++first;
  return first < argc ? std::vector<std::string>(argv + first, argv + argc) : std::vector<std::string>{};
}

// Every --help ends with how the command is used and what its exit status means.
void footer(CLI::App* cmd, std::initializer_list<const char*> examples, const std::string& exit_status) {
  std::string text = examples.size() > 1 ? "Examples:\n" : "Example:\n";
  for (const char* e : examples) text += std::string("  ") + e + "\n";
  cmd->footer(text + "Exit status: " + exit_status);
}

// `cordon help [COMMAND]`: the same text as `cordon [COMMAND] --help`.
int help(const CLI::App& app, const std::string& command) {
  if (command.empty()) {  // app.help() would show the selected subcommand's, `help`'s own
    std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
    return kExitOk;
  }
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == command) {
      std::cout << sub->help(app.get_name());
      return kExitOk;
    }
    names.push_back(sub->get_name());
  }
  std::cerr << "cordon: help: unknown command '" << command << "'" << cordon::policy::did_you_mean(command, names)
            << "; commands: " << cordon::policy::join(names) << "\n";
  return kExitCordon;
}

int run_cli(int argc, char** argv) {
  CLI::App app{"cordon: run applications confined by a declarative policy", "cordon"};
  app.set_version_flag("-V,--version", "cordon " CORDON_VERSION);
  app.footer("Run `cordon help COMMAND` (or `cordon COMMAND --help`) for a command's options and examples.\n"
             "Documentation: docs/ in the source, or /usr/share/doc/cordon.");
  app.require_subcommand(1);
  app.fallthrough(false);

  CheckArgs check_args;
  CLI::App* check_cmd = app.add_subcommand("check", "Validate app policies and interface files");
  check_cmd->add_option("FILE", check_args.files, "Policy, interface or syscall-set files")->required();
  check_cmd->add_flag("--json", check_args.json, "Print diagnostics as JSON on stdout");
  footer(check_cmd, {"cordon check app.yaml", "cordon check --json policies/*.yaml"}, "0 valid, 1 invalid, 125 cordon failed.");

  ExplainArgs explain_args;
  CLI::App* explain_cmd = app.add_subcommand("explain", "Show what an app would get, and why");
  explain_cmd->add_option("APP", explain_args.app, "App name (searched in the policy path) or policy file")->required();
  explain_cmd->add_flag("--json", explain_args.json, "Print the Plan as JSON");
  explain_cmd->add_flag("--bpf", explain_args.bpf, "Print the compiled seccomp programs, disassembled");
  footer(explain_cmd, {"cordon explain notes", "cordon explain ./app.yaml --json | jq .mounts"},
         "0 ok, 1 invalid policy, 125 cordon failed.");

  RunArgs run_args;
  CLI::App* run_cmd = app.add_subcommand("run", "Run an app confined by its policy; cordon's options go before APP");
  run_cmd->add_option("APP", run_args.app, "App name (searched in the policy path) or policy file")->required();
  run_cmd->add_option("ARGS", run_args.args,
                      "Arguments appended to the policy's command: every word after APP, options included "
                      "(a -- right after APP is dropped)");
  run_cmd->add_flag("--timing", run_args.timing, "Print how long each launch step took, on stderr");
  run_cmd->add_option("--user", run_args.user, "Root only: run the app as this user (name or uid)");
  run_cmd->add_flag("--complain", run_args.complain,
                    "Learn mode: let through the syscalls the policy lacks that a plug or seccomp.allow could "
                    "grant, and report each; show the app the host read-only (minus secrets) and note the files, "
                    "devices and network it uses outside its policy; everything else stays enforced");
  run_cmd->add_option("--suggest", run_args.suggest,
                      "With --complain: write the app's policy with the grants this run needed to FILE (a new file; "
                      "compare it with yours: diff -u)")
      ->type_name("FILE")
      ->needs(run_cmd->get_option("--complain"));
  run_cmd->add_flag("--no-host-view", run_args.no_host_view,
                    "With --complain: the app sees its Plan only, not the host (Unix sockets then work; what it "
                    "tries outside its Plan fails and is still noted)")
      ->needs(run_cmd->get_option("--complain"));
  run_cmd->add_flag("--quiet", run_args.quiet, "Do not report denied syscalls");
  run_cmd->add_flag("--json", run_args.json,
                    "Report denied syscalls as JSON lines on stderr (with --status-fd: there only)");
  run_cmd->add_option("--status-fd", run_args.status_fd,
                      "Write JSON lines to descriptor N: the sandbox's pid and namespaces, denials, the exit status")
      ->type_name("N");
  footer(run_cmd,
         {"cordon run ./notes.yaml   (a policy file; an app in /etc/cordon/apps or installed runs by name: cordon run notes)",
          "cordon run shell -c 'echo hi'   (every word after APP is the app's)",
          "cordon run --complain --suggest /tmp/app.suggested.yaml ./app.yaml"},
         "the app's own, 128+N if signal N ended it; 125 cordon failed, 126 the command cannot be executed, 127 it "
         "does not exist.\ncordon reads options only before APP: in `cordon run APP a --complain`, --complain is the "
         "app's argument.");

  CompileArgs compile_args;
  CLI::App* compile_cmd = app.add_subcommand("compile", "Resolve apps and compile their seccomp filters into the cache");
  compile_cmd->add_option("APP", compile_args.apps, "App names (searched in the policy path) or policy files")->required();
  compile_cmd->add_flag("--json", compile_args.json, "One JSON line per app compiled, on stdout");
  footer(compile_cmd, {"cordon compile notes fetch-url"}, "0 ok, 1 invalid policy, 125 cordon failed.");

  run_cmd->add_flag("--health-check", run_args.health_check,
                    "Run the policy's health-check instead of its command (what install runs after a refresh)");

  PackArgs pack_args;
  CLI::App* pack_cmd = app.add_subcommand("pack", "Sign a folder (policy.yaml and the app's files) into a package");
  pack_cmd->add_option("DIR", pack_args.dir, "The folder: policy.yaml (with name and version) and the payload")->required();
  pack_cmd->add_option("--key", pack_args.key, "Ed25519 private key, PEM (openssl genpkey -algorithm ed25519)")
      ->required()->type_name("KEY.pem");
  pack_cmd->add_option("-o,--output", pack_args.out, "The package to write (never overwritten)")
      ->required()->type_name("APP.cordon");
  pack_cmd->add_flag("--json", pack_args.json, "Say what was packed as one JSON line on stdout");
  footer(pack_cmd, {"cordon pack hello --key vendor.pem -o hello-1.0.cordon"}, "0 packed, 1 invalid policy, 125 cordon failed.");

  InstallArgs install_args;
  CLI::App* install_cmd = app.add_subcommand("install", "Install or refresh a signed package; roll back if its health check fails");
  install_cmd->add_option("PACKAGE", install_args.package, "The package file, or - for standard input")->required();
  install_cmd->add_flag("--json", install_args.json, "Print the outcome as JSON on stdout");
  install_cmd->add_option("--keep", install_args.keep, "Revisions to keep after a refresh (2..20)")
      ->capture_default_str()->check(CLI::Range(2, 20));
  install_cmd->add_option("--health-timeout", install_args.health_timeout, "Seconds the health check may run (0.1..3600)")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  footer(install_cmd, {"cordon install hello-1.0.cordon", "curl -sS https://example.org/hello.cordon | cordon install -"},
         "0 installed or refreshed, 1 refused (signature, key, version or policy), 3 rolled back (the health check "
         "failed), 125 cordon failed.");

  ListArgs list_args;
  CLI::App* list_cmd = app.add_subcommand("list", "List installed apps, their revisions and versions");
  list_cmd->add_flag("--json", list_args.json, "Print as JSON");
  footer(list_cmd, {"cordon list", "cordon list --json"}, "0, 125 cordon failed.");

  AppsArgs apps_args;
  CLI::App* apps_cmd = app.add_subcommand("apps", "List the apps cordon knows for you, and where each comes from");
  apps_cmd->add_flag("--json", apps_args.json, "Print as JSON");
  footer(apps_cmd, {"cordon apps", "cordon apps --json"}, "0, 125 cordon failed.");

  ForgetArgs forget_args;
  CLI::App* forget_cmd = app.add_subcommand("forget", "Delete an app's data and free its name (not an installed package's)");
  forget_cmd->add_option("APP", forget_args.app, "App name")->required();
  forget_cmd->add_flag("-y,--yes", forget_args.yes, "Do not ask (needed where there is no terminal to ask on)");
  forget_cmd->add_flag("--json", forget_args.json, "Say what was deleted as one JSON line on stdout");
  footer(forget_cmd, {"cordon forget notes", "cordon forget --yes it-scratch"},
         "0 forgotten (or nothing to forget), 1 not confirmed, not an app name, or an installed package (use "
         "`cordon remove --purge`), 125 cordon failed.");

  RevertArgs revert_args;
  CLI::App* revert_cmd = app.add_subcommand("revert", "Go back to the previous revision of an app, and its data");
  revert_cmd->add_option("APP", revert_args.app, "Installed app name")->required();
  revert_cmd->add_option("--revision", revert_args.revision, "Go to this installed revision (default: the one before)")
      ->check(CLI::PositiveNumber);
  revert_cmd->add_flag("--json", revert_args.json, "Print the outcome as JSON on stdout");
  footer(revert_cmd, {"cordon revert hello", "cordon revert hello --revision 2"}, "0 reverted, 125 cordon failed.");

  RemoveArgs remove_args;
  CLI::App* remove_cmd = app.add_subcommand("remove", "Remove an installed app (its data is kept as a snapshot)");
  remove_cmd->add_option("APP", remove_args.app, "Installed app name")->required();
  remove_cmd->add_flag("--purge", remove_args.purge, "Delete its data too, and free its name from its key");
  remove_cmd->add_flag("--json", remove_args.json, "Print the outcome as JSON on stdout");
  footer(remove_cmd, {"cordon remove hello", "cordon remove hello --purge"}, "0 removed, 125 cordon failed.");

  RefreshArgs refresh_args;
  CLI::App* refresh_cmd = app.add_subcommand(
      "refresh", "Update installed apps from the update sources (signed index, health check, rollback)");
  refresh_cmd->add_option("APP", refresh_args.apps, "Installed apps to refresh (default: all)");
  refresh_cmd->add_flag("--list", refresh_args.list, "Show what would change; change nothing");
  refresh_cmd->add_flag("--json", refresh_args.json, "Print the outcome as JSON on stdout");
  refresh_cmd->add_flag("--hold", refresh_args.hold, "Keep refreshes away from the APPs named (nothing is fetched)");
  refresh_cmd->add_flag("--unhold", refresh_args.unhold, "Let refreshes update the APPs named again");
  refresh_cmd->add_option("--keep", refresh_args.keep, "Revisions to keep after a refresh (2..20)")
      ->capture_default_str()->check(CLI::Range(2, 20));
  refresh_cmd->add_option("--health-timeout", refresh_args.health_timeout, "Seconds a health check may run (0.1..3600)")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  footer(refresh_cmd, {"cordon refresh --list", "cordon refresh hello", "cordon refresh --hold hello"}, "0 all up to date, 2 some refreshed (--list: some would be), 3 some rolled back "
                      "(the health check failed), 4 a source could not be reached (nothing changed from it), 1 refused "
                      "(an index or package that is tampered, expired, replayed or not as declared; or a bad source "
                      "file), 125 cordon failed. The worst that happened decides.");

  PublishArgs publish_args;
  CLI::App* publish_cmd = app.add_subcommand("publish", "Add signed packages to an update repository and sign its index");
  publish_cmd->add_option("REPO", publish_args.repo, "The repository folder (served as static files)")->required();
  publish_cmd->add_option("PACKAGE", publish_args.packages, "Packages made by `cordon pack` (none: re-sign the index)");
  publish_cmd->add_option("--key", publish_args.key, "The index key: Ed25519 private key, PEM, not a package key")
      ->required()->type_name("INDEX-KEY.pem");
  publish_cmd->add_option("--valid-for", publish_args.valid_for, "How long devices accept this index (1s..366d; default 7d)")
      ->capture_default_str()->type_name("DURATION");
  publish_cmd->add_flag("--json", publish_args.json, "Print the outcome as JSON on stdout");
  footer(publish_cmd, {"cordon publish repo hello-1.1.cordon --key index.pem --valid-for 30d"}, "0 published, 1 refused (a package not whole, a version not newer, the index key "
                      "signing packages, an index under another key), 125 cordon failed.");

  ConnectArgs connect_args;
  CLI::App* connect_cmd = app.add_subcommand("connect", "Let a manual plug of an app take effect (root: system apps; a user: their own)");
  connect_cmd->add_option("APP", connect_args.app, "App name or policy file")->required();
  connect_cmd->add_option("PLUG", connect_args.plug, "The plug, optionally with the attributes you approve")
      ->required()->type_name("PLUG[:ATTR=VALUE,...]");
  connect_cmd->add_flag("--json", connect_args.json, "Say the outcome as one JSON line on stdout");
  footer(connect_cmd, {"cordon connect notes home:access=read-write", "cordon connect ./photo-import.yaml removable-media"},
         "0 connected (or nothing to do), 1 no such plug, other attributes, or not yours to connect, 125 cordon failed.");

  DisconnectArgs disconnect_args;
  CLI::App* disconnect_cmd = app.add_subcommand("disconnect", "Take back a manual connection");
  disconnect_cmd->add_option("APP", disconnect_args.app, "App name or policy file")->required();
  disconnect_cmd->add_option("PLUG", disconnect_args.plug, "The plug")->required();
  disconnect_cmd->add_flag("--json", disconnect_args.json, "Say the outcome as one JSON line on stdout");
  footer(disconnect_cmd, {"cordon disconnect notes home"}, "0 disconnected (or nothing to do), 1 not yours, 125 cordon failed.");

  ConnectionsArgs connections_args;
  CLI::App* connections_cmd = app.add_subcommand("connections", "Show an app's plugs and whether each is granted, or every connection");
  connections_cmd->add_option("APP", connections_args.app, "App name or policy file (default: every connection recorded)");
  connections_cmd->add_flag("--json", connections_args.json, "Print as JSON");
  footer(connections_cmd, {"cordon connections", "cordon connections notes --json"}, "0, 1 no such app, 125 cordon failed.");

  InterfacesArgs interfaces_args;
  CLI::App* interfaces_cmd = app.add_subcommand("interfaces", "List the interfaces an app can plug");
  interfaces_cmd->add_flag("--json", interfaces_args.json, "Print as JSON");
  interfaces_cmd->add_flag("--markdown", interfaces_args.markdown, "Print the catalogue's documentation (docs/interfaces.md)");
  footer(interfaces_cmd, {"cordon interfaces", "cordon interfaces --json"}, "0, 1 an interface file is invalid, 125 cordon failed.");

  std::string help_command;
  CLI::App* help_cmd = app.add_subcommand("help", "Show the help of cordon or of one command");
  help_cmd->add_option("COMMAND", help_command, "The command (default: an overview)");
  footer(help_cmd, {"cordon help run"}, "0, 125 no such command.");

  // CLI11 would only say "A subcommand is required"; name the word it did not know instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::cerr << "cordon: unknown command '" << argv[1] << "'" << cordon::policy::did_you_mean(argv[1], names)
                << "; commands: " << cordon::policy::join(names) << "\nTry 'cordon --help'.\n";
      return kExitCordon;
    }
  }
  // `run`: CLI11 sees only what comes up to APP; the rest goes to the app untouched.
  int cli_argc = argc;
  std::vector<std::string> app_args;
  if (argc > 1 && std::string(argv[1]) == "run") {
    const int app_at = app_position(*run_cmd, argc, argv);
    if (app_at < argc) {
      app_args = app_arguments(app_at, argc, argv);
      cli_argc = app_at + 1;
    }
  }
  try {
    app.parse(cli_argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const std::string sub = argc > 1 && argv[1][0] != '-' ? std::string(" ") + argv[1] : "";
    std::cerr << "cordon" << sub << ": " << e.what() << "\nTry 'cordon" << sub << " --help'.\n";
    return kExitCordon;
  }
  if (help_cmd->parsed()) return help(app, help_command);
  if (apps_cmd->parsed()) return apps(apps_args);
  if (forget_cmd->parsed()) return forget(forget_args);
  if (check_cmd->parsed()) return check(check_args);
  if (explain_cmd->parsed()) return explain(explain_args);
  if (compile_cmd->parsed()) return compile(compile_args);
  if (interfaces_cmd->parsed()) return interfaces(interfaces_args);
  if (connect_cmd->parsed()) return connect(connect_args);
  if (disconnect_cmd->parsed()) return disconnect(disconnect_args);
  if (connections_cmd->parsed()) return connections(connections_args);
  if (pack_cmd->parsed()) return pack(pack_args);
  if (install_cmd->parsed()) return install(install_args);
  if (list_cmd->parsed()) return list(list_args);
  if (revert_cmd->parsed()) return revert(revert_args);
  if (remove_cmd->parsed()) return remove(remove_args);
  if (refresh_cmd->parsed()) return refresh(refresh_args);
  if (publish_cmd->parsed()) return publish(publish_args);
  if (run_cmd->parsed()) {
    run_args.args = std::move(app_args);
    return api::run(run_args);  // the library's launch (cordon/cordon.h)
  }
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
