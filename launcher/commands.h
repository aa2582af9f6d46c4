// The subcommands. Each returns cordon's exit code; none holds sandbox logic.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cordon/cordon.h"
#include "launcher/installed.h"
#include "plan/plan.h"
#include "policy/diagnostics.h"

namespace cordon::launcher {

struct CheckArgs {
  std::vector<std::string> files;
  bool json = false;
};
int check(const CheckArgs& args);

// What `check` reads and finds, for the library (api.cc) and the command.
void check_files(const std::vector<std::string>& files, policy::Diagnostics& diags, policy::SourceTexts& sources);

struct ExplainArgs {
  std::string app;  // name or file
  bool json = false;
  bool bpf = false;  // print the compiled seccomp programs, disassembled
};
int explain(const ExplainArgs& args);

// What `explain APP` shows: an installed app's current revision, or the app of that name or file.
struct ExplainSubject {
  std::optional<InstalledLaunch> installed;
  std::optional<plan::Plan> plan;  // none: diagnostics say why, or `error` does
  std::string error;               // the installed app could not be looked at
};
ExplainSubject explain_subject(const std::string& app, policy::Diagnostics& diags, policy::SourceTexts& sources);

// `cordon run`'s options are the library's (include/cordon/cordon.h), so that the command line and
// a packaging tool launch the same way.
using RunArgs = api::LaunchOptions;
int run(const RunArgs& args);

struct ConnectArgs {
  std::string app;   // name or file
  std::string plug;  // PLUG or PLUG:ATTR=VALUE[,ATTR=VALUE]
  bool json = false;  // the outcome as one JSON line (docs/json.md "Outcomes")
};
int connect(const ConnectArgs& args);

struct DisconnectArgs {
  std::string app;
  std::string plug;
  bool json = false;
};
int disconnect(const DisconnectArgs& args);

struct ConnectionsArgs {
  std::string app;  // "": every connection recorded
  bool json = false;
};
int connections(const ConnectionsArgs& args);

struct PackArgs {
  std::string dir;  // holds policy.yaml and the payload
  std::string key;  // Ed25519 private key, PEM
  std::string out;  // never overwritten
  bool json = false;  // the outcome as one JSON line (docs/json.md "Outcomes")
};
int pack(const PackArgs& args);

struct InstallArgs {
  std::string package;          // a file, or - for standard input
  bool json = false;
  int keep = 2;                 // revisions kept after a refresh
  double health_timeout = 30;   // seconds the health check may take
};
int install(const InstallArgs& args);

struct ListArgs {
  bool json = false;
};
int list(const ListArgs& args);

struct AppsArgs {
  bool json = false;
};
int apps(const AppsArgs& args);

struct ForgetArgs {
  std::string app;
  bool yes = false;  // delete without asking (scripts)
  bool json = false;
};
int forget(const ForgetArgs& args);

struct RevertArgs {
  std::string app;
  int revision = 0;  // 0: the newest before the current one
  bool json = false;
};
int revert(const RevertArgs& args);

struct RemoveArgs {
  std::string app;
  bool purge = false;  // the data and the name's binding to its key go too
  bool json = false;
};
int remove(const RemoveArgs& args);

struct RefreshArgs {
  std::vector<std::string> apps;  // none: every installed app
  bool hold = false, unhold = false;  // with exactly one app: hold or release it, nothing else
  bool list = false;                  // say what would change, change nothing
  bool json = false;
  int keep = 2;
  double health_timeout = 30;
};
int refresh(const RefreshArgs& args);

struct PublishArgs {
  std::string repo;                   // the repository folder, served as static files
  std::vector<std::string> packages;  // none: re-sign the index with a new serial and expiry
  std::string key;                    // the index key (Ed25519, PEM)
  std::string valid_for = "7d";       // how long the index stays valid
  bool json = false;
};
int publish(const PublishArgs& args);

struct CompileArgs {
  std::vector<std::string> apps;  // names or files
  bool json = false;              // one JSON line per app compiled
};
int compile(const CompileArgs& args);

struct InterfacesArgs {
  bool json = false;
  bool markdown = false;  // docs/interfaces.md, made from the files
};
int interfaces(const InterfacesArgs& args);

}  // namespace cordon::launcher
