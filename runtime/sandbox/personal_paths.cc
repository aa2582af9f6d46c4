#include "sandbox/personal_paths.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "sandbox/mount_table.h"
#include "util/openat2.h"
#include "util/path_within.h"

namespace cordon::sandbox {

namespace {

// The first uid of a person's account on Debian and most distributions (login.defs UID_MIN), and
// nobody's; uids between are people.
constexpr uid_t kFirstPersonUid = 1000;
constexpr uid_t kNobody = 65534;

std::optional<FileId> identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

std::optional<std::string> real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return std::nullopt;
  return std::string(buf);
}

bool has_link_on_the_way(const std::string& path) {
  const int fd = open_resolved(AT_FDCWD, path.c_str(), O_PATH, RESOLVE_NO_SYMLINKS);  // no O_NOFOLLOW: a final link fails too (ELOOP)
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return errno == ELOOP;
}

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

struct Candidate {
  std::string path;
  std::string what;
};

// People's homes as /etc/passwd lists them. Not the whole NSS database: enumerating a directory
// service at every launch could take seconds; the app's user and the invoker come from NSS below.
void homes_in_passwd(std::vector<Candidate>& out) {
  std::FILE* f = std::fopen("/etc/passwd", "re");
  if (!f) return;
  while (const passwd* pw = ::fgetpwent(f))
    if ((pw->pw_uid >= kFirstPersonUid && pw->pw_uid < kNobody) || pw->pw_uid == 0)
      out.push_back({pw->pw_dir, std::string("the home of ") + pw->pw_name});
  std::fclose(f);
}

void add_protected(std::vector<PersonalPath>& out, const std::string& path, const std::string& what) {
  if (path.empty() || path[0] != '/' || path == "/") return;  // "/" as a home protects nothing sensible
  auto has = [&](const std::string& p) {
    return std::any_of(out.begin(), out.end(), [&](const PersonalPath& q) { return q.path == p; });
  };
  const auto resolved = real_path(path);
  const auto id = identity(path);
  if (resolved && *resolved != "/" && !has(*resolved)) out.push_back({*resolved, what, id});
  if (!has(path)) out.push_back({path, what, id});  // the spelling too: a grant may name it that way
}

}  // namespace

ResolvedGrant resolve_on_host(const std::string& path) {
  ResolvedGrant g;
  std::string existing = path, rest;
  std::optional<std::string> resolved;
  while (!(resolved = real_path(existing)) && existing != "/") {
    const std::size_t slash = existing.rfind('/');
    rest = existing.substr(slash) + rest;
    existing = slash == 0 ? "/" : existing.substr(0, slash);
  }
  g.path = resolved ? (*resolved == "/" && !rest.empty() ? rest : *resolved + rest) : path;
  for (std::string p = resolved ? *resolved : "/";; p = parent_of(p)) {
    if (auto id = identity(p)) g.chain.push_back(*id);
    if (p == "/") break;
  }
  return g;
}

std::vector<PersonalPath> personal_paths(const LaunchContext& ctx, const std::vector<StateDir>& state) {
  std::vector<Candidate> candidates{{"/home", "the users' homes"},
                                    {"/root", "root's home"},
                                    {"/run/user", "the users' runtime directories"},
                                    {ctx.home, "the home of the app's user"},
                                    {ctx.xdg_runtime_dir, "the session's runtime directory ($XDG_RUNTIME_DIR)"}};
  if (const passwd* pw = ::getpwuid(ctx.uid)) candidates.push_back({pw->pw_dir, "the home of the app's user"});
  if (const char* home = std::getenv("HOME")) candidates.push_back({home, "the invoker's home"});
  homes_in_passwd(candidates);
  for (const StateDir& s : state) candidates.push_back({s.path, "cordon's own state"});
  for (const char* s : {"/etc/cordon", "/var/lib/cordon", "/var/cache/cordon"}) candidates.push_back({s, "cordon's own state"});
  std::vector<PersonalPath> out;
  for (const Candidate& c : candidates) add_protected(out, c.path, c.what);
  return out;
}

void see_through_mounts(PersonalFacts& facts, const MountTable& table) {
  for (const PersonalPath& q : facts.protected_paths) {
    if (!q.id) continue;  // not there: nothing shows anywhere
    const MountTable::Location where = table.locate(q.path);
    for (auto& [spelled, grant] : facts.grants) {
      const MountTable::Sightings seen = table.sightings(grant.path, where);
      if (seen.within && !grant.within_alias && !path_within(grant.path, q.path))
        grant.within_alias = q.what + " (" + q.path + "), shown here by a mount";
      for (const std::string& at : seen.inside) grant.shows.emplace_back(at, q.what);
    }
  }
}

