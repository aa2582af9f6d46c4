// Packing, opening (signature before parsing), unpacking and trusted keys (runtime/package/), on
// real files under /tmp with keys generated for the test.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "package/open.h"
#include "package/pack.h"
#include "package/unpack.h"
#include "package_support.h"
#include "util/sha256.h"
#include "util/unique_fd.h"

namespace {

using namespace cordon::package;
using cordon::UniqueFd;
using cordon::test::TempDir;
using cordon::test::body_of;
using cordon::test::file_entry;
using cordon::test::make_key;
using cordon::test::manifest_of;
using cordon::test::read_bytes;
using cordon::test::sign_body;
using cordon::test::write_bytes;

const std::string kPolicy = "name: hello\n";
const std::string kHello = "#!/bin/sh\necho hello\n";
const std::string kData = "some data\n";

// A tree, a signing key, its public key trusted, and a scratch folder for the private copies.
struct Fixture {
  TempDir tmp;
  std::string key_pem, tree, scratch, pkg;
  std::vector<PublicKey> trusted;

  Fixture() {
    ::mkdir((tmp / "keys").c_str(), 0755);
    ::mkdir((tmp / "scratch").c_str(), 0700);
    key_pem = make_key(tmp / "keys", "signer");
    auto pub = read_public_key(tmp / "keys/signer.pub");
    REQUIRE(pub);
    trusted = {*pub};
    scratch = tmp / "scratch";
    tree = tmp / "tree";
    ::mkdir(tree.c_str(), 0755);
    ::mkdir((tree + "/bin").c_str(), 0755);
    ::mkdir((tree + "/share").c_str(), 0750);
    write_bytes(tree + "/bin/hello", kHello, 0755);
    write_bytes(tree + "/share/data.txt", kData, 0640);
    write_bytes(tree + "/policy.yaml", kPolicy, 0644);
    REQUIRE(::symlink("hello", (tree + "/bin/hi").c_str()) == 0);
    pkg = tmp / "hello.cordon";
  }

  PackResult pack_it() {
    auto r = pack(PackInput{tree, "hello", "1.2", key_pem, pkg, {}, {}});
    REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
    return *r;
  }

  // "" when the package at `path` opens; else the error.
  std::string open_error(const std::string& path) {
    auto p = open_package(path, trusted, scratch);
    return p ? "" : p.error().to_string();
  }

  // The package with `bytes` instead, as a file beside the original.
  std::string open_bytes(const std::string& bytes) {
    write_bytes(tmp / "changed.cordon", bytes);
    return open_error(tmp / "changed.cordon");
  }
};

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode;
}

}  // namespace

