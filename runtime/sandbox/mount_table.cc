#include "sandbox/mount_table.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "util/path_within.h"

namespace cordon::sandbox {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string::npos) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// `path` below `base`, as a path inside the filesystem whose directory `root` shows at `base`.
std::string rebase(const std::string& path, const std::string& base, const std::string& root) {
  const std::string rest = base == "/" ? path : path.substr(base.size());
  if (root == "/") return rest.empty() ? "/" : rest;
  return rest.empty() || rest == "/" ? root : root + rest;
}

// The same, the other way: a path inside the filesystem shown at `point` from `root`.
std::string place(const std::string& in_fs, const std::string& root, const std::string& point) {
  const std::string rest = root == "/" ? in_fs : in_fs.substr(root.size());
  if (point == "/") return rest.empty() ? "/" : rest;
  return rest.empty() || rest == "/" ? point : point + rest;
}

}  // namespace

MountTable MountTable::read() {
  std::vector<MountEntry> entries;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    MountEntry e;
    if (!(fields >> e.id >> e.parent >> e.device >> e.root >> e.point)) continue;
    e.root = unescape(e.root);
    e.point = unescape(e.point);
    std::string word, source, options;
    while (fields >> word && word != "-") {}  // optional fields (shared:N, master:N) end at "-"
    if (fields >> e.type >> source >> options) {
      std::istringstream opts(options);
      for (std::string o; std::getline(opts, o, ',');) e.super_options.push_back(o);
    }
    entries.push_back(std::move(e));
  }
  return MountTable(std::move(entries));
}

const MountEntry* MountTable::top_at(const std::string& point) const {
  // Mounts stacked on one point: the top one is no other's parent there. mountinfo's order does
  // not say (a mount moved onto another keeps its lower id and is listed first).
  for (const MountEntry& m : entries_) {
    if (m.point != point) continue;
    const bool covered = std::any_of(entries_.begin(), entries_.end(), [&](const MountEntry& o) {
      return &o != &m && o.point == point && o.parent == m.id;
    });
    if (!covered) return &m;
  }
  return nullptr;
}

MountTable::Location MountTable::locate(const std::string& path) const {
  const MountEntry* longest = nullptr;
  for (const MountEntry& m : entries_)
    if (path_within(path, m.point) && (!longest || m.point.size() > longest->point.size())) longest = &m;
  if (!longest) return {"", path};
  const MountEntry* top = top_at(longest->point);
  if (!top) top = longest;
  return {top->device, rebase(path, top->point, top->root)};
}

MountTable::Sightings MountTable::sightings(const std::string& grant, const Location& target) const {
  Sightings s;
  if (target.device.empty()) return s;
  const Location here = locate(grant);
  if (here.device == target.device) {
    if (path_within(here.path_in_fs, target.path_in_fs)) s.within = true;
    else if (path_within(target.path_in_fs, here.path_in_fs))
      s.inside.push_back(place(target.path_in_fs, here.path_in_fs, grant));
  }
  for (const MountEntry& m : entries_) {
    if (m.point == grant || !path_within(m.point, grant) || m.device != target.device) continue;
    if (path_within(m.root, target.path_in_fs)) s.inside.push_back(m.point);  // shows part of the target
    else if (path_within(target.path_in_fs, m.root)) s.inside.push_back(place(target.path_in_fs, m.root, m.point));
  }
  return s;
}

}  // namespace cordon::sandbox