Result<PersonalFacts> gather_personal_facts(const std::vector<Step>& mounts, const LaunchContext& ctx,
                                            const std::vector<StateDir>& state, const std::string& app_data) {
  PersonalFacts facts;
  facts.app_data = app_data;
  bool app_grants = false;
  for (const Step& s : mounts) {
    if (s.app_grant && s.kind != plan::MountKind::hide) {
      app_grants = true;
      facts.grants.emplace(s.path, resolve_on_host(s.path));
    }
    if (s.kind != plan::MountKind::hide) continue;
    // A link anywhere on the way: what the path leads to on the host is hidden too. One lookup that
    // refuses links tells whether there is one (most hides have none, or are missing); only then
    // realpath walks the path.
    if (!has_link_on_the_way(s.path)) continue;
    if (auto target = real_path(s.path); target && *target != s.path) facts.link_targets.emplace(s.path, *target);
  }
  if (!app_grants) return facts;  // only then: it reads /etc/passwd and the mount table
  facts.protected_paths = personal_paths(ctx, state);
  see_through_mounts(facts, MountTable::read());
  return facts;
}

std::optional<std::string> personal_problem(const ResolvedGrant& grant, const PersonalFacts& facts) {
  if (!facts.app_data.empty() && path_within(grant.path, facts.app_data)) return std::nullopt;
  for (const PersonalPath& q : facts.protected_paths) {
    if (path_within(grant.path, q.path)) return "it is " + q.what + " (" + q.path + ")";
    if (q.id && std::find(grant.chain.begin(), grant.chain.end(), *q.id) != grant.chain.end())
      return "it is " + q.what + " (" + q.path + "), reached by another path";
  }
  if (grant.within_alias) return "it is " + *grant.within_alias + ", reached by another path";
  return std::nullopt;
}

namespace {

bool hidden_at(const std::vector<Step>& mounts, const std::string& path) {
  return std::any_of(mounts.begin(), mounts.end(),
                     [&](const Step& s) { return s.kind == plan::MountKind::hide && s.path == path; });
}

// An interface (or cordon) grants `path` itself, or a directory above it: its view stands.
bool granted_by_an_interface(const std::vector<Step>& mounts, const std::string& path) {
  return std::any_of(mounts.begin(), mounts.end(), [&](const Step& s) {
    return !s.app_grant && (s.kind == plan::MountKind::bind_ro || s.kind == plan::MountKind::bind_rw) &&
           path_within(path, s.path);
  });
}

}  // namespace

Result<void> guard_personal_paths(std::vector<Step>& mounts, const PersonalFacts& facts) {
  std::vector<Step> added;
  for (const Step& s : mounts) {
    if (s.kind == plan::MountKind::hide) {
      // A hidden link hides what it points at too: the app would otherwise follow it to the secret.
      auto target = facts.link_targets.find(s.path);
      if (target != facts.link_targets.end() && !hidden_at(mounts, target->second) && !hidden_at(added, target->second))
        added.push_back(Step{plan::MountKind::hide, target->second, true, false, s.origin + ", the target of " + s.path});
      continue;
    }
    if (!s.app_grant) continue;
    auto grant = facts.grants.find(s.path);
    if (grant == facts.grants.end()) return fail("mounts", "grant " + s.path + " (" + s.origin + "): not resolved");
    if (auto problem = personal_problem(grant->second, facts))
      return fail("mounts", "grant " + s.path + " (" + s.origin + "): " + *problem +
                                "; an app's own policy cannot grant it (the 'home' interface grants a home)");
    if (s.kind == plan::MountKind::tmpfs) continue;  // empty: shows nothing of what it covers
    auto hide_inside = [&](const std::string& inside, const std::string& what) {
      if (granted_by_an_interface(mounts, inside) || hidden_at(mounts, inside) || hidden_at(added, inside)) return;
      added.push_back(Step{plan::MountKind::hide, inside, true, false, "cordon (" + what + ", inside " + s.path + ")"});
    };
    const std::string& resolved = grant->second.path;
    for (const PersonalPath& q : facts.protected_paths)
      if (q.path != resolved && path_within(q.path, resolved))
        hide_inside(resolved == "/" ? q.path : s.path + q.path.substr(resolved.size()), q.what);
    for (const auto& [at, what] : grant->second.shows)  // found through a mount (mount_table.h)
      if (at != resolved) hide_inside(s.path + at.substr(resolved.size()), what);
  }
  mounts.insert(mounts.end(), added.begin(), added.end());
  return {};
}

Result<void> refuse_grants_below_hides(const std::vector<Step>& mounts, const std::string& app_data) {
  for (const Step& s : mounts) {
    if (s.kind != plan::MountKind::bind_ro && s.kind != plan::MountKind::bind_rw && s.kind != plan::MountKind::tmpfs)
      continue;
    if (!app_data.empty() && path_within(s.path, app_data)) continue;  // cordon's own grant of $APP_DATA
    for (const Step& h : mounts)
      if (h.kind == plan::MountKind::hide && h.path != s.path && path_within(s.path, h.path))
        return fail("mounts", "grant " + s.path + " (" + s.origin + "): it lies below " + h.path + ", which " +
                                  h.origin + " hides; a grant never uncovers a hidden path");
  }
  return {};
}

}  // namespace cordon::sandbox
