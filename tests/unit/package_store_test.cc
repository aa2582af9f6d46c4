// The store's record and its folder operations: state.json round-trips and a malformed one is
// refused, never half-believed; a snapshot copy keeps links as links (never following one out of
// the app's data), FIFOs, modes and contents; an exchange swaps two folders; a removal leaves no
// half-deleted folder under its name.
#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "package/store.h"
#include "package/tree_ops.h"

namespace {

namespace package = cordon::package;

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/cordon-store-test.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)package::remove_tree(path); }
};

void write(const std::string& path, const std::string& text, mode_t mode = 0644) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

package::AppState sample_state() {
  package::AppState s;
  s.name = "hello";
  s.key = std::string(64, 'a');
  s.current = 3;
  s.next_revision = 4;
  s.held = true;
  s.revisions = {{2, "1.0", s.key, std::string(64, 'b'), "2026-12-02T10:00:00Z"},
                 {3, "1.1", s.key, std::string(64, 'c'), "2026-12-02T11:00:00Z"}};
  s.pending = package::Pending{"refresh", 2, 3};
  s.last = package::LastChange{"refresh", "rolled-back", 2, 3, "exit status 1", "1.1"};
  s.source = "vendor";
  return s;
}

}  // namespace

TEST_CASE("state.json round-trips every field") {
  const package::AppState s = sample_state();
  auto back = package::parse_state(package::state_json(s), "state.json");
  REQUIRE(back.ok());
  CHECK(package::state_json(*back) == package::state_json(s));
  CHECK(back->current_revision()->version == "1.1");
  CHECK(back->pending->from == 2);
  CHECK(back->held);
  CHECK(back->source == "vendor");
  package::AppState unbound = s;  // a record from before sources, or of an app installed from a file
  unbound.source.clear();
  CHECK(package::state_json(unbound).find("\"source\"") == std::string::npos);
  auto read_unbound = package::parse_state(package::state_json(unbound), "state.json");
  REQUIRE(read_unbound.ok());
  CHECK(read_unbound->source.empty());
}

TEST_CASE("a malformed state.json is refused, naming the file") {
  const std::string good = package::state_json(sample_state());
  for (const std::string& bad : {std::string("{"), std::string("[]"), std::string("{\"format\": 2}"),
                                 // a current revision that is not among the revisions
                                 good.substr(0, good.find("\"current\": 3")) + "\"current\": 9" +
                                     good.substr(good.find("\"current\": 3") + 12),
                                 // a type confusion: held as a string
                                 good.substr(0, good.find("\"held\": true")) + "\"held\": \"yes\"" +
                                     good.substr(good.find("\"held\": true") + 12)}) {
    auto parsed = package::parse_state(bad, "/x/state.json");
    CHECK_FALSE(parsed.ok());
    if (!parsed) CHECK(parsed.error().op.find("/x/state.json") != std::string::npos);
  }
}

TEST_CASE("state is written atomically and read back; a missing record is no error") {
  TempDir t;
  package::StoreLayout store{::getuid(), t.path + "/apps", t.path + "/data", t.path + "/snapshots", {}, t.path + "/sources-config", t.path + "/sources"};
  auto none = package::read_state(store, "hello");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  CHECK_FALSE(package::lock_app(store, "hello", true, false).ok());  // not installed: no folder is made
  CHECK_FALSE(package::lock_app(store, "../../x", true, true).ok());  // never a path out of a name
  auto lock = package::lock_app(store, "hello", true, true);  // creates apps/hello
  REQUIRE(lock.ok());
  REQUIRE(package::write_state(store, sample_state()).ok());
  auto back = package::read_state(store, "hello");
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK((*back)->current == 3);
  CHECK(package::installed_names(store) == std::vector<std::string>{"hello"});
  // The lock is exclusive: a second taker that will not wait is told no.
  auto second = package::lock_app(store, "hello", false, false);
  REQUIRE(second.ok());
  CHECK_FALSE(second->has_value());
}

