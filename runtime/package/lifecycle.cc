#include "package/lifecycle.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>

#include "package/keys.h"
#include "package/open.h"
#include "package/tree_ops.h"
#include "package/unpack.h"
#include "util/dirs.h"
#include "util/unique_fd.h"

namespace cordon::package {

namespace {

// The step names, in the order a refresh that rolls back meets them; revert and remove reuse them.
const std::vector<std::string_view> kSteps{
    "unpack",        // the revision is unpacked in a hidden folder
    "check-policy",  // its policy is checked
    "place",         // the revision folder has its number (not yet in state.json)
    "snapshot",      // the current data is copied to snapshots/NAME/REV
    "switch",        // state.json names the new revision, its change pending
    "health-check",  // the health check ran (its verdict not yet acted on)
    "commit",        // state.json: the change is done
    "prune",         // revisions beyond --keep are deleted
    "switch-back",   // state.json names the old revision again, its data not yet restored
    "restore-data",  // data/NAME holds the old revision's snapshot
    "rolled-back",   // state.json: the rollback is done
    "remove-begin",  // state.json: the removal is pending
};

void reached(const Hooks& hooks, std::string_view step) {
  if (hooks.reached) hooks.reached(step);
}

void say(const Hooks& hooks, const std::string& line) {
  if (hooks.say) hooks.say(line);
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm {};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string data_dir(const StoreLayout& store, const std::string& name) { return store.data + "/" + name; }

// ---- data: the live $APP_DATA against the per-revision snapshots ----------------------------------

// snapshots/NAME/REV := a copy of data/NAME (or nothing, when the app has no data yet): made
// beside it under a hidden name and swapped in whole.
// What a copy left out, said once (the app's unreadable or too-deep entries: see CopyStats).
void say_skipped(const Hooks& hooks, const std::string& name, const std::string& what, const CopyStats& stats) {
  if (stats.skipped == 0) return;
  std::string line = "cordon: " + name + ": " + what + " left out " + std::to_string(stats.skipped) + " entries";
  for (const std::string& note : stats.notes) line += "\n  " + note;
  say(hooks, line);
}

Result<void> snapshot_data(const StoreLayout& store, const std::string& name, int revision, const Hooks& hooks) {
  const std::string snap = snapshot_dir(store, name, revision), live = data_dir(store, name);
  const std::string parent = store.snapshots + "/" + name;
  CORDON_TRY(make_dirs("package", parent, 0700));
  if (!exists(live)) return remove_tree(snap);  // restoring "no data" is removing it
  const std::string fresh = parent + "/" + hidden_name("new", std::to_string(revision));
  auto copied = copy_tree(live, fresh);
  if (!copied) return copied.error();
  say_skipped(hooks, name, "the snapshot of its data", *copied);
  if (exists(snap)) {
    CORDON_TRY(exchange(fresh, snap));
    return remove_tree(fresh);  // now the older snapshot
  }
  return rename_synced(fresh, snap);
}

// data/NAME := a copy of snapshots/NAME/REV, swapped in whole: at every instant data/NAME is the
// old data or the restored data, never a mix or nothing.
Result<void> restore_data(const StoreLayout& store, const std::string& name, int revision, const Hooks& hooks) {
  const std::string snap = snapshot_dir(store, name, revision), live = data_dir(store, name);
  if (!exists(snap)) return remove_tree(live);
  CORDON_TRY(make_dirs("package", store.data, 0700));
  const std::string fresh = store.data + "/" + hidden_name("new", name);
  auto copied = copy_tree(snap, fresh);
  if (!copied) return copied.error();
  say_skipped(hooks, name, "restoring its data", *copied);
  if (!exists(live)) return rename_synced(fresh, live);
  CORDON_TRY(exchange(fresh, live));
  return remove_tree(fresh);  // the data of the revision left
}

// ---- revisions ----------------------------------------------------------------------------------

// A revision folder no longer named in state.json goes, unless a running app holds it: then the
// next settle takes it (lifecycle.h: a running app keeps its files until it exits).
Result<void> delete_revision(const StoreLayout& store, const std::string& name, int revision) {
  const std::string dir = revision_dir(store, name, revision);
  if (revision_in_use(dir)) return {};
  return remove_tree(dir);
}

// The revision folders in apps/NAME, whether state.json names them or not.
std::vector<int> numbered_folders(const std::string& dir) {
  std::vector<int> found;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return found;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (!name.empty() && name.size() < 9 && name.find_first_not_of("0123456789") == std::string::npos && name[0] != '0')
      found.push_back(std::stoi(name));
  }
  ::closedir(d);
  return found;
}

// Numbered folders in apps/NAME that state.json does not name (a killed install's, a revision
// removed while it ran), and the snapshots of revisions no longer kept.
Result<void> collect_garbage(const StoreLayout& store, const AppState& state) {
  const std::string dir = app_dir(store, state.name);
  CORDON_TRY(remove_leftovers(dir, "*"));
  CORDON_TRY(remove_leftovers(store.snapshots + "/" + state.name, "*"));
  CORDON_TRY(remove_leftovers(store.data, state.name));
  for (int n : numbered_folders(dir))
    if (!state.revision(n)) CORDON_TRY(delete_revision(store, state.name, n));
  return {};
}

// Keeps the current revision, `also` (the one a refresh came from) and the newest others up to
// `keep`; deletes the rest and their snapshots.
Result<void> prune(const StoreLayout& store, AppState& state, int keep, int also) {
  std::set<int> kept{state.current};
  if (also) kept.insert(also);
  for (auto it = state.revisions.rbegin(); it != state.revisions.rend() && static_cast<int>(kept.size()) < keep; ++it)
    kept.insert(it->number);
  std::vector<int> dropped;
  for (const Revision& r : state.revisions)
    if (!kept.count(r.number)) dropped.push_back(r.number);
  if (dropped.empty()) return {};
  std::erase_if(state.revisions, [&](const Revision& r) { return !kept.count(r.number); });
  CORDON_TRY(write_state(store, state));
  for (int n : dropped) {
    CORDON_TRY(delete_revision(store, state.name, n));
    CORDON_TRY(remove_tree(snapshot_dir(store, state.name, n)));
  }
  return {};
}

// ---- the moves ----------------------------------------------------------------------------------

// From revision `to` (just switched to, health unverified) back to `from`, code and data.
Result<void> roll_back(const StoreLayout& store, AppState& state, const std::string& reason, const Hooks& hooks) {
  const int from = state.pending ? state.pending->from : 0, to = state.pending ? state.pending->to : state.current;
  const Revision* failed = state.revision(to);
  const std::string failed_version = failed ? failed->version : "";
  if (from == 0) {  // a first install: back to nothing
    std::erase_if(state.revisions, [&](const Revision& r) { return r.number == to; });
    state.current = 0;
    state.pending.reset();
    state.last = LastChange{"install", "rolled-back", 0, to, reason, failed_version};
    CORDON_TRY(write_state(store, state));
    reached(hooks, "rolled-back");
    CORDON_TRY(remove_tree(data_dir(store, state.name)));  // what its health check wrote
    return delete_revision(store, state.name, to);
  }
  state.current = from;
  std::erase_if(state.revisions, [&](const Revision& r) { return r.number == to; });
  state.pending = Pending{"switch-data", to, from};
  CORDON_TRY(write_state(store, state));
  reached(hooks, "switch-back");
  CORDON_TRY(restore_data(store, state.name, from, hooks));
  reached(hooks, "restore-data");
  state.pending.reset();
  state.last = LastChange{"refresh", "rolled-back", from, to, reason, failed_version};
  CORDON_TRY(write_state(store, state));
  reached(hooks, "rolled-back");
  return delete_revision(store, state.name, to);
}

// The app's data is made that of the current revision (a revert or rollback that was cut short).
Result<void> finish_data_switch(const StoreLayout& store, AppState& state, const Hooks& hooks) {
  CORDON_TRY(restore_data(store, state.name, state.current, hooks));
  reached(hooks, "restore-data");
  state.pending.reset();
  CORDON_TRY(write_state(store, state));
  reached(hooks, "commit");
  return {};
}

Result<void> finish_remove(const StoreLayout& store, AppState& state, bool purge, const Hooks& hooks) {
  const int current = state.pending ? state.pending->from : state.current;
  const std::string live = data_dir(store, state.name);
  if (purge) {
    CORDON_TRY(remove_tree(live));
  } else if (exists(live)) {
    // Moved, not copied: a running app's $APP_DATA follows it, so what it writes until it exits
    // lands in the snapshot too.
    CORDON_TRY(make_dirs("package", store.snapshots + "/" + state.name, 0700));
    CORDON_TRY(remove_tree(snapshot_dir(store, state.name, current)));
    CORDON_TRY(rename_synced(live, snapshot_dir(store, state.name, current)));
  }
  reached(hooks, "snapshot");
  const std::vector<Revision> gone = state.revisions;
  state.revisions.clear();
  state.current = 0;
  state.pending.reset();
  state.last = LastChange{"remove", "removed", current, 0, "", ""};
  CORDON_TRY(write_state(store, state));
  reached(hooks, "commit");
  for (const Revision& r : gone) {
    CORDON_TRY(delete_revision(store, state.name, r.number));
    if (r.number != current || purge) CORDON_TRY(remove_tree(snapshot_dir(store, state.name, r.number)));
  }
  reached(hooks, "prune");
  return {};
}

Result<bool> settle_locked(const StoreLayout& store, AppState& state, const Hooks& hooks) {
  const bool had_pending = state.pending.has_value();
  if (had_pending) {
    const std::string op = state.pending->op;
    say(hooks, "cordon: " + state.name + ": finishing an interrupted " + op);
    if (op == "install" || op == "refresh") CORDON_TRY(roll_back(store, state, "it was interrupted before its health check passed", hooks));
    else if (op == "switch-data") CORDON_TRY(finish_data_switch(store, state, hooks));
    else if (op == "remove") CORDON_TRY(finish_remove(store, state, false, hooks));
    else return fail("package", "settle " + state.name + ": unknown pending change '" + op + "'");
  }
  CORDON_TRY(collect_garbage(store, state));
  return had_pending;
}


Result<UniqueFd> lock_or_fail(const StoreLayout& store, const std::string& name, bool create) {
  auto lock = lock_app(store, name, true, create);
  if (!lock) return lock.error();
  return std::move(**lock);
}

Result<AppState> installed_state(const StoreLayout& store, const std::string& name) {
  auto state = read_state(store, name);
  if (!state) return state.error();
  if (!*state || (*state)->current == 0)
    return fail("package", "find " + name + ": no app of that name is installed (`cordon list` shows those that are)");
  return std::move(**state);
}

// Unpacks into a hidden folder of apps/NAME, checks the policy, and gives the folder its number.
Result<PolicyFacts> place_revision(const StoreLayout& store, const OpenedPackage& pkg, const InstallOptions& options,
                                   int number, const Hooks& hooks) {
  const std::string& name = pkg.manifest.name;
  const std::string staged = app_dir(store, name) + "/" + hidden_name("new", std::to_string(number));
  if (::mkdir(staged.c_str(), 0755) != 0) return sys_fail("package", "mkdir " + staged);
  UniqueFd dir(::open(staged.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid()) return sys_fail("package", "open " + staged);
  auto undo = [&](Error e) -> Result<PolicyFacts> {
    (void)remove_tree(staged);
    return e;
  };
  if (auto unpacked = unpack(pkg, dir.get(), staged); !unpacked) return undo(unpacked.error());
  reached(hooks, "unpack");
  auto facts = hooks.check_policy(staged + "/policy.yaml", options.shown + "/policy.yaml");
  if (!facts) return undo(facts.error());
  if (facts->name != name || facts->version != pkg.manifest.version)
    return undo(fail("package", "install " + options.shown + ": its manifest says " + name + " " + pkg.manifest.version +
                                    " but its policy says " + facts->name + " " + facts->version));
  reached(hooks, "check-policy");
  if (::fchmod(dir.get(), 0555) != 0 || ::fsync(dir.get()) != 0) return undo(sys_fail("package", "chmod 0555 " + staged));
  if (auto placed = rename_synced(staged, revision_dir(store, name, number)); !placed) return undo(placed.error());
  reached(hooks, "place");
  return std::move(*facts);
}

Result<void> refuse_unacceptable(const std::optional<AppState>& state, const OpenedPackage& pkg, const InstallOptions& options) {
  if (!state) return {};
  const std::string& name = pkg.manifest.name;
  if (state->key != pkg.key.id)
    return fail("package", "install " + options.shown + ": the name '" + name + "' belongs to key " + short_id(state->key) +
                               ", and this package is signed by key " + short_id(pkg.key.id) +
                               "; only the key that first installed an app may update it (`cordon remove --purge " + name +
                               "` frees the name, and deletes its data)");
  if (const Revision* current = state->current_revision(); current && !version_newer(pkg.manifest.version, current->version))
    return fail("package", "install " + options.shown + ": " + name + " " + pkg.manifest.version +
                               " is not newer than the installed " + current->version +
                               "; to go back to an earlier revision, use `cordon revert " + name + "`");
  return {};
}

}  // namespace

const std::vector<std::string_view>& lifecycle_steps() { return kSteps; }

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::installed: return "installed";
    case Outcome::refreshed: return "refreshed";
    case Outcome::rolled_back: return "rolled-back";
    case Outcome::reverted: return "reverted";
    case Outcome::removed: return "removed";
    case Outcome::unchanged: return "unchanged";
  }
  return "unchanged";
}

