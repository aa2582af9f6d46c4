// An installed app's lifecycle: install and refresh (with a health check and automatic rollback),
// revert, remove, hold; and settle, which finishes or undoes what a killed command left. Every
// command runs under the app's lock and moves the store from one consistent state to the next:
// state.json names the current revision, and the data in data/NAME is always that revision's
// (docs/packaging.md "Crash safety" walks through each step).
//
// What needs more than the store (checking a policy, running the app confined) comes in as Hooks,
// so this layer depends on util alone; the launcher fills them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "package/store.h"
#include "package/version.h"
#include "util/result.h"

namespace cordon::package {

// What install needs to know of the package's policy after checking it.
struct PolicyFacts {
  std::string name;
  std::string version;
  bool health_check = false;  // it has one: without, nothing is run and the install stands
};

struct Hooks {
  // Checks the unpacked policy (`policy_path`, shown as `shown`) as `cordon check` does and prints
  // its diagnostics; an error when it is not valid. Also requires `version:`.
  std::function<Result<PolicyFacts>(const std::string& policy_path, const std::string& shown)> check_policy;
  // Runs the app's health check (of its current revision), confined. nullopt: it passed (or the
  // policy has none); else why it failed ("exit status 1", "timed out after 30 s").
  std::function<std::optional<std::string>(const std::string& name)> health_check;
  // Called after each named step (lifecycle_steps()): a test build may kill the process there.
  std::function<void(std::string_view step)> reached;
  // Binds the app's name (and its data) to the package's key, refusing a name another origin owns
  // (an ad-hoc policy file that ran under it); called under the app's lock, after the store's own
  // checks. May be empty.
  std::function<Result<void>(const std::string& name, const std::string& key_id)> claim_name;
  // One line of progress for a person ("refreshing hello 1.0 -> 1.1"); may be empty.
  std::function<void(const std::string& line)> say;
};

// The steps `reached` is called with, in the order a refresh that rolls back meets them
// (followed by those only revert and remove have).
const std::vector<std::string_view>& lifecycle_steps();

struct InstallOptions {
  std::string shown;  // the package as the user named it, for messages
  int keep = 2;       // revisions kept after a refresh (2..20): the current one and those before it
  std::string source;  // a refresh: the update source it came from, recorded once it commits
};

enum class Outcome { installed, refreshed, rolled_back, reverted, removed, unchanged };
const char* to_string(Outcome outcome);

struct Change {
  Outcome outcome = Outcome::unchanged;
  std::string name;
  std::string version;   // of the revision current afterwards ("" when none)
  int revision = 0;      // current afterwards (0: none)
  int previous = 0;      // current before
  std::string key;       // the signer's key id
  std::string reason;    // why a refresh rolled back
};

struct OpenedPackage;  // package/open.h: verified, not yet unpacked

// Installs `pkg` as a new revision of its app: the first one (install), or the next (refresh:
// data snapshot, switch, health check, rollback when it fails). Refuses another key than the one
// the name is bound to, and a version not above the current one.
Result<Change> install(const StoreLayout& store, const OpenedPackage& pkg, const InstallOptions& options,
                       const Hooks& hooks);

// To `revision` (0: the newest one before the current), with the data it had when it was left.
Result<Change> revert(const StoreLayout& store, const std::string& name, int revision, const Hooks& hooks);

// Removes every revision; the data goes to a snapshot (snapshots/NAME/REV), or with `purge`, away
// with everything else, including the name's binding to its key.
Result<Change> remove(const StoreLayout& store, const std::string& name, bool purge, const Hooks& hooks);

// `cordon refresh --hold/--unhold NAME`.
Result<void> set_held(const StoreLayout& store, const std::string& name, bool held);

// Finishes or undoes what a killed lifecycle command left of `name`, when no command is at work on
// it (else does nothing). true when there was a pending change. `thorough` also deletes what is
// only litter (hidden leftovers, revision folders no record names, once no run holds them); a
// launch settles only a pending change, which is one read of state.json when there is none.
Result<bool> settle(const StoreLayout& store, const std::string& name, const Hooks& hooks, bool thorough);

// The app's current revision folder, for a launch: settles first when it can.
struct InstalledApp {
  AppState state;
  std::string revision_dir;
};
Result<std::optional<InstalledApp>> find_installed(const StoreLayout& store, const std::string& name, const Hooks& hooks);

}  // namespace cordon::package
