#include "launcher/learn_view.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "policy/bundle.h"

namespace cordon::launcher {

namespace {

const plan::Source kLearn{plan::Origin::cordon, "", "learn mode", 0};

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

bool within(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

class LearnMounts {
 public:
  explicit LearnMounts(const plan::Plan& plan) : plan_(plan) {}

  void bind(const std::string& path) {
    if (has(path) || inside_hide(path)) return;
    added_.push_back(plan::Mount{plan::MountKind::bind_ro, path, true, {kLearn}});
  }
  // A hide the Plan's own grants would sit inside is left out: the app's policy grants that part.
  void hide(const std::string& path) {
    if (has(path)) return;
    for (const plan::Mount& m : plan_.mounts)
      if (m.kind != plan::MountKind::hide && within(m.path, path)) return;
    added_.push_back(plan::Mount{plan::MountKind::hide, path, true, {kLearn}});
  }
  bool has(const std::string& path) const {
    return std::any_of(plan_.mounts.begin(), plan_.mounts.end(), [&](const plan::Mount& m) { return m.path == path; });
  }
  std::vector<plan::Mount> take() { return std::move(added_); }

 private:
  bool inside_hide(const std::string& path) const {
    return std::any_of(plan_.mounts.begin(), plan_.mounts.end(),
                       [&](const plan::Mount& m) { return m.kind == plan::MountKind::hide && within(path, m.path); });
  }
  const plan::Plan& plan_;
  std::vector<plan::Mount> added_;
};

}  // namespace

plan::Plan with_learn_view(const plan::Plan& plan, const policy::SearchPaths& paths) {
  LearnMounts learn(plan);
  for (const std::string& dir : host_top_directories()) learn.bind(dir);
  learn.bind("/run/media");  // where desktops mount removable drives
  // The user's home as the home interface shows it: its list of secrets hidden.
  // Without that list (no home interface on the search path) the home stays out of view.
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  if (!learn.has("$HOME"))
    if (auto home = policy::load_interface("home", paths, diags, sources)) {
      learn.bind("$HOME");
      for (const policy::PathEntry& e : home->grants.filesystem.hide) learn.hide(e.path);
    }
  plan::Plan out = plan;
  for (plan::Mount& m : learn.take()) out.mounts.push_back(std::move(m));
  return out;
}

}  // namespace cordon::launcher
