// Where installed packages live and what the store records of each app (DESIGN.md "Per-app state"):
// apps/NAME/REV (read-only payloads), apps/NAME/state.json (the one record that says which
// revision is current), snapshots/NAME/REV (the app's data as that revision left it), and
// data/NAME (the live $APP_DATA, which the launch prepares). Every change to state.json is
// write-new, fsync, rename, fsync the folder: a reader sees the old record or the new one.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"
#include "util/unique_fd.h"

namespace cordon::package {

// One account's store: root's is the system's, a user's is in their XDG data folder.
struct StoreLayout {
  uid_t owner = 0;
  std::string apps;       // .../cordon/apps
  std::string data;       // .../cordon/data: $APP_DATA of each app
  std::string snapshots;  // .../cordon/snapshots
  std::vector<std::string> key_dirs;  // trusted keys, searched in order
  std::string source_dir;  // update sources (docs/updates.md): /etc/cordon/sources, or the user's own
  std::string accepted;    // .../cordon/sources: the index serial accepted from each source
};

// Root: /var/lib/cordon, /etc/cordon/keys and /etc/cordon/sources. A user: $XDG_DATA_HOME/cordon
// (default ~/.local/share/cordon), trusting $XDG_CONFIG_HOME/cordon/keys and the system's
// /etc/cordon/keys, with update sources of their own in $XDG_CONFIG_HOME/cordon/sources.
StoreLayout store_layout(uid_t uid, const std::string& home, const std::string& xdg_data_home,
                         const std::string& xdg_config_home);

struct Revision {
  int number = 0;
  std::string version;
  std::string key;             // the signer's key id
  std::string package_sha256;  // of the package file it came from
  std::string installed;       // UTC, ISO 8601
};

// A lifecycle command that had begun and not finished when its process died: the next command
// on the app completes or undoes it (lifecycle.h settle).
struct Pending {
  std::string op;    // "install", "refresh", "switch-data", "remove"
  int from = 0;      // the revision left (0: none)
  int to = 0;        // the revision entered (0: none)
};

struct LastChange {
  std::string op;      // "install", "refresh", "revert", "remove"
  std::string result;  // "installed", "refreshed", "rolled-back", "reverted", "removed"
  int from = 0, to = 0;
  std::string reason;  // why a refresh rolled back
  std::string version; // a rollback: the version that failed (so a refresh does not retry it); else ""
};

struct AppState {
  std::string name;
  std::string key;         // the key the name is bound to: the first that installed it
  int current = 0;         // 0: removed (the record stays, binding the name to its key)
  int next_revision = 1;
  bool held = false;       // `cordon refresh --hold`
  std::vector<Revision> revisions;  // oldest first
  std::optional<Pending> pending;
  std::optional<LastChange> last;
  // The update source (its NAME) the app last came from by `cordon refresh`; "" until then. A
  // refresh takes the app from this source alone, so another source cannot offer it (docs/updates.md).
  std::string source;

  const Revision* revision(int number) const;
  const Revision* current_revision() const { return revision(current); }
};

std::string state_json(const AppState& state);
Result<AppState> parse_state(const std::string& text, const std::string& shown_path);

// The app's folder in the store, and its state record (nullopt: never installed here).
std::string app_dir(const StoreLayout& store, const std::string& name);
std::string revision_dir(const StoreLayout& store, const std::string& name, int revision);
std::string snapshot_dir(const StoreLayout& store, const std::string& name, int revision);
Result<std::optional<AppState>> read_state(const StoreLayout& store, const std::string& name);
// Atomically: write new, fsync, rename over state.json, fsync the folder.
Result<void> write_state(const StoreLayout& store, const AppState& state);

// The names with a state record, sorted.
std::vector<std::string> installed_names(const StoreLayout& store);

// The app's lifecycle lock (apps/NAME/lock, flock): lifecycle commands on one app take turns.
// `wait` false: nullopt when another process holds it. `create` (install): makes apps/NAME;
// else an app that has no folder is "not installed". A name that is not an app name is refused
// before any path is made of it.
Result<std::optional<UniqueFd>> lock_app(const StoreLayout& store, const std::string& name, bool wait, bool create);

// A running app's hold on its revision: a shared flock on the revision's folder, kept by the
// launcher for the whole run. A lifecycle command deletes a revision only when it can take the
// same lock exclusively (revision_in_use), so a running app keeps its files until it exits.
Result<UniqueFd> hold_revision(const std::string& revision_path);
bool revision_in_use(const std::string& revision_path);

// An app name: what a policy's `name:` may be (lowercase letters, digits and '-').
bool valid_app_name(const std::string& name);

}  // namespace cordon::package
