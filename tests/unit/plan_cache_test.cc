// The Plan cache keeps every field: a Plan decoded from its bytes equals the one resolved from the
// YAML, member by member (operator== is defaulted on every Plan struct, so it compares members the
// field list in plan/plan_fields.h might have missed). And a malformed file is refused, never
// half-read.
#include <doctest/doctest.h>

#include <dirent.h>

#include <algorithm>

#include "app/plan_for.h"
#include "cache/plan_codec.h"
#include "plan/plan_json.h"
#include "support.h"

namespace {

using cordon::cache::Reader;
using cordon::cache::Writer;
namespace plan = cordon::plan;

std::vector<std::string> example_files() {
  std::vector<std::string> files;
  const std::string dir = cordon::test::source_dir() + "/examples";
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d);
  while (const dirent* e = ::readdir(d)) {
    const std::string f = e->d_name;
    if (f.size() > 5 && f.compare(f.size() - 5, 5, ".yaml") == 0) files.push_back(dir + "/" + f);
  }
  ::closedir(d);
  std::sort(files.begin(), files.end());
  return files;
}

plan::Plan resolved(const std::string& file) {
  cordon::policy::Diagnostics diags;
  cordon::policy::SourceTexts sources;
  auto p = cordon::app::plan_for(file, cordon::test::shipped_paths(), {}, diags, sources);
  REQUIRE(p);
  return *p;
}

std::string encoded(const plan::Plan& p) {
  Writer w;
  cordon::cache::encode_plan(w, p);
  return w.bytes();
}

std::optional<plan::Plan> decoded(const std::string& bytes,
                                  cordon::cache::PlanPart part = cordon::cache::PlanPart::whole) {
  Reader r(bytes);
  return cordon::cache::decode_plan(r, part);
}

// Each top-level field on its own, so a failure names the field's position in plan_fields.h.
std::vector<std::string> fields_of(const plan::Plan& p) {
  std::vector<std::string> out;
  plan::Fields<plan::Plan>::each(p, [&](const auto& field) {
    Writer w;
    cordon::cache::codec_detail::Encoder{w, cordon::cache::codec_detail::Pass::full}(field);
    out.push_back(w.bytes());
  });
  return out;
}

}  // namespace

TEST_CASE("golden: the plan cache round-trips every field of every example") {
  for (const std::string& file : example_files()) {
    CAPTURE(file);
    const plan::Plan original = resolved(file);
    const auto back = decoded(encoded(original));
    REQUIRE(back);
    const auto want = fields_of(original), got = fields_of(*back);
    REQUIRE(want.size() == got.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      CAPTURE(i);
      CHECK(want[i] == got[i]);
    }
    CHECK(*back == original);  // every member, including any plan_fields.h does not list
    CHECK(plan::to_json_text(*back) == plan::to_json_text(original));
  }
}

TEST_CASE("the plan cache keeps provenance: a plug's grant names the plug after a round trip") {
  const plan::Plan original = resolved(cordon::test::source_dir() + "/examples/fetch-url.yaml");
  const auto back = decoded(encoded(original));
  REQUIRE(back);
  REQUIRE(!back->network_from.empty());
  CHECK(back->network_from.front().origin == plan::Origin::plug);
  CHECK(back->network_from.front().name == "network");
}

TEST_CASE("a launch's part of the plan cache has every field but the explain-only ones") {
  const plan::Plan original = resolved(cordon::test::source_dir() + "/examples/fetch-url.yaml");
  const auto launch = decoded(encoded(original), cordon::cache::PlanPart::launch);
  REQUIRE(launch);
  plan::Plan expected = original;  // what plan_fields.h marks explain_only, cleared
  expected.syscall_sets.clear();
  for (auto* list : {&expected.syscalls, &expected.denied, &expected.socket_families})
    for (plan::Named& n : *list) n.from.clear();
  for (plan::Rule& r : expected.rules) r.why.clear(), r.from.clear();
  CHECK(*launch == expected);
  CHECK(launch->devices == original.devices);  // device provenance: warm messages name the plug
  CHECK(launch->mounts == original.mounts);
}

TEST_CASE("a malformed plan cache is refused, never half-read") {
  const std::string bytes = encoded(resolved(cordon::test::source_dir() + "/examples/fetch-url.yaml"));
  for (std::size_t cut : {std::size_t{0}, std::size_t{7}, bytes.size() / 2, bytes.size() - 1}) {
    CHECK_FALSE(decoded(bytes.substr(0, cut)));
    CHECK_FALSE(decoded(bytes.substr(0, cut), cordon::cache::PlanPart::launch));
  }
  // The first field is Plan::version (8 bytes), then the app name's length: a length past the end.
  std::string long_name = bytes;
  long_name[8 + 7] = '\x7f';
  CHECK_FALSE(decoded(long_name));
  CHECK_FALSE(decoded(bytes + '\0'));  // the Plan is the whole rest of the file
  // An enumerator no enum has: encode a Plan whose network mode is out of range.
  plan::Plan odd = resolved(cordon::test::source_dir() + "/examples/fetch-url.yaml");
  odd.network = static_cast<plan::NetworkMode>(7);
  CHECK_FALSE(decoded(encoded(odd)));
}
