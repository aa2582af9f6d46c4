// The update layer without a network: the signed index (every byte of it covered, every body rule
// refused with its reason, expiry and serial judged), the source files, the accepted-serial
// record, which apps a refresh chooses, and publish's refusals.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "package/digest.h"
#include "package/pack.h"
#include "package/signing.h"
#include "package_support.h"
#include "update/accepted.h"
#include "update/choose.h"
#include "update/index.h"
#include "update/publish.h"
#include "update/source.h"
#include "util/sha256.h"

namespace {

namespace package = cordon::package;
namespace update = cordon::update;
namespace policy = cordon::policy;
using cordon::test::TempDir;

constexpr std::time_t kNow = 1796245200;  // 2026-12-02T21:00:00Z

update::Index sample_index() {
  update::Index index;
  index.repository = std::string(32, 'e');
  index.serial = 7;
  index.published = kNow;
  index.expires = kNow + 3600;
  index.apps = {{"alpha", "1.2", "alpha_1.2.cordon", 1000, std::string(64, 'a'), std::string(64, 'b')},
                {"beta", "2.0~rc1", "beta_2.0_rc1.cordon", 20, std::string(64, 'c'), std::string(64, 'd')}};
  return index;
}

// What signed_index_file writes, for any body: so the tests can sign bodies it would never write.
std::string signed_file(const std::string& body, const package::PrivateKey& key) {
  package::Sha256 hash;
  hash.update(body);
  auto sig = key.sign(package::signed_message_for("cordon-index-v1", body.size(), hash.finish()));
  REQUIRE(sig);
  return "{\"signature\":\"ed25519:" + key.public_key().id + ":" + package::to_hex(sig->data(), sig->size()) +
         "\",\"index\":" + body + "}\n";
}

struct Keys {
  TempDir dir;
  package::PrivateKey index = load(cordon::test::make_key(dir.path(), "index"));
  package::PrivateKey other = load(cordon::test::make_key(dir.path(), "other"));
  static package::PrivateKey load(const std::string& pem) {
    auto k = package::PrivateKey::load(pem);
    REQUIRE(k);
    return std::move(*k);
  }
};

// The sample index, signed with the index key and verified: what a device holds after a fetch.
update::VerifiedIndex verified_sample(const Keys& keys) {
  auto file = update::signed_index_file(sample_index(), keys.index);
  REQUIRE(file);
  auto v = update::verify_index(*file, keys.index.public_key(), "idx");
  REQUIRE(v);
  return *v;
}

std::string error_of(const std::string& file, const package::PublicKey& key) {
  auto v = update::verify_index(file, key, "idx");
  return v ? "" : v.error().to_string();
}

}  // namespace

TEST_CASE("an index verifies with its key and reads back as written") {
  Keys keys;
  auto file = update::signed_index_file(sample_index(), keys.index);
  REQUIRE(file);
  auto v = update::verify_index(*file, keys.index.public_key(), "idx");
  REQUIRE(v);
  CHECK(v->index.serial == 7);
  CHECK(v->index.expires == kNow + 3600);
  REQUIRE(v->index.apps.size() == 2);
  CHECK(v->index.find("beta")->version == "2.0~rc1");
  CHECK(v->index.find("gamma") == nullptr);
  CHECK(v->sha256 == cordon::sha256_hex(*file));
  CHECK(update::index_body_json(v->index) == update::index_body_json(sample_index()));
}

TEST_CASE("every byte of an index is covered: any one changed is refused") {
  Keys keys;
  auto file = update::signed_index_file(sample_index(), keys.index);
  REQUIRE(file);
  const package::PublicKey pub = keys.index.public_key();
  for (std::size_t i = 0; i < file->size(); ++i) {
    std::string bad = *file;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    CAPTURE(i);
    CHECK(!error_of(bad, pub).empty());
  }
  CHECK(error_of(*file, pub).empty());  // control
  CHECK(error_of(*file + "x", pub).find("not a cordon update index") != std::string::npos);
  CHECK(error_of(file->substr(0, file->size() - 1), pub).find("not a cordon update index") != std::string::npos);
  CHECK(error_of(*file, keys.other.public_key()).find("not by the index key") != std::string::npos);
}

