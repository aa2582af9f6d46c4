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
  bool quiet = false;             // report no denials
  bool json = false;              // report denials as JSON lines
};
int run(const RunArgs& args);

struct CompileArgs {
  std::vector<std::string> apps;  // names or files
};
int compile(const CompileArgs& args);

struct InterfacesArgs {
  bool json = false;
};
int interfaces(const InterfacesArgs& args);

}  // namespace cordon::launcher
