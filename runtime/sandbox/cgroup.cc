#include "sandbox/cgroup.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>

#include "sandbox/mount_table.h"
#include "util/write_text.h"

namespace cordon::sandbox {

namespace {

// One line of /proc/self/cgroup: "ID:CONTROLLERS:PATH" ("0::PATH" for v2).
struct Membership {
  std::vector<std::string> controllers;  // empty for v2
  std::string path;
};

// A mounted cgroup hierarchy, from /proc/self/mountinfo.
struct Hierarchy {
  std::string root;         // which cgroup of the hierarchy the mount shows (field 4)
  std::string mount_point;  // where (field 5)
  bool v2 = false;
  std::vector<std::string> controllers;  // v1: the super options naming controllers
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  for (const std::string& s : list)
    if (s == item) return true;
  return false;
}

std::vector<Membership> own_memberships() {
  std::vector<Membership> out;
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    const std::size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string ctrls = line.substr(a + 1, b - a - 1);
    out.push_back({ctrls.empty() ? std::vector<std::string>{} : split(ctrls, ','), line.substr(b + 1)});
  }
  return out;
}

std::vector<Hierarchy> mounted_hierarchies() {
  std::vector<Hierarchy> out;
  const MountTable table = MountTable::read();
  for (const MountEntry& m : table.entries())
    if (m.type == "cgroup" || m.type == "cgroup2")
      out.push_back({m.root, m.point, m.type == "cgroup2", m.type == "cgroup" ? m.super_options : std::vector<std::string>{}});
  return out;
}

// The directory of the invoker's own cgroup in hierarchy `h`, if the mount shows it: a mount of a
// sub-tree (a container's) shows only the cgroups below its root.
std::optional<std::string> own_dir(const Hierarchy& h, const std::string& path) {
  if (h.root == "/") return h.mount_point + (path == "/" ? "" : path);
  if (path == h.root) return h.mount_point;
  if (path.compare(0, h.root.size() + 1, h.root + "/") == 0) return h.mount_point + path.substr(h.root.size());
  return std::nullopt;
}

// Where `controller` lives for this process: the directory of the invoker's cgroup in its
// hierarchy, and whether that is v2. A v1 hierarchy wins (hybrid hosts mount cgroup2 empty).
struct Location {
  std::string dir;
  bool v2 = false;
};

Result<std::optional<Location>> locate(const std::string& controller, const std::vector<Membership>& own,
                                       const std::vector<Hierarchy>& mounted) {
  for (const Hierarchy& h : mounted) {
    if (h.v2 || !contains(h.controllers, controller)) continue;
    for (const Membership& m : own) {
      if (!contains(m.controllers, controller)) continue;
      if (auto dir = own_dir(h, m.path)) return std::optional<Location>(Location{*dir, false});
      return fail("cgroup", "find my " + controller + " cgroup " + m.path + " under " + h.mount_point +
                                " (it shows " + h.root + ")");
    }
  }
  for (const Hierarchy& h : mounted) {
    if (!h.v2) continue;
    for (const Membership& m : own) {
      if (!m.controllers.empty()) continue;
      const auto dir = own_dir(h, m.path);
      if (!dir) continue;
      std::ifstream available(h.mount_point + "/cgroup.controllers");  // what the hierarchy has at all
      std::string line;
      std::getline(available, line);
      if (contains(split(line, ' '), controller)) return std::optional<Location>(Location{*dir, true});
    }
  }
  return std::optional<Location>();
}

Result<void> write_value(const std::string& path, const std::string& value) {
  return write_text("cgroup", path, value);
}

Result<void> make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) return sys_fail("cgroup", "mkdir " + path);
  return {};
}

std::optional<std::uint64_t> limit_of(const std::vector<plan::Limit>& limits, plan::LimitKind kind) {
  for (const plan::Limit& l : limits)
    if (l.kind == kind) return l.value;
  return std::nullopt;
}

