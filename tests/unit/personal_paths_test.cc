// An app's own grants are judged on resolved paths and inode identities (sandbox/personal_paths.h).
#include <doctest/doctest.h>

#include <algorithm>

#include "sandbox/mount_table.h"
#include "sandbox/personal_paths.h"

namespace {

using cordon::plan::MountKind;
using cordon::sandbox::FileId;
using cordon::sandbox::PersonalFacts;
using cordon::sandbox::Step;

Step app_grant(MountKind kind, const std::string& path) { return Step{kind, path, false, false, "app.yaml:5", true}; }

PersonalFacts alice_at_var_home() {
  PersonalFacts facts;
  facts.protected_paths = {{"/var/home/alice", "the home of alice", FileId{1, 42}},
                           {"/var/home/alice/.local/share/cordon", "cordon's own state", FileId{1, 43}}};
  return facts;
}

cordon::sandbox::ResolvedGrant resolved(const std::string& path, std::vector<FileId> chain = {}) {
  cordon::sandbox::ResolvedGrant g;
  g.path = path;
  g.chain = std::move(chain);
  return g;
}

bool hidden(const std::vector<Step>& mounts, const std::string& path) {
  return std::any_of(mounts.begin(), mounts.end(), [&](const Step& s) { return s.kind == MountKind::hide && s.path == path; });
}

}  // namespace

TEST_CASE("personal paths: a home is refused by its resolved path, whatever the spelling") {
  PersonalFacts facts = alice_at_var_home();
  facts.grants["/home/alice/.profile"] = resolved("/var/home/alice/.profile");  // /home -> /var/home
  std::vector<Step> mounts{app_grant(MountKind::bind_rw, "/home/alice/.profile")};
  auto r = cordon::sandbox::guard_personal_paths(mounts, facts);
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string() == "grant /home/alice/.profile (app.yaml:5): it is the home of alice (/var/home/alice); "
                                 "an app's own policy cannot grant it (the 'home' interface grants a home)");
}

TEST_CASE("personal paths: an alias (the same inode by another path) is refused") {
  PersonalFacts facts = alice_at_var_home();
  facts.grants["/srv/mirror/docs"] = resolved("/srv/mirror/docs", {FileId{1, 77}, FileId{1, 42}, FileId{1, 2}});
  std::vector<Step> mounts{app_grant(MountKind::bind_ro, "/srv/mirror/docs")};
  auto r = cordon::sandbox::guard_personal_paths(mounts, facts);
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string().find("reached by another path") != std::string::npos);
}

TEST_CASE("personal paths: a grant containing a home hides it, unless an interface grants the home") {
  PersonalFacts facts = alice_at_var_home();
  facts.grants["/var/home"] = resolved("/var/home");
  std::vector<Step> mounts{app_grant(MountKind::bind_ro, "/var/home")};
  REQUIRE(cordon::sandbox::guard_personal_paths(mounts, facts));
  CHECK(hidden(mounts, "/var/home/alice"));
  std::vector<Step> with_plug{app_grant(MountKind::bind_ro, "/var/home"),
                              Step{MountKind::bind_ro, "/var/home/alice", false, false, "home plug, home.yaml:30"}};
  REQUIRE(cordon::sandbox::guard_personal_paths(with_plug, facts));
  CHECK_FALSE(hidden(with_plug, "/var/home/alice"));
}

TEST_CASE("personal paths: interfaces' grants are theirs to make; the app's own data is exempt") {
  PersonalFacts facts = alice_at_var_home();
  std::vector<Step> plug{Step{MountKind::bind_ro, "/var/home/alice", false, false, "home plug"}};
  CHECK(cordon::sandbox::guard_personal_paths(plug, facts));
  facts.app_data = "/var/home/alice/.local/share/cordon/data/x";
  facts.grants[facts.app_data + "/sub"] = resolved(facts.app_data + "/sub");
  std::vector<Step> own{app_grant(MountKind::bind_ro, facts.app_data + "/sub")};
  CHECK(cordon::sandbox::guard_personal_paths(own, facts));
}

TEST_CASE("personal paths: a hidden link hides its target too") {
  PersonalFacts facts;
  facts.link_targets["/home/u/.ssh"] = "/home/u/dotfiles/ssh";
  std::vector<Step> mounts{Step{MountKind::hide, "/home/u/.ssh", true, false, "home.yaml:24"}};
  REQUIRE(cordon::sandbox::guard_personal_paths(mounts, facts));
  CHECK(hidden(mounts, "/home/u/dotfiles/ssh"));
}