Result<Change> install(const StoreLayout& store, const OpenedPackage& pkg, const InstallOptions& options, const Hooks& hooks) {
  const std::string& name = pkg.manifest.name;
  if (!valid_app_name(name)) return fail("package", "install " + options.shown + ": '" + name + "' is not an app name");
  if (options.keep < 2 || options.keep > 20) return fail("package", "install: --keep must be between 2 and 20");
  auto lock = lock_or_fail(store, name, true);
  if (!lock) return lock.error();
  auto read = read_state(store, name);
  if (!read) return read.error();
  std::optional<AppState> state = std::move(*read);
  if (state) CORDON_TRY(settle_locked(store, *state, hooks));
  else CORDON_TRY(collect_garbage(store, AppState{name, "", 0, 1, false, {}, {}, {}, ""}));  // a killed first install's
  CORDON_TRY(refuse_unacceptable(state, pkg, options));
  if (hooks.claim_name) CORDON_TRY(hooks.claim_name(name, pkg.key.id));

  AppState next;
  if (state) next = *state;
  next.name = name;
  if (!state) next.key = pkg.key.id;
  const int from = next.current, number = next.next_revision;
  next.next_revision = number + 1;
  auto facts = place_revision(store, pkg, options, number, hooks);
  if (!facts) return facts.error();
  if (from) {
    say(hooks, "cordon: " + name + ": refreshing " + next.current_revision()->version + " -> " + pkg.manifest.version);
    CORDON_TRY(snapshot_data(store, name, from, hooks));
  }
  reached(hooks, "snapshot");
  next.revisions.push_back(Revision{number, pkg.manifest.version, pkg.key.id, pkg.sha256, now_utc()});
  next.current = number;
  next.pending = Pending{from ? "refresh" : "install", from, number};
  CORDON_TRY(write_state(store, next));
  reached(hooks, "switch");

  // The first revision is checked too: a package that cannot pass its own check is not installed.
  const auto failure = hooks.health_check && facts->health_check ? hooks.health_check(name) : std::nullopt;
  reached(hooks, "health-check");
  Change change{Outcome::installed, name, pkg.manifest.version, number, from, pkg.key.id, ""};
  if (failure) {
    CORDON_TRY(roll_back(store, next, "its health check failed: " + *failure, hooks));
    change.outcome = Outcome::rolled_back;
    change.revision = next.current;
    change.version = next.current_revision() ? next.current_revision()->version : "";
    change.reason = *failure;
    return change;
  }
  next.pending.reset();
  next.last = LastChange{from ? "refresh" : "install", from ? "refreshed" : "installed", from, number, "", ""};
  if (!options.source.empty()) next.source = options.source;  // a rolled-back offer binds nothing
  CORDON_TRY(write_state(store, next));
  reached(hooks, "commit");
  CORDON_TRY(prune(store, next, options.keep, from));
  reached(hooks, "prune");
  if (from) change.outcome = Outcome::refreshed;
  return change;
}