TEST_CASE("a package signature never passes as an index signature") {
  Keys keys;
  const std::string body = update::index_body_json(sample_index());
  package::Sha256 hash;
  hash.update(body);
  auto sig = keys.index.sign(package::signed_message(body.size(), hash.finish()));
  REQUIRE(sig);
  const std::string file = "{\"signature\":\"ed25519:" + keys.index.public_key().id + ":" +
                           package::to_hex(sig->data(), sig->size()) + "\",\"index\":" + body + "}\n";
  CHECK(error_of(file, keys.index.public_key()).find("changed after it was signed") != std::string::npos);
}

TEST_CASE("a signed body that breaks a rule is refused with the rule") {
  Keys keys;
  const std::string app = R"({"name":"alpha","version":"1","file":"alpha_1.cordon","size":5,"sha256":")" +
                          std::string(64, 'a') + R"(","key":")" + std::string(64, 'b') + "\"}";
  auto body = [&](const std::string& apps, const std::string& extra = "", const std::string& serial = "1",
                  const std::string& expires = "2026-12-09T21:00:00Z", const std::string& repo = std::string(32, 'e')) {
    return R"({"format":1,"repository":")" + repo + R"(","serial":)" + serial + R"(,"published":"2026-12-02T21:00:00Z","expires":")" + expires +
           R"(","apps":[)" + apps + "]" + extra + "}";
  };
  const auto with_dup_name = [&] { return R"({"name":"zeta",)" + app.substr(1); };
  const auto refused = [&](const std::string& b, const std::string& why) {
    CAPTURE(b);
    CHECK(error_of(signed_file(b, keys.index), keys.index.public_key()).find(why) != std::string::npos);
  };
  CHECK(error_of(signed_file(body(app), keys.index), keys.index.public_key()).empty());  // control
  refused(body(app, R"(,"mirrors":[])"), "unknown key \"mirrors\"");
  refused(R"({"format":2})", "\"format\" must be 1");
  refused(body(app, "", "0"), "\"serial\" must be a whole number");
  refused(body(app, "", "9007199254740993"), "\"serial\" must be a whole number");
  refused(body(app, "", "-1"), "\"serial\" must be a whole number");
  refused(body(app, "", "1.5"), "\"serial\" must be a whole number");
  refused(body(app, "", "1", "2026-02-30T00:00:00Z"), "no such date");
  refused(body(app, "", "1", "2026-12-01T00:00:00Z"), "expires before it was published");
  refused(body(app + "," + app), "sorted by name, each once");
  refused(body(app, R"(,"serial":9)"), "the key \"serial\" appears twice");
  refused(body(with_dup_name()), "the key \"name\" appears twice");
  refused("\xEF\xBB\xBF" + body(app), "not a JSON object");
  refused(" " + body(app), "not a JSON object");
  refused(body(app, "", "1", "2027-12-04T21:00:00Z"), "valid for more than 366 days");
  refused("[]", "not a JSON object");
  refused(body(app, "", "1", "2026-12-09T21:00:00Z", std::string(31, 'e')), "\"repository\" must be a repository id");
  refused(body(app, "", "1", "2026-12-09T21:00:00Z", std::string(32, 'E')), "\"repository\" must be a repository id");
  refused(R"({"format":1,"serial":1,"published":"2026-12-02T21:00:00Z","expires":"2026-12-09T21:00:00Z","apps":[]})",
          "\"repository\" must be a string");
  refused("{\"format\":1,", "not a JSON object");
  auto with = [&](const std::string& from, const std::string& to) {
    std::string a = app;
    a.replace(a.find(from), from.size(), to);
    return body(a);
  };
  refused(with("\"alpha\"", "\"Alpha\""), "not an app name");
  refused(with("alpha_1.cordon", "../alpha_1.cordon"), "not a package file name");
  refused(with("alpha_1.cordon", ".alpha"), "not a package file name");
  refused(with("alpha_1.cordon", "/etc/passwd"), "not a package file name");
  refused(with("\"size\":5", "\"size\":0"), "\"size\" must be a whole number");
  refused(with("\"size\":5", "\"size\":\"5\""), "\"size\" must be a whole number");
  refused(with(std::string(64, 'a'), std::string(64, 'A')), "\"sha256\" must be 64 lowercase hex");
  refused(with("\"version\":\"1\"", "\"version\":\"1 2\""), "the version must be");
}

