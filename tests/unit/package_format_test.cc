// The package format's pure parsers (package/format.h): header, manifest rules, trailer.
#include <doctest/doctest.h>

#include "package/format.h"
#include "package_support.h"

namespace {

using namespace cordon::package;
using cordon::test::body_of;
using cordon::test::file_entry;
using cordon::test::manifest_of;

const std::string kPolicy = "name: t\n";

std::string policy() { return file_entry("policy.yaml", kPolicy); }

// The manifest `text` with its header, in a body whose payload is `payload`.
cordon::Result<Manifest> parse(const std::string& text, const std::string& payload, const Limits& limits = {}) {
  const std::string body = body_of(text, payload);
  return parse_manifest(std::string_view(body).substr(0, kHeaderSize + text.size()), body.size(), limits);
}

std::string error_of(const std::string& entries, unsigned long long count, const std::string& payload) {
  auto m = parse(manifest_of(entries, count), payload);
  return m ? "" : m.error().op;
}

}  // namespace

TEST_CASE("package format: a manifest with every entry type parses, with payload offsets") {
  const std::string entries = R"({"mode":493,"path":"bin","type":"dir"},)" + file_entry("bin/hello", "#!/bin/sh\n", 0755) +
                              "," + R"({"path":"bin/sh","target":"hello","type":"symlink"},)" + policy();
  auto m = parse(manifest_of(entries, 4), "#!/bin/sh\n" + kPolicy);
  REQUIRE_MESSAGE(m, (m ? "" : m.error().op));
  CHECK(m->name == "t");
  CHECK(m->version == "1");
  REQUIRE(m->entries.size() == 4);
  CHECK(m->entries[0].type == EntryType::dir);
  CHECK(m->entries[0].mode == 0755);
  CHECK(m->entries[1].size == 10);
  CHECK(m->entries[1].offset == 0);
  CHECK(m->entries[2].target == "hello");
  CHECK(m->entries[3].offset == 10);
  // What pack writes reads back the same.
  const std::string canonical = manifest_json(*m);
  auto again = parse(canonical, "#!/bin/sh\n" + kPolicy);
  REQUIRE(again);
  CHECK(manifest_json(*again) == canonical);
  CHECK(canonical.find(' ') == std::string::npos);
  CHECK(canonical.rfind(R"({"count":4,"files":[{"mode":493,"path":"bin","type":"dir"},)", 0) == 0);
}

TEST_CASE("package format: paths that leave the package or break its rules are refused, naming the entry") {
  const auto with = [](const std::string& path) {
    return error_of(file_entry(path, "x") + "," + policy(), 2, "x" + kPolicy);
  };
  CHECK(with("../x") == R"(manifest: files[0] "../x": the path has a '..' component; paths name entries inside the package)");
  CHECK(with("/x") == R"(manifest: files[0] "/x": the path is absolute; paths in a package are relative to its root)");
  CHECK(with("a//b") == R"(manifest: files[0] "a//b": the path has an empty component ('//'))");
  CHECK(with("x/") == R"(manifest: files[0] "x/": the path ends with '/')");
  CHECK(with("./x") == R"(manifest: files[0] "./x": the path has a '.' component; paths name entries inside the package)");
  CHECK(with("") == R"(manifest: files[0] "": the path is empty)");
  CHECK(with(std::string(256, 'a')) == R"(manifest: files[0] ")" + std::string(256, 'a') +
                                           R"(": a path component is 256 bytes, more than 255)");
  CHECK(with("a\\u0000b") == "manifest: files[0] \"a" + std::string(1, '\0') + "b\": the path contains a NUL byte");
  CHECK(with("a/b") == R"(manifest: files[0] "a/b": its folder "a" is not listed before it)");
  CHECK(error_of(policy() + "," + policy(), 2, kPolicy + kPolicy) ==
        R"(manifest: files[1] "policy.yaml": the path is listed twice)");
  CHECK(error_of(policy() + "," + file_entry("policy.yaml/x", "x"), 2, kPolicy + "x") ==
        R"(manifest: files[1] "policy.yaml/x": its parent "policy.yaml" is a file, not a dir)");
}

TEST_CASE("package format: modes carry permission bits only") {
  CHECK(error_of(file_entry("a", "x", 04755) + "," + policy(), 2, "x" + kPolicy) ==
        R"(manifest: files[0] "a": mode 04755 has the setuid, setgid or sticky bit; a package carries permission bits (0777) only)");
  CHECK(error_of(R"({"mode":1023,"path":"d","type":"dir"},)" + policy(), 2, kPolicy) ==
        R"(manifest: files[0] "d": mode 01777 has the setuid, setgid or sticky bit; a package carries permission bits (0777) only)");
  CHECK(error_of(R"({"mode":-1,"path":"d","type":"dir"},)" + policy(), 2, kPolicy) ==
        R"(manifest: files[0]: "mode" is a negative number, which it may not be)");
}

TEST_CASE("package format: the file sizes must add up to the payload exactly") {
  CHECK(error_of(policy(), 1, kPolicy + "!") == "manifest: the file sizes add up to 8 bytes but the payload has 9");
  CHECK(error_of(policy(), 1, kPolicy.substr(1)) ==
        R"(manifest: files[0] "policy.yaml": the file sizes add up to more than the payload's 7 bytes)");
  // Sizes near 2^64 must not wrap around to a small sum.
  const std::string huge = R"({"mode":420,"path":"a","sha256":")" + std::string(64, 'a') +
                           R"(","size":18446744073709551615,"type":"file"},)";
  CHECK(error_of(huge + policy(), 2, kPolicy) ==
        R"(manifest: files[0] "a": the file sizes add up to more than the payload's 8 bytes)");
}

