// How diagnostics read: the compiler-style text with a caret, and the versioned JSON.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "policy/suggest.h"
#include "support.h"

using namespace cordon::policy;

TEST_CASE("text: file:line:col, the source line, a caret, then notes") {
  Diagnostics diags;
  const std::string text = "schema: 1\nname: Demo\n";
  diags.error(Where{"app.yaml", 2, 7}, "bad name").notes.push_back(note(Where{"app.yaml", 1, 1}, "see here"));
  const std::string out = render_text(diags, {{"app.yaml", text}});
  CHECK(out ==
        "app.yaml:2:7: error: bad name\n"
        "    name: Demo\n"
        "          ^\n"
        "app.yaml:1:1: note: see here\n"
        "    schema: 1\n"
        "    ^\n");
}

TEST_CASE("diagnostics come out in file order, whatever order they were found in") {
  Diagnostics diags;
  diags.error(Where{"a.yaml", 5, 1}, "later");
  diags.error(Where{"a.yaml", 2, 3}, "earlier");
  diags.warning(Where{"b.yaml", 1, 1}, "other file");
  diags.error(Where{"a.yaml", 2, 1}, "earliest");
  auto j = render_json(diags);
  CHECK(j["version"] == 1);
  REQUIRE(j["diagnostics"].size() == 4);
  CHECK(j["diagnostics"][0]["message"] == "earliest");
  CHECK(j["diagnostics"][1]["message"] == "earlier");
  CHECK(j["diagnostics"][2]["message"] == "later");
  CHECK(j["diagnostics"][3] == nlohmann::ordered_json{{"file", "b.yaml"}, {"line", 1}, {"column", 1},
                                              {"severity", "warning"}, {"message", "other file"}});
}

TEST_CASE("did you mean: close words only, bounded on long junk") {
  const std::vector<std::string> keys{"command", "environment", "filesystem"};
  CHECK(closest("comand", keys) == "command");
  CHECK(closest("enviroment", keys) == "environment");
  CHECK(closest("xyz", keys) == std::nullopt);
  CHECK(closest(std::string(100000, 'a'), keys) == std::nullopt);
}

TEST_CASE("quoted values escape control characters and are cut") {
  CHECK(quoted("a\nb") == "'a\\nb'");
  CHECK(quoted(std::string(100, 'x'), 3) == "'xxx...'");
}