Result<Change> revert(const StoreLayout& store, const std::string& name, int revision, const Hooks& hooks) {
  auto lock = lock_or_fail(store, name, false);
  if (!lock) return lock.error();
  auto state = installed_state(store, name);
  if (!state) return state.error();
  CORDON_TRY(settle_locked(store, *state, hooks));
  const int from = state->current;
  const Revision* target = nullptr;
  for (const Revision& r : state->revisions)
    if (revision ? r.number == revision : r.number < from) target = &r;
  std::string kept;
  for (const Revision& r : state->revisions) kept += (kept.empty() ? "" : ", ") + std::to_string(r.number) + " (" + r.version + ")";
  if (revision == from) return fail("package", "revert " + name + ": revision " + std::to_string(from) + " is the current one");
  if (!target && revision)
    return fail("package", "revert " + name + ": no revision " + std::to_string(revision) + " is installed; installed: " + kept);
  if (!target)
    return fail("package", "revert " + name + ": no revision before the current one (" + std::to_string(from) +
                               ") is installed; installed: " + kept + " (`cordon revert " + name + " --revision N` goes to any)");
  const int to = target->number;
  const std::string version = target->version;
  CORDON_TRY(snapshot_data(store, name, from, hooks));
  reached(hooks, "snapshot");
  state->current = to;
  state->pending = Pending{"switch-data", from, to};
  CORDON_TRY(write_state(store, *state));
  reached(hooks, "switch");
  CORDON_TRY(restore_data(store, name, to, hooks));
  reached(hooks, "restore-data");
  state->pending.reset();
  state->last = LastChange{"revert", "reverted", from, to, "", ""};
  CORDON_TRY(write_state(store, *state));
  reached(hooks, "commit");
  return Change{Outcome::reverted, name, version, to, from, state->key, ""};
}

