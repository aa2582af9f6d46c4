// What the lifecycle commands share (install, list, revert, remove, refresh): installing one
// package file through the lifecycle, and printing an outcome for people or as JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/exit_codes.h"
#include "package/lifecycle.h"
#include "package/store.h"
#include "util/result.h"

namespace cordon::launcher {

struct InstallSettings {
  std::string command;        // how messages start: "cordon install", "cordon refresh"
  int keep = 2;               // revisions kept after a refresh
  double health_timeout = 30; // seconds
  // A refresh from an index: the package must be the app and version the index offered (else a
  // validly signed package of another app, or an older one, could stand in for it).
  std::string expected_name, expected_version;
  std::string source;  // the update source's name, recorded in the app's state once it commits
};

struct InstallAttempt {
  int exit = kExitCordon;                 // 0 done, 1 refused, 3 rolled back, 125 failed
  std::optional<package::Change> change;  // when it got as far as a change
  std::string error;                      // why not (already printed on stderr)
};

// `cordon install PATH`, shown in messages as `shown`: the trusted keys, the verified package,
// the name's owner, then the lifecycle (health check, rollback). Prints errors on stderr.
InstallAttempt install_from(const std::string& path, const std::string& shown, const InstallSettings& settings);

nlohmann::ordered_json change_json(const package::Change& c);
void print_change(const package::Change& c, bool as_json);
// "cordon COMMAND: cannot ..." on stderr; the exit status for cordon's own failure.
int cordon_failed(const std::string& command, const Error& e);
// A table with each column as wide as its widest cell, two spaces apart.
void print_columns(const std::vector<std::vector<std::string>>& rows);

// The invoker's store, its apps folder made when missing.
Result<package::StoreLayout> prepared_store();
// Test builds: prints and returns true when CORDON_KILL_AT names no lifecycle step.
bool refuse_unknown_kill_point();

}  // namespace cordon::launcher
