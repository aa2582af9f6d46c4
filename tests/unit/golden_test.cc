// Each example resolves to exactly its golden Plan (tests/golden/NAME.json). A change to the Plan
// shows up as a diff here; regenerate only on purpose with CORDON_UPDATE_GOLDEN=1 and review it.
#include <doctest/doctest.h>

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "plan/plan_json.h"
#include "support.h"

namespace {

std::vector<std::string> example_names() {
  std::vector<std::string> names;
  DIR* d = ::opendir((cordon::test::source_dir() + "/examples").c_str());
  REQUIRE(d);
  while (const dirent* e = ::readdir(d)) {
    const std::string f = e->d_name;
    if (f.size() > 5 && f.compare(f.size() - 5, 5, ".yaml") == 0) names.push_back(f.substr(0, f.size() - 5));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

TEST_CASE("every example matches its golden Plan") {
  const bool update = std::getenv("CORDON_UPDATE_GOLDEN") != nullptr;
  const auto names = example_names();
  CHECK(names.size() >= 3);
  for (const std::string& name : names) {
    CAPTURE(name);
    cordon::policy::Diagnostics diags;
    cordon::policy::SourceTexts sources;
    auto bundle = cordon::policy::load_bundle(cordon::test::source_dir() + "/examples/" + name + ".yaml",
                                              cordon::test::shipped_paths(), diags, sources);
    REQUIRE(bundle);
    auto plan = cordon::plan::resolve(*bundle, {}, diags);
    REQUIRE(plan);
    CHECK(diags.items().empty());
    const std::string json = cordon::plan::to_json_text(*plan);
    const std::string golden_path = cordon::test::source_dir() + "/tests/golden/" + name + ".json";
    if (update) std::ofstream(golden_path) << json;
    CHECK(json == slurp(golden_path));
  }
}