TEST_CASE("copy_tree keeps contents, modes, links as links and FIFOs; never follows a link out") {
  TempDir t;
  const std::string from = t.path + "/from";
  ::mkdir(from.c_str(), 0750);
  ::mkdir((from + "/sub").c_str(), 0700);
  write(from + "/a.txt", "alpha", 0640);
  write(from + "/sub/b.bin", std::string(100000, 'b'), 0600);
  write(t.path + "/outside-secret", "secret");
  ::symlink((t.path + "/outside-secret").c_str(), (from + "/link-out").c_str());
  ::symlink("/", (from + "/root-link").c_str());
  ::mkfifo((from + "/pipe").c_str(), 0600);
  auto stats = package::copy_tree(from, t.path + "/to");
  if (!stats) INFO(stats.error().to_string());
  REQUIRE(stats.ok());
  CHECK(stats->files == 2);
  CHECK(read(t.path + "/to/a.txt") == "alpha");
  CHECK(read(t.path + "/to/sub/b.bin").size() == 100000);
  struct stat st {};
  REQUIRE(::lstat((t.path + "/to/link-out").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  REQUIRE(::lstat((t.path + "/to/root-link").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  REQUIRE(::lstat((t.path + "/to/pipe").c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  REQUIRE(::lstat((t.path + "/to/a.txt").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  REQUIRE(::lstat((t.path + "/to").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
  // A copy onto an existing folder is refused: snapshots are always made fresh.
  CHECK_FALSE(package::copy_tree(from, t.path + "/to").ok());
}

TEST_CASE("copy_tree keeps a sparse file sparse: an app's terabyte of holes does not fill the disk") {
  TempDir t;
  const std::string from = t.path + "/from";
  ::mkdir(from.c_str(), 0700);
  const int fd = ::open((from + "/sparse").c_str(), O_WRONLY | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, "end", 3, (1LL << 40) - 3) == 3);  // 1 TiB long, one block used
  ::close(fd);
  auto stats = package::copy_tree(from, t.path + "/to");
  REQUIRE(stats.ok());
  struct stat st {};
  REQUIRE(::stat((t.path + "/to/sparse").c_str(), &st) == 0);
  CHECK(st.st_size == (1LL << 40));
  CHECK(st.st_blocks * 512 < (1 << 20));
  std::ifstream in(t.path + "/to/sparse", std::ios::binary);
  in.seekg((1LL << 40) - 3);
  std::string tail(3, '\0');
  in.read(tail.data(), 3);
  CHECK(tail == "end");
}

TEST_CASE("copy_tree copies a file linked many times once: links cannot multiply the disk it takes") {
  TempDir t;
  const std::string from = t.path + "/from";
  ::mkdir(from.c_str(), 0700);
  ::mkdir((from + "/sub").c_str(), 0700);
  write(from + "/big", std::string(1 << 20, 'x'));
  for (int i = 0; i < 50; ++i) ::link((from + "/big").c_str(), (from + "/sub/l" + std::to_string(i)).c_str());
  auto stats = package::copy_tree(from, t.path + "/to");
  REQUIRE(stats.ok());
  CHECK(stats->files == 1);
  CHECK(stats->bytes == (1u << 20));
  struct stat a {}, b {};
  REQUIRE(::stat((t.path + "/to/big").c_str(), &a) == 0);
  REQUIRE(::stat((t.path + "/to/sub/l49").c_str(), &b) == 0);
  CHECK(a.st_ino == b.st_ino);
  CHECK(a.st_nlink == 51);
}

TEST_CASE("deleting a tree never acts outside it: a link to a file is removed, the file keeps its mode") {
  TempDir t;
  write(t.path + "/victim", "keep", 0600);
  const std::string tree = t.path + "/tree";
  ::mkdir(tree.c_str(), 0700);
  ::mkdir((tree + "/ro").c_str(), 0700);
  ::symlink((t.path + "/victim").c_str(), (tree + "/ro/link").c_str());
  ::symlink(t.path.c_str(), (tree + "/dirlink").c_str());
  ::chmod((tree + "/ro").c_str(), 0500);
  REQUIRE(package::remove_tree(tree).ok());
  CHECK_FALSE(exists(tree));
  struct stat st {};
  REQUIRE(::stat((t.path + "/victim").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(read(t.path + "/victim") == "keep");
}

TEST_CASE("deleting a tree deeper than PATH_MAX and than the descriptors allow works in passes") {
  TempDir t;
  const std::string tree = t.path + "/deep";
  ::mkdir(tree.c_str(), 0700);
  const int fd = ::open(tree.c_str(), O_RDONLY | O_DIRECTORY);
  int at = fd;
  for (int i = 0; i < 1500; ++i) {
    ::mkdirat(at, "x", 0700);
    const int next = ::openat(at, "x", O_RDONLY | O_DIRECTORY);
    if (at != fd) ::close(at);
    at = next;
  }
  ::close(at);
  ::close(fd);
  REQUIRE(package::remove_tree(tree).ok());
  CHECK_FALSE(exists(tree));
  std::size_t left = 0;  // nothing hidden is left beside it either
  if (DIR* d = ::opendir(t.path.c_str())) {
    while (const dirent* e = ::readdir(d)) left += e->d_name[0] == '.' && std::string(e->d_name) != "." && std::string(e->d_name) != "..";
    ::closedir(d);
  }
  CHECK(left == 0);
}

TEST_CASE("copy_tree leaves out a tree deeper than its bound, and says so, instead of failing") {
  TempDir t;
  std::string deep = t.path + "/from";
  ::mkdir(deep.c_str(), 0700);
  const int fd = ::open(deep.c_str(), O_RDONLY | O_DIRECTORY);
  int at = fd;
  for (int i = 0; i < 300; ++i) {  // built with *at calls: the path is longer than PATH_MAX
    ::mkdirat(at, "d", 0700);
    const int next = ::openat(at, "d", O_RDONLY | O_DIRECTORY);
    if (at != fd) ::close(at);
    at = next;
  }
  ::close(at);
  ::close(fd);
  auto copied = package::copy_tree(t.path + "/from", t.path + "/to");
  REQUIRE(copied.ok());
  CHECK(copied->skipped == 1);
  REQUIRE(copied->notes.size() == 1);
  CHECK(copied->notes[0].find("256 folders deep") != std::string::npos);
}

TEST_CASE("exchange swaps two folders; remove_tree deletes read-only trees and leaves no name behind") {
  TempDir t;
  ::mkdir((t.path + "/a").c_str(), 0700);
  ::mkdir((t.path + "/b").c_str(), 0700);
  write(t.path + "/a/which", "a");
  write(t.path + "/b/which", "b");
  REQUIRE(package::exchange(t.path + "/a", t.path + "/b").ok());
  CHECK(read(t.path + "/a/which") == "b");
  CHECK(read(t.path + "/b/which") == "a");
  ::chmod((t.path + "/a/which").c_str(), 0444);
  ::chmod((t.path + "/a").c_str(), 0555);
  REQUIRE(package::remove_tree(t.path + "/a").ok());
  CHECK_FALSE(exists(t.path + "/a"));
  CHECK(package::remove_tree(t.path + "/a").ok());  // already gone: no error
  // A leftover of a killed command is found by its hidden name and removed; another app's is not.
  ::mkdir((t.path + "/" + package::hidden_name("new", "hello")).c_str(), 0700);
  const std::string other = t.path + "/" + package::hidden_name("new", "hello-world");
  ::mkdir(other.c_str(), 0700);
  REQUIRE(package::remove_leftovers(t.path, "hello").ok());
  CHECK(exists(other));
  CHECK(exists(t.path + "/b"));
}

TEST_CASE("a revision held by a running app is in use; released, it is not") {
  TempDir t;
  const std::string rev = t.path + "/3";
  ::mkdir(rev.c_str(), 0755);
  CHECK_FALSE(package::revision_in_use(rev));
  {
    auto hold = package::hold_revision(rev);
    REQUIRE(hold.ok());
    CHECK(package::revision_in_use(rev));
  }
  CHECK_FALSE(package::revision_in_use(rev));
}

TEST_CASE("app names") {
  CHECK(package::valid_app_name("hello"));
  CHECK(package::valid_app_name("hello-2"));
  for (const char* bad : {"", "Hello", "2hello", "a/b", "..", "a.b", "a b"}) CHECK_FALSE(package::valid_app_name(bad));
}
