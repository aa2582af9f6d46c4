#include "launcher/learn_view.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "policy/bundle.h"
#include "util/path_within.h"

namespace cordon::launcher {

namespace {

// The host's top-level directories are bound as an app's own grants are, so that the launch
// protects them the same way: a person's home or cordon's state found inside one (a home
// bind-mounted under /mnt, /var/home) is hidden (personal_paths.h). The user's own home comes
// through $HOME as the home interface shows it, with its hides.
const plan::Source kLearnHost{plan::Origin::app, "", "learn mode (--complain)", 0};
const plan::Source kLearnHome{plan::Origin::cordon, "", "learn mode (--complain)", 0};

// Top-level host directories the view leaves out: the sandbox has its own (/proc, /dev, /run,
// /tmp), they hold other people's files (/home: the app's user's own home comes through $HOME,
// /root likewise), or a boot loader's secrets (/boot).
bool left_out(const std::string& name) {
  static const std::set<std::string> names = {".", "..", "proc", "dev", "run", "tmp", "home", "root", "boot", "lost+found"};
  return names.count(name) > 0;
}

std::vector<std::string> host_top_directories() {
  std::vector<std::string> out;
  DIR* d = ::opendir("/");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    struct stat st {};
    // Real directories only: a link (merged /usr's /bin) the Plan binds in its own way or not at all.
    if (left_out(name) || ::lstat(("/" + name).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    out.push_back("/" + name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

class LearnMounts {
 public:
  explicit LearnMounts(const plan::Plan& plan) : plan_(plan) {}

  void bind(const std::string& path, const plan::Source& from) {
    if (has(path) || inside_hide(path)) return;
    added_.push_back(plan::Mount{plan::MountKind::bind_ro, path, true, {from}});
  }
  // A hide the Plan's own grants would sit inside is left out: the app's policy grants that part.
  void hide(const std::string& path) {
    if (has(path)) return;
    for (const plan::Mount& m : plan_.mounts)
      if (m.kind != plan::MountKind::hide && path_within(m.path, path)) return;
    added_.push_back(plan::Mount{plan::MountKind::hide, path, true, {kLearnHome}});
  }
  bool has(const std::string& path) const {
    return std::any_of(plan_.mounts.begin(), plan_.mounts.end(), [&](const plan::Mount& m) { return m.path == path; });
  }
  std::vector<plan::Mount> take() { return std::move(added_); }

 private:
  bool inside_hide(const std::string& path) const {
    return std::any_of(plan_.mounts.begin(), plan_.mounts.end(),
                       [&](const plan::Mount& m) { return m.kind == plan::MountKind::hide && path_within(path, m.path); });
  }
  const plan::Plan& plan_;
  std::vector<plan::Mount> added_;
};

void without_unix_sockets(plan::Plan& plan) {
  auto unix_family = [](const auto& name) { return name == "AF_UNIX"; };
  plan.socket_families.erase(std::remove_if(plan.socket_families.begin(), plan.socket_families.end(),
                                            [&](const plan::Named& f) { return unix_family(f.name); }),
                             plan.socket_families.end());
  for (plan::Rule& r : plan.rules)
    if (r.syscall == "socket" && r.action == plan::RuleAction::allow_only && r.arg == 0)
      r.values.erase(std::remove_if(r.values.begin(), r.values.end(), unix_family), r.values.end());
}

}  // namespace

plan::Plan with_learn_view(const plan::Plan& plan, const policy::SearchPaths& paths) {
  LearnMounts learn(plan);
  for (const std::string& dir : host_top_directories()) learn.bind(dir, kLearnHost);
  learn.bind("/run/media", kLearnHost);  // where desktops mount removable drives
  // The user's home as the home interface shows it: its list of secrets hidden.
  // Without that list (no home interface on the search path) the home stays out of view.
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  if (!learn.has("$HOME"))
    if (auto home = policy::load_interface("home", paths, diags, sources)) {
      learn.bind("$HOME", kLearnHome);
      for (const policy::PathEntry& e : home->grants.filesystem.hide) learn.hide(e.path);
    }
  plan::Plan out = plan;
  for (plan::Mount& m : learn.take()) out.mounts.push_back(std::move(m));
  without_unix_sockets(out);
  return out;
}

bool refuses_unix_sockets_for_the_view(const plan::Plan& plan) {
  return std::any_of(plan.mounts.begin(), plan.mounts.end(), [](const plan::Mount& m) {
    return !m.from.empty() && m.from.front().file == kLearnHost.file;
  });
}

}  // namespace cordon::launcher
