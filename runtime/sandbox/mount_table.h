// The host's mount table as /proc/self/mountinfo gives it, for one question: where else does the
// content of a directory show? A bind mount (of /, of /var, of a btrfs subvolume) shows a
// filesystem's directories at another path; personal_paths.h asks this before a grant can show a
// home through such an alias (and cgroup.cc, where the cgroup hierarchies are mounted).
#pragma once

#include <string>
#include <vector>

namespace cordon::sandbox {

struct MountEntry {
  std::string id, parent;  // mountinfo's mount id and parent id: which of two mounts on one point is on top
  std::string device;  // "major:minor" as mountinfo says it (stat's st_dev differs on btrfs)
  std::string root;    // the directory of that filesystem shown here
  std::string point;   // where it is shown
  std::string type{};                         // after the " - ": "ext4", "cgroup2", ...
  std::vector<std::string> super_options{};  // the filesystem's own options (a v1 cgroup's controllers)
};

class MountTable {
 public:
  static MountTable read();  // /proc/self/mountinfo; empty when it cannot be read
  explicit MountTable(std::vector<MountEntry> entries) : entries_(std::move(entries)) {}
  const std::vector<MountEntry>& entries() const { return entries_; }

  // Where `path` (absolute, resolved) lives: its filesystem and its path inside it.
  struct Location {
    std::string device;
    std::string path_in_fs;
  };
  Location locate(const std::string& path) const;

  // Every place below or at `grant` (resolved) where the filesystem directory `target` shows,
  // through the mount that holds `grant` or any mount below it: the paths where `target` itself
  // appears (`inside`), and whether `grant` itself lies in `target` (`within`).
  struct Sightings {
    bool within = false;
    std::vector<std::string> inside;
  };
  Sightings sightings(const std::string& grant, const Location& target) const;

 private:
  const MountEntry* top_at(const std::string& point) const;
  std::vector<MountEntry> entries_;
};

}  // namespace cordon::sandbox