TEST_CASE("package: pack, open with the key trusted, unpack read-only") {
  Fixture f;
  const PackResult packed = f.pack_it();
  CHECK(packed.files == 6);
  CHECK(packed.key_id == f.trusted[0].id);
  CHECK(packed.bytes == read_bytes(f.pkg).size());

  auto opened = open_package(f.pkg, f.trusted, f.scratch);
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
  CHECK(opened->key.id == f.trusted[0].id);
  CHECK(opened->sha256 == cordon::sha256_hex(read_bytes(f.pkg)));
  CHECK(opened->body_size + kTrailerSize == packed.bytes);
  const Manifest& m = opened->manifest;
  CHECK(m.name == "hello");
  CHECK(m.version == "1.2");
  std::vector<std::string> paths;
  for (const Entry& e : m.entries) paths.push_back(e.path);
  CHECK(paths == std::vector<std::string>{"bin", "bin/hello", "bin/hi", "policy.yaml", "share", "share/data.txt"});
  CHECK(m.entries[1].mode == 0755);
  CHECK(m.entries[2].type == EntryType::symlink);
  CHECK(m.entries[2].target == "hello");
  CHECK(m.entries[4].mode == 0750);
  CHECK(m.entries[5].mode == 0640);

  auto policy = read_entry(*opened, "policy.yaml", 1024);
  REQUIRE(policy);
  CHECK(*policy == kPolicy);
  CHECK(read_entry(*opened, "policy.yaml", 4).error().op ==
        f.pkg + R"(: "policy.yaml" is 12 bytes, more than the 4 allowed here)");
  CHECK(read_entry(*opened, "bin", 4).error().op == f.pkg + R"(: "bin" is a dir, not a file)");
  CHECK(read_entry(*opened, "nope", 4).error().op == f.pkg + R"(: has no entry "nope")");

  const std::string dest = f.tmp / "installed";
  REQUIRE(::mkdir(dest.c_str(), 0700) == 0);
  UniqueFd dest_fd(::open(dest.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto unpacked = unpack(*opened, dest_fd.get(), dest);
  REQUIRE_MESSAGE(unpacked, (unpacked ? "" : unpacked.error().to_string()));
  CHECK(read_bytes(dest + "/bin/hello") == kHello);
  CHECK(read_bytes(dest + "/share/data.txt") == kData);
  CHECK(read_bytes(dest + "/policy.yaml") == kPolicy);
  CHECK((mode_of(dest + "/bin/hello") & 07777) == 0555);
  CHECK((mode_of(dest + "/share/data.txt") & 07777) == 0444);
  CHECK((mode_of(dest + "/policy.yaml") & 07777) == 0444);
  CHECK((mode_of(dest + "/bin") & 07777) == 0555);
  CHECK((mode_of(dest + "/share") & 07777) == 0555);
  CHECK(S_ISLNK(mode_of(dest + "/bin/hi")));
  char target[16] = {};
  CHECK(::readlink((dest + "/bin/hi").c_str(), target, sizeof target - 1) == 5);
  CHECK(std::string(target) == "hello");
}

TEST_CASE("package: standard input is read like a file") {
  Fixture f;
  f.pack_it();
  UniqueFd saved(::dup(STDIN_FILENO));
  UniqueFd in(::open(f.pkg.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(::dup2(in.get(), STDIN_FILENO) == STDIN_FILENO);
  auto opened = open_package("-", f.trusted, f.scratch);
  ::dup2(saved.get(), STDIN_FILENO);
  REQUIRE(opened);
  CHECK(opened->display == "standard input");
  CHECK(opened->manifest.entries.size() == 6);
}

TEST_CASE("package: a changed, cut or extended package is refused before its manifest is read") {
  Fixture f;
  f.pack_it();
  const std::string good = read_bytes(f.pkg);
  const std::string altered =
      ": the signature does not match the contents: the package was changed after it was signed";
  const auto flipped = [&](std::size_t at) {
    std::string b = good;
    b[at] = static_cast<char>(b[at] ^ 0x01);
    return b;
  };
  const std::size_t trailer = good.size() - kTrailerSize;
  const std::string changed = f.tmp / "changed.cordon";
  CHECK(f.open_bytes(flipped(trailer - 3)) == changed + altered);            // the payload
  CHECK(f.open_bytes(flipped(kHeaderSize + 10)) == changed + altered);        // the manifest
  CHECK(f.open_bytes(flipped(trailer + 48 + 5)) == changed + altered);        // the signature
  const std::string other_key = f.open_bytes(flipped(trailer + 16 + 3));      // the signer's public key
  CHECK(other_key.find(changed + ": signed by key ") == 0);
  CHECK(other_key.find(", which is not among the trusted keys") != std::string::npos);

  const std::string no_trailer = changed +
      ": no signature trailer at the end of the file: the package was truncated or extended after it was signed, "
      "or never signed";
  CHECK(f.open_bytes(good.substr(0, good.size() - 1)) == no_trailer);
  CHECK(f.open_bytes(good + "x") == no_trailer);
  CHECK(f.open_bytes(good.substr(0, 10)) ==
        changed + ": the package is truncated: 10 bytes is shorter than a package's header and trailer (152 bytes)");
  CHECK(f.open_bytes("hello, world") == changed + R"(: not a cordon package (it does not start with "CORDONPK"))");
  CHECK(f.open_error(f.tmp / "missing.cordon") == "open " + f.tmp / "missing.cordon" + ": No such file or directory");
}

TEST_CASE("package: a package signed by a key nobody trusts is refused with the key's id") {
  Fixture f;
  f.pack_it();
  const std::string stranger = make_key(f.tmp.path(), "stranger");
  auto stranger_pub = read_public_key(f.tmp / "stranger.pub");
  REQUIRE(stranger_pub);
  auto opened = open_package(f.pkg, {*stranger_pub}, f.scratch);
  REQUIRE(!opened);
  CHECK(opened.error().op == f.pkg + ": signed by key " + short_id(f.trusted[0].id) + " (full id " +
                                 f.trusted[0].id + "), which is not among the trusted keys");
  CHECK(short_id(f.trusted[0].id).size() == 16);
}

TEST_CASE("package: a signed package is still bounded: limits and manifest rules apply after the signature") {
  Fixture f;
  const std::string policy = file_entry("policy.yaml", kPolicy);
  const std::string shown = f.tmp / "changed.cordon";
  // A count of a billion: refused by its bound, before any room is made for the entries.
  CHECK(f.open_bytes(sign_body(body_of(manifest_of(policy, 1000000000), kPolicy), f.key_pem)) ==
        shown + R"(: manifest: "count" is 1000000000, more than the limit of 100000 entries)");
  // A manifest length of 2^40: refused on the header alone.
  const std::string huge = encode_header(1ull << 40) + "{}";
  CHECK(f.open_bytes(sign_body(huge, f.key_pem)) ==
        shown + ": the manifest is 1099511627776 bytes, more than the limit of 16777216 bytes");
  const auto with = [&](const std::string& entry, const std::string& payload) {
    return f.open_bytes(sign_body(body_of(manifest_of(entry + "," + policy, 2), payload + kPolicy), f.key_pem));
  };
  CHECK(with(file_entry("../x", "x"), "x") ==
        shown + R"(: manifest: files[0] "../x": the path has a '..' component; paths name entries inside the package)");
  CHECK(with(file_entry("/x", "x"), "x") ==
        shown + R"(: manifest: files[0] "/x": the path is absolute; paths in a package are relative to its root)");
  CHECK(with(file_entry("a//b", "x"), "x") == shown + R"(: manifest: files[0] "a//b": the path has an empty component ('//'))");
  CHECK(with(policy, kPolicy) == shown + R"(: manifest: files[1] "policy.yaml": the path is listed twice)");
  CHECK(with(file_entry("a/b", "x"), "x") == shown + R"(: manifest: files[0] "a/b": its folder "a" is not listed before it)");
  CHECK(with(file_entry("s", "x", 04755), "x") ==
        shown + R"(: manifest: files[0] "s": mode 04755 has the setuid, setgid or sticky bit; a package carries permission bits (0777) only)");
  CHECK(with(file_entry("x", "x"), "xy") == shown + ": manifest: the file sizes add up to 13 bytes but the payload has 14");
  // A smaller limit is honoured while the input is still being read.
  write_bytes(f.tmp / "big.cordon", "CORDONPK" + std::string(4096, 'x'));
  Limits small;
  small.max_package_bytes = 1000;
  auto big = open_package(f.tmp / "big.cordon", f.trusted, f.scratch, small);
  REQUIRE(!big);
  CHECK(big.error().op == f.tmp / "big.cordon" + ": larger than the limit of 1128 bytes for a package; the rest was not read");
}

TEST_CASE("package: a file whose content does not match its manifest hash is refused by unpack, naming it") {
  Fixture f;
  const std::string policy = file_entry("policy.yaml", kPolicy);
  const std::string lie = R"({"mode":493,"path":"bin","type":"dir"},)" + file_entry("bin/tool", "the real thing");
  // Same size, other bytes: the sizes add up, the signature holds, only the per-file hash is wrong.
  const std::string bytes = sign_body(body_of(manifest_of(lie + "," + policy, 3), "the fake thing" + kPolicy), f.key_pem);
  write_bytes(f.tmp / "lie.cordon", bytes);
  auto opened = open_package(f.tmp / "lie.cordon", f.trusted, f.scratch);
  REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
  const std::string dest = f.tmp / "dest";
  REQUIRE(::mkdir(dest.c_str(), 0700) == 0);
  UniqueFd dest_fd(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  auto r = unpack(*opened, dest_fd.get(), dest);
  REQUIRE(!r);
  CHECK(r.error().op == f.tmp / "lie.cordon" +
                            ": bin/tool: its content does not match its sha256 in the manifest (the package was built wrong)");
  CHECK(read_entry(*opened, "bin/tool", 100).error().op ==
        f.tmp / "lie.cordon" + R"(: "bin/tool": its content does not match its sha256 in the manifest (the package was built wrong))");
}

TEST_CASE("package: pack refuses an existing output, special files, setuid bits and a tree without a policy") {
  Fixture f;
  write_bytes(f.pkg, "old");
  auto r = pack(PackInput{f.tree, "hello", "1.2", f.key_pem, f.pkg, {}, {}});
  REQUIRE(!r);
  CHECK(r.error().op == f.pkg + ": exists; remove it or choose another -o");
  CHECK(read_bytes(f.pkg) == "old");
  ::unlink(f.pkg.c_str());

  REQUIRE(::mkfifo((f.tree + "/share/pipe").c_str(), 0644) == 0);
  r = pack(PackInput{f.tree, "hello", "1.2", f.key_pem, f.pkg, {}, {}});
  REQUIRE(!r);
  CHECK(r.error().op == f.tree + "/share/pipe: a FIFO; a package holds only files, folders and symbolic links");
  CHECK(::access(f.pkg.c_str(), F_OK) != 0);
  ::unlink((f.tree + "/share/pipe").c_str());

  ::chmod((f.tree + "/bin/hello").c_str(), 04755);
  r = pack(PackInput{f.tree + "/", "hello", "1.2", f.key_pem, f.pkg, {}, {}});
  REQUIRE(!r);
  CHECK(r.error().op ==
        f.tree + "/bin/hello: has the setuid, setgid or sticky bit; a package carries permission bits (0777) only");
  ::chmod((f.tree + "/bin/hello").c_str(), 0755);

  ::unlink((f.tree + "/policy.yaml").c_str());
  r = pack(PackInput{f.tree, "hello", "1.2", f.key_pem, f.pkg, {}, {}});
  REQUIRE(!r);
  CHECK(r.error().op == f.tree + ": has no regular file policy.yaml; every package has one");
  r = pack(PackInput{f.tree, "", "1.2", f.key_pem, f.pkg, {}, {}});
  CHECK(r.error().op == "the package name is empty");
}

TEST_CASE("package: trusted keys come only from folders and files nobody else can write") {
  Fixture f;
  const std::string dir = f.tmp / "trusted";
  REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
  write_bytes(dir + "/signer.pub", read_bytes(f.tmp / "keys/signer.pub"), 0644);
  write_bytes(dir + "/README", "not a key", 0644);
  auto keys = load_trusted_keys({f.tmp / "absent", dir, dir}, ::getuid());
  REQUIRE_MESSAGE(keys, (keys ? "" : keys.error().op));
  REQUIRE(keys->size() == 1);  // the README is skipped, the second copy of the folder adds nothing
  CHECK((*keys)[0].id == f.trusted[0].id);
  CHECK((*keys)[0].file == dir + "/signer.pub");

  ::chmod(dir.c_str(), 0777);
  keys = load_trusted_keys({dir}, ::getuid());
  REQUIRE(!keys);
  CHECK(keys.error().op == dir + ": group or others may write it, and whoever can change it decides what cordon "
                                 "trusts (chmod go-w " + dir + ")");
  ::chmod(dir.c_str(), 0755);

  ::chmod((dir + "/signer.pub").c_str(), 0664);
  keys = load_trusted_keys({dir}, ::getuid());
  REQUIRE(!keys);
  CHECK(keys.error().op.find(dir + "/signer.pub: group or others may write it") == 0);
  ::chmod((dir + "/signer.pub").c_str(), 0644);

  if (::getuid() == 0) {  // only root can give a file away
    REQUIRE(::chown((dir + "/signer.pub").c_str(), 4242, 4242) == 0);
    keys = load_trusted_keys({dir}, 1000);
    REQUIRE(!keys);
    CHECK(keys.error().op == dir + "/signer.pub: owned by uid 4242, not by root or uid 1000; what decides whom cordon "
                                   "trusts must be in their hands only");
    REQUIRE(::chown((dir + "/signer.pub").c_str(), 0, 0) == 0);
  }

  REQUIRE(::symlink((f.tmp / "keys/signer.pub").c_str(), (dir + "/linked.pub").c_str()) == 0);
  keys = load_trusted_keys({dir}, ::getuid());
  REQUIRE(!keys);
  CHECK(keys.error().op == dir + "/linked.pub: a symbolic link; a trusted key must be a file");
  ::unlink((dir + "/linked.pub").c_str());

  write_bytes(dir + "/bad.pub", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", 0644);
  keys = load_trusted_keys({dir}, ::getuid());
  REQUIRE(!keys);
  CHECK(keys.error().op.find(dir + "/bad.pub: not a PEM public key (") == 0);
}
