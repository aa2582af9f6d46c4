// The subcommands. Each returns cordon's exit code; none holds sandbox logic.
#pragma once

#include <string>
#include <vector>

namespace cordon::launcher {

struct CheckArgs {
  std::vector<std::string> files;
  bool json = false;
};
int check(const CheckArgs& args);

struct ExplainArgs {
  std::string app;  // name or file
  bool json = false;
  bool bpf = false;  // print the compiled seccomp programs, disassembled
};
int explain(const ExplainArgs& args);

struct RunArgs {
  std::string app;                // name or file
  std::vector<std::string> args;  // after `--`, appended to the policy's command
  bool timing = false;
  std::string user;               // root only: run the app as this user (name or uid)
  bool complain = false;          // let the syscalls the policy lacks through, and report them
  std::string suggest;            // with complain: write the needed policy additions here
  bool no_host_view = false;      // with complain: the app sees its Plan only (learn_view.h)
  bool quiet = false;             // report no denials
  bool json = false;              // report denials as JSON lines
  bool health_check = false;      // run the policy's health-check instead of its command
  int status_fd = -1;             // JSON lines for a supervisor (status_fd.h); -1: none
};
int run(const RunArgs& args);

struct ConnectArgs {
  std::string app;   // name or file
  std::string plug;  // PLUG or PLUG:ATTR=VALUE[,ATTR=VALUE]
};
int connect(const ConnectArgs& args);

struct DisconnectArgs {
  std::string app;
  std::string plug;
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
};
int compile(const CompileArgs& args);

struct InterfacesArgs {
  bool json = false;
  bool markdown = false;  // docs/interfaces.md, made from the files
};
int interfaces(const InterfacesArgs& args);

}  // namespace cordon::launcher
