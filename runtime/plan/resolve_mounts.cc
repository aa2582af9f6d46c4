// plan::resolve's mounts and devices: the filesystem grants of base, plugs and app merged by path,
// the stricter grant winning a conflict, nothing granted below a hide, then the fixed frame.
#include <map>

#include "plan/resolve_parts.h"

namespace cordon::plan::detail {

namespace {

using policy::Diagnostics;
using policy::Where;

// ---- mounts ------------------------------------------------------------------------------

// Restrictiveness on one path: the higher wins (docs/plan.md "Conflicts").
int strictness(MountKind k) {
  switch (k) {
    case MountKind::hide: return 3;
    case MountKind::bind_ro: return 2;
    case MountKind::bind_rw: return 1;
    default: return 0;
  }
}

struct MountRequest {
  MountKind kind;
  policy::PathEntry entry;
  Source from;
};

// Absolute paths in component order (a parent before its children), then variable paths, which
// the sandbox places after expansion.
bool mount_order(const Mount& a, const Mount& b) {
  const bool av = a.path[0] == '$', bv = b.path[0] == '$';
  if (av != bv) return bv;
  auto key = [](const std::string& p) {
    std::string k = p;
    std::replace(k.begin(), k.end(), '/', '\x01');  // '/' sorts before every other path byte
    return k;
  };
  return key(a.path) < key(b.path);
}

// The mounts granted so far, by path. A repeat of a path merges into its first entry.
class MountTable {
 public:
  explicit MountTable(Diagnostics& diags) : diags_(diags) {}

  void add(const MountRequest& r) {
    auto [it, fresh] = index_.try_emplace(r.entry.path, mounts_.size());
    if (fresh) {
      mounts_.push_back(Mount{r.kind, r.entry.path, r.entry.optional, {r.from}});
      where_.push_back(r.entry.where);
      return;
    }
    merge(mounts_[it->second], where_[it->second], r);
  }

  // A grant below a hidden path would uncover part of it (the child is mounted over the hide),
  // and a hide exists to keep secrets and cordon's own state out of every sandbox.
  void refuse_grants_inside_hides() {
    std::map<std::string, Where> hides;
    for (std::size_t i = 0; i < mounts_.size(); ++i)
      if (mounts_[i].kind == MountKind::hide) hides.emplace(mounts_[i].path, where_[i]);
    for (std::size_t i = 0; i < mounts_.size(); ++i) {
      const Mount& m = mounts_[i];
      if (m.kind == MountKind::hide) continue;
      for (std::size_t slash = m.path.rfind('/'); slash != std::string::npos && slash > 0;
           slash = m.path.rfind('/', slash - 1)) {
        auto hide = hides.find(m.path.substr(0, slash));
        if (hide == hides.end()) continue;
        diags_.error(where_[i], "'" + m.path + "' is inside '" + hide->first + "', which this plan hides")
            .notes.push_back(policy::note(hide->second, "hidden here"));
        break;
      }
    }
  }

  std::vector<Mount> take() { return std::move(mounts_); }

 private:
  void merge(Mount& m, Where& earlier, const MountRequest& r) {
    if (m.kind == r.kind) {
      add_source(m.from, r.from);
      m.optional = m.optional && r.entry.optional;
      return;
    }
    if (strictness(m.kind) == 0 || strictness(r.kind) == 0) {
      diags_.error(r.entry.where, std::string("'") + m.path + "' is both " + to_string(m.kind) + " and " +
                                      to_string(r.kind) + "; a tmpfs cannot share its path with another grant")
          .notes.push_back(policy::note(earlier, std::string("made ") + to_string(m.kind) + " here"));
      return;
    }
    if (names_the_file_another_plug_hides(m, r)) {
      // The interface that binds exactly this path is its grant (x11's ~/.Xauthority); the hide
      // is another interface's list of what it keeps back (home's). Interfaces are trusted files.
      if (r.kind != MountKind::hide) {
        m.kind = r.kind;
        m.from = {r.from};
        m.optional = r.entry.optional;
        earlier = r.entry.where;
      }
      return;
    }
    const bool new_wins = strictness(r.kind) > strictness(m.kind);
    const MountKind loser = new_wins ? m.kind : r.kind;
    const MountKind winner = new_wins ? r.kind : m.kind;
    diags_.warning(r.entry.where, "'" + m.path + "' is both " + to_string(m.kind) + " and " + to_string(r.kind) +
                                      "; the stricter " + to_string(winner) + " wins over " + to_string(loser))
        .notes.push_back(policy::note(earlier, std::string("made ") + to_string(m.kind) + " here"));
    if (new_wins) {
      m.kind = r.kind;
      m.from = {r.from};
      m.optional = r.entry.optional;
      earlier = r.entry.where;
    }
  }