Result<Change> remove(const StoreLayout& store, const std::string& name, bool purge, const Hooks& hooks) {
  auto lock = lock_or_fail(store, name, false);
  if (!lock) return lock.error();
  auto read = read_state(store, name);
  if (!read) return read.error();
  if (!*read) return fail("package", "remove " + name + ": no app of that name is installed (`cordon list` shows those that are)");
  AppState state = std::move(**read);
  CORDON_TRY(settle_locked(store, state, hooks));
  if (state.current == 0 && !purge) return fail("package", "remove " + name + ": it is already removed (--purge forgets it)");
  const int from = state.current;
  state.pending = Pending{"remove", from, 0};
  CORDON_TRY(write_state(store, state));
  reached(hooks, "remove-begin");
  CORDON_TRY(finish_remove(store, state, purge, hooks));
  if (purge) {
    CORDON_TRY(remove_tree(store.snapshots + "/" + name));
    // The record last: a purge killed before this point is finished by the next `remove --purge`.
    CORDON_TRY(remove_tree(app_dir(store, name)));
  }
  return Change{Outcome::removed, name, "", 0, from, state.key, ""};
}

Result<void> set_held(const StoreLayout& store, const std::string& name, bool held) {
  auto lock = lock_or_fail(store, name, false);
  if (!lock) return lock.error();
  auto state = installed_state(store, name);
  if (!state) return state.error();
  state->held = held;
  return write_state(store, *state);
}