TEST_CASE("an expired, older, or same-serial-other-contents index is not current") {
  Keys keys;
  const std::optional<update::VerifiedIndex> v = verified_sample(keys);
  CHECK(update::index_is_current(*v, kNow, 0, "", "idx"));           // first contact
  CHECK(update::index_is_current(*v, kNow, 7, v->sha256, "idx"));    // the same index again
  CHECK(update::index_is_current(*v, kNow + 3600, 6, "x", "idx"));   // newer, at its last second
  auto expired = update::index_is_current(*v, kNow + 3601, 0, "", "idx");
  REQUIRE(!expired);
  CHECK(expired.error().to_string().find("expired at 2026-12-02T22:00:00Z") != std::string::npos);
  auto older = update::index_is_current(*v, kNow, 8, "", "idx");
  REQUIRE(!older);
  CHECK(older.error().to_string().find("serial 7 is older than serial 8") != std::string::npos);
  auto future = update::index_is_current(*v, kNow - 86401, 0, "", "idx");
  REQUIRE(!future);
  CHECK(future.error().to_string().find("this device's clock or the publisher's is wrong") != std::string::npos);
  CHECK(update::index_is_current(*v, kNow - 86400, 0, "", "idx"));  // a day of skew is tolerated
  auto forked = update::index_is_current(*v, kNow, 7, std::string(64, '0'), "idx");
  REQUIRE(!forked);
  CHECK(forked.error().to_string().find("accepted before with other contents") != std::string::npos);
}

TEST_CASE("an index of another repository, signed by the same key, is refused in its place") {
  Keys keys;
  const update::VerifiedIndex v = verified_sample(keys);  // repository eee...
  const std::string mine(32, 'e'), sibling(32, 'f');
  CHECK(update::same_repository(v, "", "", "idx", "rec"));      // first contact: whatever it is
  CHECK(update::same_repository(v, "", mine, "idx", "rec"));    // the one served before
  CHECK(update::same_repository(v, mine, "", "idx", "rec"));    // the pinned one
  auto replayed = update::same_repository(v, "", sibling, "idx", "rec");
  REQUIRE(!replayed);
  CHECK(replayed.error().to_string().find("this source has served repository " + sibling) != std::string::npos);
  CHECK(replayed.error().to_string().find("remove rec") != std::string::npos);
  auto off_pin = update::same_repository(v, sibling, mine, "idx", "rec");
  REQUIRE(!off_pin);
  CHECK(off_pin.error().to_string().find("pinned to repository " + sibling) != std::string::npos);
}