  static bool names_the_file_another_plug_hides(const Mount& m, const MountRequest& r) {
    if ((m.kind == MountKind::hide) == (r.kind == MountKind::hide)) return false;
    if (m.from.size() != 1 || m.from.front().origin != Origin::plug || r.from.origin != Origin::plug) return false;
    return m.from.front().name != r.from.name;
  }

  Diagnostics& diags_;
  std::vector<Mount> mounts_;
  std::vector<Where> where_;  // where each mount's winning grant was written
  std::map<std::string, std::size_t> index_;
};

std::vector<MountRequest> requests_of(const policy::Filesystem& fs, const Source& who) {
  std::vector<MountRequest> out;
  auto add = [&](const std::vector<policy::PathEntry>& list, MountKind kind) {
    for (const policy::PathEntry& e : list) out.push_back({kind, e, source(who, e.where)});
  };
  add(fs.read_only, MountKind::bind_ro);
  add(fs.read_write, MountKind::bind_rw);
  add(fs.tmpfs, MountKind::tmpfs);
  add(fs.hide, MountKind::hide);
  return out;
}

// What every launch gets whatever the files say (DESIGN.md "Confinement each launch must give"),
// including the system's cordon state, hidden from every sandbox so an app can never plant a
// compiled filter, a policy or a key. A user's own state under $XDG_* is hidden at launch, where
// those variables are known (TODO(#4)); the home interface hides its default places too.
std::vector<Mount> fixed_frame() {
  return {Mount{MountKind::root_tmpfs, "/", false, {kCordon}},
          Mount{MountKind::proc, "/proc", false, {kCordon}},
          Mount{MountKind::dev, "/dev", false, {kCordon}},
          Mount{MountKind::bind_rw, "$APP_DATA", false, {kCordon}},
          Mount{MountKind::hide, "/etc/cordon", true, {kCordon}},
          Mount{MountKind::hide, "/var/cache/cordon", true, {kCordon}},
          Mount{MountKind::hide, "/var/lib/cordon", true, {kCordon}}};
}

}  // namespace

std::vector<Mount> resolve_mounts(const std::vector<GrantFrom>& grants, const policy::AppPolicy& app,
                                  Diagnostics& diags) {
  std::vector<MountRequest> requests;
  for (const GrantFrom& g : grants) {
    auto r = requests_of(g.grants->filesystem, g.who);
    requests.insert(requests.end(), r.begin(), r.end());
  }
  auto from_app = requests_of(app.filesystem, kApp);
  requests.insert(requests.end(), from_app.begin(), from_app.end());

  MountTable table(diags);
  for (const MountRequest& r : requests) table.add(r);  // reserved paths were refused by the loader
  table.refuse_grants_inside_hides();
  std::vector<Mount> mounts = table.take();
  const std::vector<Mount> frame = fixed_frame();  // its paths are reserved: no grant names them
  mounts.insert(mounts.end(), frame.begin(), frame.end());
  std::stable_sort(mounts.begin(), mounts.end(), mount_order);
  return mounts;
}

std::vector<Device> resolve_devices(const std::vector<GrantFrom>& grants) {
  std::vector<Device> out;
  for (const GrantFrom& g : grants)
    for (const policy::PathEntry& e : g.grants->devices) {
      auto it = std::find_if(out.begin(), out.end(), [&](const Device& d) { return d.path == e.path; });
      if (it == out.end()) out.push_back(Device{e.path, e.optional, {source(g.who, e.where)}});
      else {
        add_source(it->from, source(g.who, e.where));
        it->optional = it->optional && e.optional;
      }
    }
  std::sort(out.begin(), out.end(), [](const Device& a, const Device& b) { return a.path < b.path; });
  return out;
}

}  // namespace cordon::plan::detail