Result<bool> settle(const StoreLayout& store, const std::string& name, const Hooks& hooks, bool thorough) {
  auto state = read_state(store, name);
  if (!state) return state.error();
  if (!*state || (!(*state)->pending && !thorough)) return false;
  auto lock = lock_app(store, name, false, false);
  if (!lock) return lock.error();
  if (!*lock) return false;  // a command is at work on it: it is not interrupted
  auto fresh = read_state(store, name);  // as it is now that we hold the lock
  if (!fresh) return fresh.error();
  if (!*fresh) return false;
  return settle_locked(store, **fresh, hooks);
}

Result<std::optional<InstalledApp>> find_installed(const StoreLayout& store, const std::string& name, const Hooks& hooks) {
  if (!valid_app_name(name)) return std::optional<InstalledApp>{};
  auto state = read_state(store, name);
  if (!state) return state.error();
  // A change a killed command left is settled first (another account's store is not ours to mend).
  if (*state && (*state)->pending && store.owner == ::geteuid()) {
    CORDON_TRY(settle(store, name, hooks, false));
    state = read_state(store, name);
    if (!state) return state.error();
  }
  if (!*state || (*state)->current == 0) return std::optional<InstalledApp>{};
  InstalledApp app{std::move(**state), ""};
  app.revision_dir = revision_dir(store, name, app.state.current);
  return std::optional<InstalledApp>{std::move(app)};
}

}  // namespace cordon::package