TEST_CASE("package format: count is bounded before the array and must match it") {
  CHECK(error_of(policy(), 1000000000, kPolicy) == R"(manifest: "count" is 1000000000, more than the limit of 100000 entries)");
  CHECK(error_of(policy(), 2, kPolicy) == R"(manifest: "count" is 2 but "files" has 1 entries)");
  CHECK(error_of(policy(), 0, kPolicy) == R"(manifest: "files" has more entries than "count" (0))");
  auto late = parse(R"({"files":[],"count":0,"format":1,"name":"t","version":"1"})", "");
  REQUIRE(!late);
  CHECK(late.error().op == R"(manifest: "count" must come before "files")");
}

TEST_CASE("package format: the manifest's shape is checked key by key") {
  CHECK(error_of(policy(), 1, kPolicy).empty());
  auto m = parse(R"({"count":0,"files":[],"format":1,"name":"t","version":"1"})", "");
  REQUIRE(!m);
  CHECK(m.error().op == R"(manifest: there is no top-level file "policy.yaml"; every package has one)");
  m = parse(R"({"count":1,"files":[)" + policy() + R"(],"format":1,"name":"t","owner":"x","version":"1"})", kPolicy);
  CHECK(m.error().op == R"(manifest: unknown key "owner"; a manifest has count, files, format, name, version)");
  m = parse(R"({"count":1,"files":[)" + policy() + R"(],"format":2,"name":"t","version":"1"})", kPolicy);
  CHECK(m.error().op == R"(manifest: "format" is 2; this cordon reads format 1)");
  m = parse(R"({"count":1,"files":[)" + policy() + R"(],"format":1,"name":"","version":"1"})", kPolicy);
  CHECK(m.error().op == R"(manifest: "name" is empty)");
  m = parse(R"({"count":1,"files":[)" + policy() + R"(],"format":1,"name":"t"})", kPolicy);
  CHECK(m.error().op == R"(manifest: "version" is missing)");
  m = parse(R"({"count":1,"count":1})", "");
  CHECK(m.error().op == R"(manifest: "count" is given twice)");
  m = parse(R"([1])", "");
  CHECK(m.error().op == "manifest: it is an array, not a JSON object");
  m = parse(R"({"count":1,)", "");
  CHECK(m.error().op == "manifest: not valid JSON at byte 12: syntax error while parsing object key - unexpected end of input; "
                        "expected string literal");
  CHECK(error_of(R"({"path":"l","target":"","type":"symlink"},)" + policy(), 2, kPolicy) ==
        R"(manifest: files[0] "l": the symlink's target is empty)");
  CHECK(error_of(R"({"mode":420,"path":"l","target":"x","type":"symlink"},)" + policy(), 2, kPolicy) ==
        R"(manifest: files[0] "l": a symlink entry has no "mode")");
  CHECK(error_of(R"({"path":"d","type":"dir"},)" + policy(), 2, kPolicy) ==
        R"(manifest: files[0] "d": a dir entry needs "mode")");
  CHECK(error_of(R"({"mode":420,"path":"d","type":"fifo"},)" + policy(), 2, kPolicy) ==
        R"(manifest: files[0] "d": type "fifo" is none of file, dir, symlink)");
}

TEST_CASE("package format: the header is checked before anything is allocated") {
  const Limits limits;
  std::string header = encode_header(1ull << 40);
  auto len = parse_header(header, 1ull << 41, limits);
  REQUIRE(!len);
  CHECK(len.error().op == "the package is 2199023255552 bytes, more than the limit of 4294967296 bytes");
  len = parse_header(header, 1ull << 30, limits);
  CHECK(len.error().op == "the manifest is 1099511627776 bytes, more than the limit of 16777216 bytes");
  // parse_manifest does the same check on the header alone (no manifest bytes need follow).
  CHECK(parse_manifest(header, 1ull << 30, limits).error().op == len.error().op);
  CHECK(parse_header(encode_header(100), 50, limits).error().op ==
        "the header gives a manifest of 100 bytes but only 26 bytes follow the header");
  header = encode_header(10);
  header[8] = 2;
  CHECK(parse_header(header, 100, limits).error().op ==
        "package format version 2 is not supported; this cordon reads version 1");
  CHECK(parse_header("PK\x03\x04 zip file here, not ours", 100, limits).error().op ==
        R"(not a cordon package (it does not start with "CORDONPK"))");
  CHECK(parse_header("CORDONPK", 100, limits).error().op == "the package is truncated: its 24-byte header is incomplete");
}

TEST_CASE("package format: the trailer") {
  Trailer t;
  t.public_key[0] = 7;
  t.signature[63] = 9;
  t.body_size = 1000;
  const std::string bytes = encode_trailer(t);
  REQUIRE(bytes.size() == kTrailerSize);
  auto back = parse_trailer(bytes, 1128);
  REQUIRE(back);
  CHECK(back->public_key == t.public_key);
  CHECK(back->signature == t.signature);
  CHECK(parse_trailer(bytes, 1129).error().op ==
        "the trailer gives a body of 1000 bytes but the file holds 1001 bytes before its trailer: "
        "the package was truncated or extended after it was signed");
  CHECK(parse_trailer(bytes, 100).error().op ==
        "the package is truncated: 100 bytes is shorter than a package's header and trailer (152 bytes)");
  CHECK(parse_trailer("x" + bytes.substr(1), 1128).error().op ==
        "no signature trailer at the end of the file: the package was truncated or extended after it was "
        "signed, or never signed");
}