TEST_CASE("the accepted serial is recorded whole, and a damaged record stops the refresh") {
  Keys keys;
  TempDir dir;
  const std::optional<update::VerifiedIndex> v = verified_sample(keys);
  const std::string state = dir / "sources";
  auto none = update::read_accepted(state, "main");
  REQUIRE(none);
  CHECK(none->serial == 0);
  REQUIRE(update::record_accepted(state, "main", *v, kNow));
  auto back = update::read_accepted(state, "main");
  REQUIRE(back);
  CHECK(back->serial == 7);
  CHECK(back->sha256 == v->sha256);
  CHECK(back->repository == std::string(32, 'e'));
  struct stat st {};
  REQUIRE(::stat(state.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  cordon::test::write_bytes(state + "/main.json", "{\"serial\": \"7\"}");
  auto damaged = update::read_accepted(state, "main");
  REQUIRE(!damaged);
  CHECK(damaged.error().to_string().find("refuses replayed older indexes") != std::string::npos);
}

TEST_CASE("source files: url or directory, an index key, nothing unknown") {
  auto parse = [](const std::string& text, update::Source& out) {
    policy::Diagnostics diags;
    const bool ok = update::parse_source("/etc/cordon/sources/main.yaml", text, "/etc/cordon/sources", 0, false, out, diags);
    std::string all;
    for (const auto& d : diags.items())
      all += std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": " + d.message + "\n";
    return std::make_pair(ok, all);
  };
  update::Source s;
  auto r = parse("schema: 1\nurl: https://updates.example.com/stable\nindex-key: main.pub\n", s);
  CHECK(r.first);
  CHECK(s.url == "https://updates.example.com/stable/");
  CHECK(s.address_of("index.json") == "https://updates.example.com/stable/index.json");
  CHECK(s.index_key.file == "/etc/cordon/sources/main.pub");
  update::Source d;
  r = parse("schema: 1\ndirectory: /media/usb/repo/\nindex-key: k.pub\n", d);
  CHECK(r.first);
  CHECK(d.address_of("index.json") == "/media/usb/repo/index.json");
  CHECK(d.index_key.file == "/etc/cordon/sources/k.pub");
  update::Source y;
  CHECK(parse("schema: 1\nurl: https://a/\nindex-key: /home/u/k.pub\n", y).second.find("a .pub file in the sources folder") != std::string::npos);
  CHECK(parse("schema: 1\nurl: https://a/\nindex-key: ../k.pub\n", y).second.find("a .pub file in the sources folder") != std::string::npos);

  update::Source x;
  CHECK(parse("schema: 1\nurl: https://a/\nindex-key: k.pub\nmirror: x\n", x).second.find("4:1: unknown key 'mirror'") !=
        std::string::npos);
  CHECK(parse("schema: 1\nurl: https://a/\ndirectory: /r\nindex-key: k.pub\n", x).second.find("3:12: an update source has url or directory, not both") != std::string::npos);
  CHECK(parse("schema: 1\nindex-key: k.pub\n", x).second.find("needs url (http:// or https://) or directory") != std::string::npos);
  const auto typo = parse("schema: 1\nurll: https://a/\nindex-key: k.pub\n", x).second;
  CHECK(typo.find("did you mean 'url'") != std::string::npos);
  CHECK(typo.find("needs url") == std::string::npos);  // the unknown key says it better
  CHECK(parse("schema: 1\nurl: ftp://a/\nindex-key: k.pub\n", x).second.find("2:6: url must be an http") != std::string::npos);
  CHECK(parse("schema: 1\nurl: file:///etc/\nindex-key: k.pub\n", x).second.find("url must be an http") != std::string::npos);
  CHECK(parse("schema: 1\nurl: https://a/?x=1\nindex-key: k.pub\n", x).second.find("no spaces, query") != std::string::npos);
  CHECK(parse("schema: 1\ndirectory: media\nindex-key: k.pub\n", x).second.find("absolute path") != std::string::npos);
  CHECK(parse("schema: 1\nurl: https://a/\n", x).second.find("index-key") != std::string::npos);

  update::Source listed;
  CHECK(parse("schema: 1\nurl: https://a/\nindex-key: k.pub\napps: [zeta, alpha, zeta]\n", listed).first);
  CHECK(listed.apps == std::vector<std::string>{"alpha", "zeta"});
  update::Source pinned;
  CHECK(parse("schema: 1\nurl: https://a/\nindex-key: k.pub\nrepository: " + std::string(32, 'a') + "\n", pinned).first);
  CHECK(pinned.repository == std::string(32, 'a'));
  CHECK(parse("schema: 1\nurl: https://a/\nindex-key: k.pub\nrepository: stable\n", x).second.find("4:13: repository must be the id") != std::string::npos);
  CHECK(parse("schema: 1\nurl: https://a/\nindex-key: k.pub\napps: []\n", x).second.find("4:7: apps lists the apps") != std::string::npos);
  CHECK(parse("schema: 1\nurl: https://a/\nindex-key: k.pub\napps: [Bad_Name]\n", x).second.find("4:8:") != std::string::npos);
  CHECK_FALSE(parse("schema: 1\nurl: https://a/\nindex-key: k.pub\napps: alpha\n", x).first);
}

TEST_CASE("a refresh chooses the newest offer signed with the app's key") {
  const std::string mine(64, 'm'), theirs(64, 't');
  package::AppState a;
  a.name = "alpha";
  a.key = mine;
  a.current = 1;
  a.revisions = {{1, "1.9", mine, "", ""}};
  package::AppState held = a;
  held.name = "beta";
  held.held = true;
  package::AppState lone = a;
  lone.name = "gamma";
  update::Source s1, s2;
  s1.name = "one";
  s2.name = "two";
  update::AcceptedIndex i1{&s1, {}}, i2{&s2, {}};
  i1.index.index.apps = {{"alpha", "1.10", "f", 1, "", mine}, {"beta", "2.0", "f", 1, "", mine}};
  i2.index.index.apps = {{"alpha", "1.11", "f", 1, "", theirs}, {"beta", "1.0", "f", 1, "", mine}};
  const auto choices = update::choose_updates({a, held, lone}, {i1, i2});
  REQUIRE(choices.size() == 3);
  CHECK(choices[0].action == update::Action::refresh);  // 1.10 > 1.9 as versions; 1.11 is another key's
  CHECK(choices[0].offer.version == "1.10");
  CHECK(choices[0].source == &s1);
  CHECK(choices[1].action == update::Action::held);
  CHECK(choices[2].action == update::Action::not_offered);

  i1.index.index.apps = {{"alpha", "1.9", "f", 1, "", mine}};
  CHECK(update::choose_updates({a}, {i1})[0].action == update::Action::up_to_date);
  i1.index.index.apps = {{"alpha", "3.0", "f", 1, "", theirs}};
  CHECK(update::choose_updates({a}, {i1})[0].action == update::Action::other_key);
}

TEST_CASE("a source serves only its apps, a refreshed app stays with its source, and two open offers are ambiguous") {
  const std::string mine(64, 'm');
  package::AppState a;
  a.name = "alpha";
  a.key = mine;
  a.current = 1;
  a.revisions = {{1, "1.0", mine, "", ""}};
  update::Source vendor, other, listing;
  vendor.name = "vendor";
  other.name = "other";
  listing.name = "listing";
  listing.apps = {"alpha"};
  update::AcceptedIndex v{&vendor, {}}, o{&other, {}}, l{&listing, {}};
  v.index.index.apps = {{"alpha", "2.0", "f", 1, "", mine}};
  o.index.index.apps = {{"alpha", "99", "junk", 1, "", mine}};  // a vendor-signed name, a version that would win
  l.index.index.apps = {{"alpha", "1.5", "f", 1, "", mine}};

  // Unbound, two open sources offer it with its key: neither is taken.
  auto c = update::choose_updates({a}, {v, o})[0];
  CHECK(c.action == update::Action::ambiguous);
  CHECK(c.offered_by == std::vector<std::string>{"vendor", "other"});
  // Bound to the vendor's source: the other's higher offer is not even looked at.
  package::AppState bound = a;
  bound.source = "vendor";
  c = update::choose_updates({bound}, {o, v})[0];
  CHECK(c.action == update::Action::refresh);
  CHECK(c.source == &vendor);
  CHECK(c.offer.version == "2.0");
  // Its source gone, the others' offers are listed, not taken.
  c = update::choose_updates({bound}, {o})[0];
  CHECK(c.action == update::Action::not_offered);
  CHECK(c.offered_by == std::vector<std::string>{"other"});
  // A source whose apps: names it wins over the binding and over open sources ...
  c = update::choose_updates({bound}, {v, o, l})[0];
  CHECK(c.action == update::Action::refresh);
  CHECK(c.source == &listing);
  CHECK(c.offer.version == "1.5");
  // ... and one whose apps: does not name it cannot serve it at all.
  listing.apps = {"beta"};
  c = update::choose_updates({a}, {l})[0];
  CHECK(c.action == update::Action::not_offered);
  CHECK(c.offered_by == std::vector<std::string>{"listing"});
  // One open source offering it: taken (and, once installed, the app is bound to it).
  c = update::choose_updates({a}, {v, l})[0];
  CHECK(c.action == update::Action::refresh);
  CHECK(c.source == &vendor);
}

TEST_CASE("publish: packages first, then an index one serial up; refusals change nothing") {
  TempDir dir;
  const std::string vendor = cordon::test::make_key(dir.path(), "vendor");
  const std::string index_key = cordon::test::make_key(dir.path(), "index");
  const std::string other_index = cordon::test::make_key(dir.path(), "other");
  auto pack = [&](const std::string& version, const std::string& key) {
    const std::string src = dir / ("src-" + version);
    ::mkdir(src.c_str(), 0755);
    cordon::test::write_bytes(src + "/policy.yaml", "schema: 1\nname: alpha\nversion: \"" + version + "\"\n");
    const std::string out = dir / ("alpha-" + version + "-" + std::to_string(key.size()) + ".cordon");
    REQUIRE(package::pack({src, "alpha", version, key, out, {}, {}}));
    return out;
  };
  const std::string repo = dir / "repo";
  auto run = [&](std::vector<std::string> packages, const std::string& key) {
    return update::publish({repo, std::move(packages), key, kNow, 3600});
  };
  auto first = run({pack("1.0", vendor)}, index_key);
  REQUIRE(first);
  CHECK(first->index.serial == 1);
  REQUIRE(first->index.apps.size() == 1);
  CHECK(first->index.apps[0].name == "alpha");
  CHECK(first->index.apps[0].file == "alpha_1.0.cordon");
  struct stat st {};
  REQUIRE(::stat((repo + "/alpha_1.0.cordon").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  REQUIRE(::stat((repo + "/index.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  const std::string index_1 = cordon::test::read_bytes(repo + "/index.json");

  auto older = run({pack("0.9", vendor)}, index_key);
  REQUIRE(!older);
  CHECK(older.error().to_string().find("not newer than 1.0") != std::string::npos);
  auto same_key = run({pack("2.0", index_key)}, index_key);
  REQUIRE(!same_key);
  CHECK(same_key.error().to_string().find("signed by the index key itself") != std::string::npos);
  auto foreign = run({}, other_index);
  REQUIRE(!foreign);
  CHECK(foreign.error().to_string().find("key rotation is not built yet") != std::string::npos);
  cordon::test::write_bytes(repo + "/alpha_1.1.cordon", "something else");
  auto clash = run({pack("1.1", vendor)}, index_key);
  REQUIRE(!clash);
  CHECK(clash.error().to_string().find("exists with other contents") != std::string::npos);
  CHECK(cordon::test::read_bytes(repo + "/alpha_1.1.cordon") == "something else");
  CHECK(cordon::test::read_bytes(repo + "/index.json") == index_1);  // every refusal left the index alone

  auto resigned = run({}, index_key);
  REQUIRE(resigned);
  CHECK(resigned->index.serial == 2);
  CHECK(resigned->index.apps.size() == 1);
  CHECK(resigned->index.repository.size() == 32);
  CHECK(resigned->index.repository == first->index.repository);  // chosen once, kept
}