// Whether the v2 cgroup `dir` hands `controller` down to its children, enabling it when it can:
// the kernel allows that only at the root of the hierarchy or in a cgroup without processes.
bool hands_down(const std::string& dir, const std::string& controller) {
  std::ifstream in(dir + "/cgroup.subtree_control");
  std::string line;
  std::getline(in, line);
  if (contains(split(line, ' '), controller)) return true;
  return static_cast<bool>(write_value(dir + "/cgroup.subtree_control", "+" + controller));
}

struct Knob {
  const char* controller;
  plan::LimitKind limit;  // the Plan's limit
  const char* v1;
  const char* v2;
};
constexpr Knob kKnobs[] = {{"pids", plan::LimitKind::processes, "pids.max", "pids.max"},
                           {"memory", plan::LimitKind::memory, "memory.limit_in_bytes", "memory.max"}};

// Leaves a cordon that was killed (SIGKILL: no destructor ran) left behind in `parent`: named
// cordon-APP-PID with no such process any more. rmdir removes only an empty cgroup, so a leaf
// whose app still runs, or whose pid was reused, is left.
void remove_stale_leaves(const std::string& parent) {
  DIR* d = ::opendir(parent.c_str());
  if (!d) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    const std::size_t dash = name.rfind('-');
    if (name.rfind("cordon-", 0) != 0 || dash == std::string::npos || dash + 1 == name.size()) continue;
    const std::string pid = name.substr(dash + 1);
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) continue;
    if (::kill(static_cast<pid_t>(std::stol(pid)), 0) == 0 || errno != ESRCH) continue;
    ::rmdir((parent + "/" + name).c_str());
  }
  ::closedir(d);
}

}  // namespace

Result<AppCgroup> AppCgroup::create(const std::string& app, const std::vector<plan::Limit>& limits) {
  AppCgroup cg;
  const std::string leaf = "cordon-" + app + "-" + std::to_string(::getpid());
  const auto own = own_memberships();
  const auto mounted = mounted_hierarchies();
  std::optional<std::string> v2_leaf;  // one leaf serves every v2 controller
  for (const Knob& k : kKnobs) {
    const auto value = limit_of(limits, k.limit);
    auto where = locate(k.controller, own, mounted);
    if (!where) return where.error();
    if (!*where) {
      if (value) return fail("cgroup", std::string("enforce ") + plan::to_string(k.limit) + ": no " + k.controller + " controller is mounted");
      continue;  // nothing to bind the app with; it stays in the invoker's cgroup
    }
    const Location& loc = **where;
    remove_stale_leaves(loc.dir);
    if (!loc.v2) {  // v1: a leaf in this controller's hierarchy (one, if both share a hierarchy)
      const std::string dir = loc.dir + "/" + leaf;
      if (!contains(cg.dirs_, dir)) {
        CORDON_TRY(make_dir(dir));
        cg.dirs_.push_back(dir);
      }
      if (value) CORDON_TRY(write_value(dir + "/" + k.v1, std::to_string(*value)));
      continue;
    }
    // v2: the app's own limit only where the invoker's cgroup hands the controller down;
    // elsewhere the leaf is still below the invoker's, whose limits bind it.
    const bool own_limit = hands_down(loc.dir, k.controller);
    if (!v2_leaf) {
      v2_leaf = loc.dir + "/" + leaf;
      CORDON_TRY(make_dir(*v2_leaf));
      cg.dirs_.push_back(*v2_leaf);
    }
    if (value && own_limit) CORDON_TRY(write_value(*v2_leaf + "/" + k.v2, std::to_string(*value)));
  }
  return cg;
}

Result<void> AppCgroup::add(pid_t pid) const {
  for (const std::string& dir : dirs_) CORDON_TRY(write_value(dir + "/cgroup.procs", std::to_string(pid)));
  return {};
}

AppCgroup::~AppCgroup() {
  for (const std::string& dir : dirs_) ::rmdir(dir.c_str());
}

}  // namespace cordon::sandbox
