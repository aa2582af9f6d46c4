#include "launcher/learned_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <set>

#include "sandbox/expand.h"
#include "sandbox/personal_paths.h"
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

bool within(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         (dir == "/" || path[dir.size()] == '/'));
}

std::optional<std::string> resolved_on_host(const std::string& path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return std::nullopt;
  return std::string(buf);
}

}  // namespace

LearnedFiles::LearnedFiles(const plan::Plan& plan, const plan::Plan& view, const sandbox::LaunchContext& ctx,
                           const std::string& app_data)
    : home_(ctx.home), ctx_(ctx), app_data_(app_data) {
  // A variable this launch has no value for leaves its mount out: the sandbox skips it too.
  for (const plan::Mount& m : plan.mounts)
    if (m.kind != plan::MountKind::root_tmpfs && m.kind != plan::MountKind::hide && m.kind != plan::MountKind::dev)
      if (auto path = sandbox::expand_variables(m.path, ctx, app_data, true)) shown_.push_back(*path);
  for (const plan::Mount& m : view.mounts) {
    const bool bind = m.kind == plan::MountKind::bind_ro || m.kind == plan::MountKind::bind_rw;
    if (m.kind != plan::MountKind::hide && !bind) continue;
    if (auto path = sandbox::expand_variables(m.path, ctx, app_data, true)) (bind ? viewed_ : hidden_).push_back(*path);
  }
  for (const plan::Device& d : plan.devices)
    if (auto path = sandbox::expand_variables(d.path, ctx, app_data, true)) shown_.push_back(*path);
  if (!plan.app.empty()) shown_.push_back(sandbox::kAppRootInside);
}

// Inside the Plan's own mounts, or a directory the sandbox makes to hold them ("/", "/var") —
// except the user's home and what is in it: the sandbox makes the folders on the way to
// $APP_DATA there, but a listing of the home is the home's (`ls ~` needs the home plug).
bool LearnedFiles::shown_by_plan(const std::string& path) const {
  const bool in_home = !home_.empty() && home_ != "/" && within(path, home_);
  for (const std::string& s : shown_)
    if (within(path, s) || (!in_home && within(s, path))) return true;
  if (within(path, "/dev"))
    return minimal_dev().count(path) || within(path, "/dev/pts") || within(path, "/dev/shm") || within(path, "/dev/fd");
  return false;
}

void LearnedFiles::note(const sandbox::PathUse& use) {
  if (shown_by_plan(use.path)) return;
  auto it = used_.find(use.path);
  if (it != used_.end()) {
    it->second = it->second || use.write;
    return;
  }
  if (used_.size() < kMaxNoted) used_.emplace(use.path, use.write);
}

// The path a noted use stands for on the host, links resolved; for a file the app tried to
// create, its resolved folder and its name (`created`). nullopt when nothing is there.
std::optional<std::string> LearnedFiles::host_path(const std::string& named, bool write, bool& created) {
  created = false;
  if (auto real = resolved_on_host(named)) return real;
  const std::size_t slash = named.rfind('/');
  if (!write || slash == 0 || slash == std::string::npos) return std::nullopt;
  auto folder = resolved_on_host(named.substr(0, slash));
  if (!folder) return std::nullopt;
  created = true;
  return (*folder == "/" ? "" : *folder) + named.substr(slash);
}

bool LearnedFiles::in_view(const std::string& path) const {
  return std::any_of(viewed_.begin(), viewed_.end(), [&](const std::string& v) { return within(path, v); });
}

bool LearnedFiles::hidden(const std::string& path) const {
  return std::any_of(hidden_.begin(), hidden_.end(), [&](const std::string& h) { return within(path, h); });
}

// A person's home or cordon's state reached by a path other than the home's own (a bind of it
// under /mnt, /var/home/NAME): the launch hid it, and no suggestion may name it. By the identities
// of the path's folders, as the launch decides (personal_paths.h).
std::optional<std::string> LearnedFiles::protected_by_another_path(const std::string& path,
                                                                    const sandbox::PersonalFacts& facts) const {
  if (!home_.empty() && home_ != "/" && within(path, home_)) return std::nullopt;  // the home's own rules
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

void LearnedFiles::suggest(const app::GrantIndex& grants, policy::Amendment& add) const {
  std::map<std::string, policy::PlugAddition> plugs;  // by interface and attribute values
  std::map<std::string, bool> paths;                   // resolved -> written
  bool unwritable_name = false;
  const sandbox::PersonalFacts protected_places_here = protected_places();
  for (const auto& [named, write] : used_) {
    // A policy holds UTF-8 text without control characters: a name that is not cannot be granted.
    if (valid_utf8(named) != named || has_control_char(named)) {
      unwritable_name = true;
      continue;
    }
    bool created = false;
    auto real = host_path(named, write, created);
    if (!real || shown_by_plan(*real)) continue;  // nothing there, or a link into what the Plan shows
    if (hidden(*real)) {
      add.notes.push_back("not suggested: " + *real + ", which is hidden (a secret or cordon's state)");
      continue;
    }
    if (auto problem = protected_by_another_path(*real, protected_places_here)) {
      add.notes.push_back("not suggested: " + *real + ", which is hidden: " + *problem);
      continue;
    }
    struct stat st {};
    const bool device = !created && ::stat(real->c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode));
    // Only what the view showed the app (devices aside, never shown): not another person's home,
    // not /boot — whatever the launcher, resolving as root, can see there.
    if (!device && !in_view(*real)) continue;
    if (auto plug = grants.plug_for_path(*real, write, home_)) {
      std::string key = plug->plug;
      for (const auto& [n, v] : plug->attributes) key += " " + n + "=" + v;
      policy::PlugAddition addition{plug->plug, {}, ""};
      for (const auto& [n, v] : plug->attributes) addition.attributes.emplace_back(n, v);
      auto [entry, fresh] = plugs.try_emplace(key, std::move(addition));
      if (fresh) entry->second.why = (write ? "wrote " : "read ") + *real;
      continue;
    }
    if (device) {
      add.notes.push_back("not suggested: no interface grants the device " + *real +
                          " (a filesystem entry cannot: every bind is nodev)");
      continue;
    }
    if (created) {  // a grant would be its whole folder (/var/lib for /var/lib/x): the owner's call
      add.notes.push_back("not suggested: the app tried to create " + *real +
                          "; a grant would be its whole folder: give the app a folder of its own, or use its $APP_DATA");
      continue;
    }
    paths[*real] = paths[*real] || write;
  }
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
      return other.first != path && within(path, other.first) && (other.second || !write);
    });
    if (!covered) (write ? add.read_write : add.read_only).push_back(path);
  }
}

}  // namespace cordon::launcher
