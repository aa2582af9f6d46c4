// What `cordon run` says about calls the seccomp filter handed to it: one line per distinct
// denial on stderr ("cordon: fetch-url: denied socket(AF_INET, …) — the network plug would allow
// it"), or one JSON object per line with `--json`; nothing with `--quiet`. In complain mode the
// same calls are let through and collected for `--suggest`, with the files outside the Plan the app
// used (learned_files.h). docs/seccomp.md.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "app/grants.h"
#include "launcher/learned_files.h"
#include "launcher/learned_network.h"
#include "launcher/status_fd.h"
#include "plan/plan.h"
#include "policy/search.h"
#include "sandbox/denials.h"

namespace cordon::launcher {

struct ReportOptions {
  bool quiet = false;
  bool json = false;
};

class DenialReport final : public sandbox::DenialSink {
 public:
  // `plan` (its allowlist and its explicit seccomp.deny names) must outlive the report; nothing is
  // read from it before a first denial.
  DenialReport(const plan::Plan& plan, policy::SearchPaths paths, ReportOptions options);
  void denied(const sandbox::Denial& d) override;
  bool may_let_through(const sandbox::Denial& d) override;
  void no_listener() override;
  bool plan_allows(const std::string& syscall) override;
  void path_used(const sandbox::PathUse& use) override;
  void address_used(const sandbox::AddressUse& use) override;

  // `--status-fd`: each denial as a JSON line there too; with --json, only there (the app's stderr
  // is not cordon's channel then).
  void report_to(StatusChannel* status) { status_ = status; }
  // Learn mode's host view refuses Unix sockets (learn_view.h): its denial says why.
  void unix_sockets_refused_for_the_view() { unix_refused_for_view_ = true; }
  // Learn mode notes the files and the network the app used here (null: they are not noted).
  void learn_into(LearnedFiles* files, LearnedNetwork* network) {
    learned_ = files;
    learned_network_ = network;
  }

  // The smallest policy additions that would have made the run need no complaint.
  policy::Amendment amendment();

 private:
  struct Hint {
    std::string text;                 // "the network plug would allow it"
    std::vector<std::string> plugs;   // that would grant it
    bool allow_by_name = false;       // `seccomp.allow` could name it
    bool grantable() const { return !plugs.empty() || allow_by_name; }
  };
  Hint hint_for(const std::string& syscall, const std::string& family);
  void print(const sandbox::Denial& d, const std::string& family, const Hint& h) const;

  std::string app_;
  policy::SearchPaths paths_;
  ReportOptions options_;
  const plan::Plan& plan_;
  std::unique_ptr<app::GrantIndex> grants_;  // built at the first denial (it parses YAML)
  std::set<std::string> seen_;
  int shown_ = 0;
  std::map<std::string, std::string> plugs_;  // plug -> the first call it would have allowed
  std::set<std::string> allow_, unfixable_;
  LearnedFiles* learned_ = nullptr;
  LearnedNetwork* learned_network_ = nullptr;
  bool unix_refused_for_view_ = false;
  StatusChannel* status_ = nullptr;
};

}  // namespace cordon::launcher