TEST_CASE("personal paths: a grant below a hide never uncovers it; cordon's $APP_DATA may sit below its hidden state") {
  std::vector<Step> mounts{Step{MountKind::hide, "/home/u/.local/share/cordon", true, false, "home.yaml:17"},
                           Step{MountKind::bind_ro, "/home/u/.local/share/cordon/data/other", false, false, "app.yaml:9"}};
  auto r = cordon::sandbox::refuse_grants_below_hides(mounts, "/home/u/.local/share/cordon/data/mine");
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string().find("it lies below /home/u/.local/share/cordon, which home.yaml:17 hides") != std::string::npos);
  std::vector<Step> own{Step{MountKind::hide, "/home/u/.local/share/cordon", true, false, "home.yaml:17"},
                        Step{MountKind::bind_rw, "/home/u/.local/share/cordon/data/mine", false, false, "cordon"}};
  CHECK(cordon::sandbox::refuse_grants_below_hides(own, "/home/u/.local/share/cordon/data/mine"));
}

TEST_CASE("mount table: a bind of / shows every home below it; a grant inside a home by a mount is within it") {
  using cordon::sandbox::MountTable;
  const MountTable table({{"1", "0", "8:1", "/", "/"},
                          {"2", "1", "8:1", "/", "/srv/alias"},           // mount --bind / /srv/alias
                          {"3", "1", "0:40", "/@home", "/home"},           // btrfs: /home is a subvolume
                          {"4", "1", "0:40", "/", "/mnt/top"},             // the top-level subvolume
                          {"5", "1", "8:1", "/var/home/bob/docs", "/srv/docs"}});
  const auto alice = table.locate("/home/alice");
  CHECK(alice.device == "0:40");
  CHECK(alice.path_in_fs == "/@home/alice");
  CHECK(table.sightings("/mnt", alice).inside == std::vector<std::string>{"/mnt/top/@home/alice"});
  CHECK(table.sightings("/mnt/top/@home/alice/Documents", alice).within);
  const auto bob = table.locate("/var/home/bob");
  CHECK(table.sightings("/srv", bob).inside == std::vector<std::string>{"/srv/alias/var/home/bob", "/srv/docs"});
  CHECK(table.sightings("/srv/alias", bob).inside == std::vector<std::string>{"/srv/alias/var/home/bob"});
  CHECK(table.sightings("/srv/docs", bob).within);
  CHECK(table.sightings("/srv/elsewhere", alice).inside.empty());
}

TEST_CASE("personal paths: what a mount shows inside a grant is hidden; a grant inside a home by a mount is refused") {
  PersonalFacts facts = alice_at_var_home();
  auto alias = resolved("/srv/alias");
  alias.shows.emplace_back("/srv/alias/var/home/alice", "the home of alice");
  facts.grants["/srv/alias"] = alias;
  std::vector<Step> mounts{app_grant(MountKind::bind_ro, "/srv/alias")};
  REQUIRE(cordon::sandbox::guard_personal_paths(mounts, facts));
  CHECK(hidden(mounts, "/srv/alias/var/home/alice"));
  auto inside = resolved("/srv/docs");
  inside.within_alias = "the home of alice (/var/home/alice), shown here by a mount";
  facts.grants["/srv/docs"] = inside;
  std::vector<Step> docs{app_grant(MountKind::bind_ro, "/srv/docs")};
  auto r = cordon::sandbox::guard_personal_paths(docs, facts);
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string().find("shown here by a mount, reached by another path") != std::string::npos);
}

TEST_CASE("mount table: of mounts stacked on one point the top is the one no other sits on, whatever the order") {
  using cordon::sandbox::MountTable;
  // A clone of / moved onto a tmpfs keeps its lower id: mountinfo lists it first, yet it is on top.
  const MountTable table({{"1", "0", "8:1", "/", "/"},
                          {"44", "45", "8:1", "/", "/srv/stk"},
                          {"45", "1", "0:50", "/", "/srv/stk"}});
  const auto alice = table.locate("/home/alice");
  CHECK(table.locate("/srv/stk/x").device == "8:1");
  CHECK(table.sightings("/srv/stk", alice).inside == std::vector<std::string>{"/srv/stk/home/alice"});
}
