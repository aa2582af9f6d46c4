// Manual connections as stored state: which store decides an app's, the round trip, and that a
// file its owner did not write alone is never believed (a manual plug then grants nothing).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include "app/connections.h"
#include "app/plan_for.h"
#include "package_support.h"
#include "support.h"

namespace app = cordon::app;
using cordon::plan::ConnectedPlug;
using cordon::test::TempDir;

namespace {

const ConnectedPlug kHomeRw{"home", {{"access", "read-write"}, {"enforcement", "strict"}}};

}  // namespace

TEST_CASE("root's connections decide system apps and everything root runs; a user's their own apps") {
  TempDir tmp;
  ::mkdir((tmp / "system-apps").c_str(), 0755);
  cordon::test::write_bytes(tmp / "system-apps/sys.yaml", "");
  cordon::test::write_bytes(tmp / "mine.yaml", "");
  cordon::policy::SearchPaths paths;
  paths.system_app_dirs = {tmp / "system-apps"};
  const auto user = app::connection_stores(1001, "/home/u", "");
  CHECK(user.user_dir == "/home/u/.config/cordon/connections");
  CHECK(user.system_dir == "/etc/cordon/connections");
  CHECK(app::connection_stores(1001, "/home/u", "/x/config").user_dir == "/x/config/cordon/connections");
  CHECK(app::connection_stores(0, "/root", "/x/config").user_dir.empty());  // root ignores XDG
  CHECK(app::store_for(user, paths, tmp / "system-apps/sys.yaml")->owner == 0);
  CHECK(app::store_for(user, paths, tmp / "system-apps/../system-apps/sys.yaml")->owner == 0);  // resolved, not spelled
  CHECK(app::store_for(user, paths, tmp / "mine.yaml")->dir == user.user_dir);
  CHECK(app::store_for(user, paths, tmp / "mine.yaml")->owner == 1001);
  CHECK(app::store_for(app::connection_stores(0, "/root", ""), paths, tmp / "mine.yaml")->owner == 0);
}

TEST_CASE("connections are written atomically, read back, and removed with the last plug") {
  TempDir tmp;
  const app::ConnectionStore store{tmp / "deep/connections", ::getuid()};
  REQUIRE(app::write_connections(store, "notes", {kHomeRw}).ok());
  struct stat st {};
  REQUIRE(::stat(app::connections_file(store, "notes").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);  // a user running a system app reads root's
  CHECK(app::read_connections(store, "notes") == std::vector<ConnectedPlug>{kHomeRw});
  CHECK(app::read_connections(store, "other").empty());
  REQUIRE(app::write_connections(store, "notes", {}).ok());
  CHECK(::access(app::connections_file(store, "notes").c_str(), F_OK) != 0);
}

TEST_CASE("a connections file the owner did not write alone is not believed") {
  TempDir tmp;
  const app::ConnectionStore store{tmp.path(), ::getuid()};
  REQUIRE(app::write_connections(store, "notes", {kHomeRw}).ok());
  const std::string file = app::connections_file(store, "notes");
  ::chmod(file.c_str(), 0666);
  std::string problem;
  CHECK(app::read_connections(store, "notes", &problem).empty());
  CHECK(problem.find("writable by others") != std::string::npos);
  ::chmod(file.c_str(), 0644);
  const app::ConnectionStore someone_else{tmp.path(), ::getuid() + 1};
  CHECK(app::read_connections(someone_else, "notes").empty());
  ::unlink(file.c_str());
  ::symlink("/etc/passwd", file.c_str());
  CHECK(app::read_connections(store, "notes", &problem).empty());
  ::unlink(file.c_str());
  cordon::test::write_bytes(file, R"({"format":1,"app":"other","plugs":[{"plug":"home","attributes":{}}]})");
  CHECK(app::read_connections(store, "notes", &problem).empty());  // another app's record, renamed
  CHECK(problem.find("not a connections file of notes") != std::string::npos);
}

TEST_CASE("plan_for connects a manual plug from the store, and watches the file") {
  TempDir tmp;
  const std::string policy = tmp / "notes.yaml";
  cordon::test::write_bytes(policy, "schema: 1\nname: notes\ncommand: [/usr/bin/true]\nplugs: [{home: {access: read-write}}]\n");
  app::ConnectionStores stores;
  stores.user = ::getuid() == 0 ? 0 : ::getuid();
  stores.system_dir = tmp / "connections";
  stores.user_dir = tmp / "connections";
  auto plan_now = [&] {
    cordon::policy::Diagnostics diags;
    cordon::policy::SourceTexts sources;
    auto p = app::plan_for(policy, cordon::test::shipped_paths(), stores, diags, sources);
    REQUIRE(p);
    CHECK(sources.count(tmp / "connections/notes.json") == 1);
    return p->plugs.at(0).connected;
  };
  CHECK_FALSE(plan_now());
  REQUIRE(app::write_connections({tmp / "connections", stores.user}, "notes", {kHomeRw}).ok());
  CHECK(plan_now());
}
