#include "launcher/learned_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <set>

#include "sandbox/expand.h"
#include "util/path_within.h"
#include "util/strings.h"

namespace cordon::launcher {

namespace {

// An app naming ever new paths must not grow the launcher's memory (it sits outside the limits).
constexpr std::size_t kMaxNoted = 512;

// The nodes of the minimal /dev every sandbox has; anything else under /dev was not there.
const std::set<std::string>& minimal_dev() {
  static const std::set<std::string> nodes = {"/dev",         "/dev/null",   "/dev/zero",   "/dev/full",
                                              "/dev/random",  "/dev/urandom", "/dev/tty",   "/dev/ptmx",
                                              "/dev/console", "/dev/fd",     "/dev/stdin",  "/dev/stdout",
                                              "/dev/stderr",  "/dev/core"};
  return nodes;
}

std::optional<std::string> resolved_on_host(const std::string& path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return std::nullopt;
  return std::string(buf);
}

std::string folder_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// Where a write is the Plan's to allow or refuse: its writable binds and tmpfs, and /proc (what is
// read-only there is the kernel's, not a grant's).
bool writable(plan::MountKind k) {
  return k == plan::MountKind::bind_rw || k == plan::MountKind::tmpfs || k == plan::MountKind::proc;
}

bool home_is_app_data(const plan::Plan& plan) {
  return std::any_of(plan.environment.begin(), plan.environment.end(),
                     [](const plan::EnvEntry& e) { return e.name == "HOME" && e.value == "$APP_DATA"; });
}

}  // namespace

LearnedFiles::LearnedFiles(const plan::Plan& plan, const plan::Plan& view, const sandbox::LaunchContext& ctx,
                           const std::string& app_data)
    : home_(ctx.home), home_is_app_data_(home_is_app_data(plan)), ctx_(ctx), app_data_(app_data) {
  // A variable this launch has no value for leaves its mount out: the sandbox skips it too.
  for (const plan::Mount& m : plan.mounts)
    if (m.kind != plan::MountKind::root_tmpfs && m.kind != plan::MountKind::hide && m.kind != plan::MountKind::dev)
      if (auto path = sandbox::expand_variables(m.path, ctx, app_data, true)) shown_.push_back({*path, writable(m.kind)});
  for (const plan::Mount& m : view.mounts) {
    const bool bind = m.kind == plan::MountKind::bind_ro || m.kind == plan::MountKind::bind_rw;
    if (m.kind != plan::MountKind::hide && !bind) continue;
    if (auto path = sandbox::expand_variables(m.path, ctx, app_data, true)) (bind ? viewed_ : hidden_).push_back(*path);
  }
  for (const plan::Device& d : plan.devices)
    if (auto path = sandbox::expand_variables(d.path, ctx, app_data, true)) shown_.push_back({*path, true});
  if (!plan.app.empty()) shown_.push_back({sandbox::kAppRootInside, false});
}

// Inside the Plan's own mounts with the access the use needs (the deepest mount decides: a write
// below a read-only grant is not shown), or, to look or read, a directory the sandbox makes to hold
// them ("/", "/var") — except the user's home and what is in it: the sandbox makes the folders on
// the way to $APP_DATA there, but a listing of the home is the home's (`ls ~` needs the home plug).
bool LearnedFiles::shown_by_plan(const std::string& path, bool write) const {
  const Shown* deepest = nullptr;
  for (const Shown& s : shown_)
    if (path_within(path, s.path) && (!deepest || s.path.size() > deepest->path.size())) deepest = &s;
  if (deepest) return !write || deepest->writable;
  if (path_within(path, "/dev"))
    return minimal_dev().count(path) || path_within(path, "/dev/pts") || path_within(path, "/dev/shm") || path_within(path, "/dev/fd");
  const bool in_home = !home_.empty() && home_ != "/" && path_within(path, home_);
  return !write && !in_home &&
         std::any_of(shown_.begin(), shown_.end(), [&](const Shown& s) { return path_within(s.path, path); });
}

void LearnedFiles::note(const sandbox::PathUse& use) {
  if (home_is_app_data_ && !use.write && use.path != app_data_ && path_within(use.path, app_data_) &&
      sought_in_home_.size() < kMaxNoted)
    sought_in_home_.emplace(use.path.substr(app_data_.size()), true);
  if (shown_by_plan(use.path, use.write)) return;
  auto it = used_.find(use.path);
  if (it == used_.end()) {
    if (used_.size() >= kMaxNoted) return;
    it = used_.emplace(use.path, Use{}).first;
  }
  it->second.write = it->second.write || use.write;
  it->second.opened = it->second.opened || !use.looks;
}

bool LearnedFiles::in_view(const std::string& path) const {
  return std::any_of(viewed_.begin(), viewed_.end(), [&](const std::string& v) { return path_within(path, v); });
}

bool LearnedFiles::hidden(const std::string& path) const {
  return std::any_of(hidden_.begin(), hidden_.end(), [&](const std::string& h) { return path_within(path, h); });
}

// A person's home or cordon's state reached by a path other than the home's own (a bind of it
// under /mnt, /var/home/NAME): the launch hid it, and no suggestion may name it. By the identities
// of the path's folders, as the launch decides (personal_paths.h).
std::optional<std::string> LearnedFiles::protected_by_another_path(const std::string& path,
                                                                    const sandbox::PersonalFacts& facts) const {
  if (!home_.empty() && home_ != "/" && path_within(path, home_)) return std::nullopt;  // the home's own rules
  return sandbox::personal_problem(sandbox::resolve_on_host(path), facts);
}

sandbox::PersonalFacts LearnedFiles::protected_places() const {
  sandbox::PersonalFacts facts;
  std::vector<sandbox::StateDir> state;
  for (const std::string& d : ctx_.state_dirs) state.push_back({d, true});
  facts.protected_paths = sandbox::personal_paths(ctx_, state);
  facts.app_data = app_data_;
  return facts;
}

// The host path a noted use stands for, links resolved; for a file the app tried to create, its
// resolved folder and its name. nullopt when nothing is there.
std::optional<LearnedFiles::Candidate> LearnedFiles::candidate(const std::string& named, const Use& use) const {
  Candidate c{"", use};
  if (auto real = resolved_on_host(named)) {
    c.real = *real;
  } else {
    const std::size_t slash = named.rfind('/');
    if (!use.write || slash == 0 || slash == std::string::npos) return std::nullopt;
    auto folder = resolved_on_host(named.substr(0, slash));
    if (!folder) return std::nullopt;
    c.real = (*folder == "/" ? "" : *folder) + named.substr(slash);
    c.created = true;
  }
  struct stat st {};
  if (!c.created && ::stat(c.real.c_str(), &st) == 0) {
    c.device = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
    c.directory = S_ISDIR(st.st_mode);
  }
  return c;
}

// Without the home plug the app's HOME is its $APP_DATA: a file it looked for there in vain that
// the real home has (~/.config/app/settings.conf) is what the home plug would give it.
void LearnedFiles::suggest_what_home_holds(const app::GrantIndex& grants,
                                           std::map<std::string, policy::PlugAddition>& plugs) const {
  if (home_.empty() || home_ == "/") return;
  for (const auto& [rel, unused] : sought_in_home_) {
    struct stat st {};
    const std::string there = home_ + rel;
    if (::lstat((app_data_ + rel).c_str(), &st) == 0 || ::lstat(there.c_str(), &st) != 0 || hidden(there)) continue;
    auto plug = grants.plug_for_path(there, false, home_);
    if (!plug || plug->plug != "home") continue;
    plugs.try_emplace("home", policy::PlugAddition{"home", {}, "looked for ~" + rel +
                                                    " through $HOME, which is its $APP_DATA without the home plug"});
    return;
  }
}

void LearnedFiles::suggest(const app::GrantIndex& grants, policy::Amendment& add) const {
  std::map<std::string, policy::PlugAddition> plugs;  // by interface and attribute values
  std::map<std::string, bool> paths;                   // resolved -> written
  std::vector<Candidate> created;
  std::set<std::string> folders_used;                  // of files the app used that exist
  bool unwritable_name = false;
  const sandbox::PersonalFacts protected_places_here = protected_places();
  for (const auto& [named, use] : used_) {
    // A policy holds UTF-8 text without control characters: a name that is not cannot be granted.
    if (valid_utf8(named) != named || has_control_char(named)) {
      unwritable_name = true;
      continue;
    }
    auto c = candidate(named, use);
    // Nothing there, or a link into what the Plan shows; a folder only looked at (a stat on the
    // way to a file) is made by the sandbox for what is granted inside it.
    if (!c || shown_by_plan(c->real, use.write) || (c->directory && !use.opened)) continue;
    if (hidden(c->real)) {
      add.notes.push_back("not suggested: " + c->real + ", which is hidden (a secret or cordon's state)");
      continue;
    }
    if (auto problem = protected_by_another_path(c->real, protected_places_here)) {
      add.notes.push_back("not suggested: " + c->real + ", which is hidden: " + *problem);
      continue;
    }
    // Only what the view showed the app (devices aside, never shown): not another person's home,
    // not /boot — whatever the launcher, resolving as root, can see there.
    if (!c->device && !in_view(c->real)) continue;
    if (auto plug = grants.plug_for_path(c->real, use.write, home_)) {
      std::string key = plug->plug;
      for (const auto& [n, v] : plug->attributes) key += " " + n + "=" + v;
      policy::PlugAddition addition{plug->plug, {}, ""};
      for (const auto& [n, v] : plug->attributes) addition.attributes.emplace_back(n, v);
      auto [entry, fresh] = plugs.try_emplace(key, std::move(addition));
      if (fresh) entry->second.why = (use.write ? "wrote " : "read ") + c->real;
      continue;
    }
    if (c->device) {
      add.notes.push_back("not suggested: no interface grants the device " + c->real +
                          " (a filesystem entry cannot: every bind is nodev)");
      continue;
    }
    if (c->created) {
      created.push_back(*c);
      continue;
    }
    if (!c->directory) folders_used.insert(folder_of(c->real));
    paths[c->real] = paths[c->real] || use.write;
  }
  // A file created beside one the app used (sqlite's journal beside its database): that folder is
  // the app's. Elsewhere a grant would be a whole folder (/var/lib for /var/lib/x): the owner's call.
  for (const Candidate& c : created) {
    const std::string folder = folder_of(c.real);
    if (folders_used.count(folder)) paths[folder] = true;
    else
      add.notes.push_back("not suggested: the app tried to create " + c.real +
                          "; a grant would be its whole folder: give the app a folder of its own, or use its $APP_DATA");
  }
  suggest_what_home_holds(grants, plugs);
  if (unwritable_name) add.notes.push_back("not suggested: paths whose names are not plain UTF-8 text");
  // One plug per interface where only its access differs: the variant chosen for a write wins.
  std::map<std::string, std::pair<policy::PlugAddition, bool>> merged;
  for (const auto& [key, p] : plugs) {
    const bool access_only = std::all_of(p.attributes.begin(), p.attributes.end(),
                                         [](const auto& a) { return a.first == "access"; });
    const bool wrote = p.why.rfind("wrote ", 0) == 0;
    auto [it, fresh] = merged.try_emplace(access_only ? p.interface : key, p, wrote);
    if (!fresh && wrote && !it->second.second) it->second = {p, true};
  }
  for (const auto& [key, p] : merged) add.plugs.push_back(p.first);
  // A path beneath another suggested one with at least its access is already granted.
  for (const auto& [path, write] : paths) {
    const bool covered = std::any_of(paths.begin(), paths.end(), [&](const auto& other) {
      return other.first != path && path_within(path, other.first) && (other.second || !write);
    });
    if (!covered) (write ? add.read_write : add.read_only).push_back(path);
  }
}

}  // namespace cordon::launcher
