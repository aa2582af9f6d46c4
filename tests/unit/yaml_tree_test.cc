// The bounded YAML reader: what it refuses, and where it says so.
#include <doctest/doctest.h>

#include "policy/yaml_tree.h"
#include "support.h"

using cordon::policy::Diagnostics;
using cordon::policy::parse_yaml;
using cordon::policy::YamlLimits;

namespace {

std::vector<std::string> yaml_errors(const std::string& text, const YamlLimits& limits = {}) {
  Diagnostics diags;
  parse_yaml(text, "t.yaml", diags, limits);
  return cordon::test::errors(diags);
}

}  // namespace

TEST_CASE("positions are 1-based and point at the node") {
  Diagnostics diags;
  auto root = parse_yaml("a: 1\nlist:\n  - x\n  - 'y'\n", "t.yaml", diags);
  REQUIRE(root);
  const auto* list = root->find("list");
  REQUIRE(list);
  CHECK(list->items.at(0).line == 3);
  CHECK(list->items.at(0).column == 5);
  CHECK_FALSE(list->items.at(0).quoted);
  CHECK(list->items.at(1).quoted);
}

TEST_CASE("anchors, aliases, merge keys and tags are refused") {
  CHECK(yaml_errors("a: &x 1\nb: *x\n") ==
        std::vector<std::string>{"1:4: anchor '&x' is not allowed in policy files; write the value out"});
  CHECK(yaml_errors("a:\n  <<: {b: 1}\n") ==
        std::vector<std::string>{"2:3: merge keys ('<<') are not allowed in policy files; write the entries out"});
  CHECK(yaml_errors("a: !!str 1\n") ==
        std::vector<std::string>{"1:4: tag 'tag:yaml.org,2002:str' is not allowed in policy files"});
  CHECK(yaml_errors("a: !x [1]\n") == std::vector<std::string>{"1:4: tag '!x' is not allowed in policy files"});
}

TEST_CASE("a billion-laughs bomb is refused at its first anchor, quickly") {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", " : "") + "*" + static_cast<char>(c - 1);
    bomb += "]\n";
  }
  CHECK(yaml_errors(bomb).size() == 1);
}

TEST_CASE("duplicate keys are reported with the first definition as a note, and reading goes on") {
  Diagnostics diags;
  auto root = parse_yaml("a: 1\nb: 2\na: 3\nc: [1, 2]\nc: 4\n", "t.yaml", diags);
  CHECK(root);  // still read, so the loader can report the file's other problems too
  CHECK(cordon::test::lines(diags) == std::vector<std::string>{"3:1: error: duplicate key 'a'",
                                                               "1:1: note: first defined here",
                                                               "5:1: error: duplicate key 'c'",
                                                               "4:1: note: first defined here"});
}

TEST_CASE("nesting is bounded, in flow and block style") {
  CHECK(yaml_errors(std::string(40, '[') + std::string(40, ']')) ==
        std::vector<std::string>{"1:33: nesting deeper than 32 levels"});
  CHECK(yaml_errors(std::string(100000, '[')).size() == 1);  // no stack overflow, one clear error
  std::string block;
  for (int i = 0; i < 40; ++i) block += std::string(static_cast<std::size_t>(i) * 2, ' ') + "k:\n";
  CHECK(yaml_errors(block).size() == 1);
}

TEST_CASE("raw input checks: size, NUL, UTF-8") {
  YamlLimits small;
  small.max_bytes = 16;
  CHECK(yaml_errors(std::string(17, 'a'), small) ==
        std::vector<std::string>{"0:0: file is 17 bytes; policy files are limited to 16 bytes"});
  CHECK(yaml_errors(std::string("a: 1\nb: x\0y\n", 12)) ==
        std::vector<std::string>{"2:5: NUL byte in file; policy files are UTF-8 text"});
  CHECK(yaml_errors("a: caf\xe9\n") == std::vector<std::string>{"1:7: file is not valid UTF-8"});
  CHECK(yaml_errors("a: \xc0\xaf\n") == std::vector<std::string>{"1:4: file is not valid UTF-8"});      // overlong '/'
  CHECK(yaml_errors("a: \xed\xa0\x80\n") == std::vector<std::string>{"1:4: file is not valid UTF-8"});  // surrogate
  CHECK(yaml_errors("a: caf\xc3\xa9 \xe2\x9c\x93\n").empty());
}

TEST_CASE("more than one document, syntax errors and node counts") {
  CHECK(yaml_errors("a: 1\n---\nb: 2\n") == std::vector<std::string>{"2:1: more than one YAML document in file"});
  CHECK(yaml_errors("a: [1, 2\n").size() == 1);
  YamlLimits few;
  few.max_nodes = 10;
  CHECK(yaml_errors("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", few) ==
        std::vector<std::string>{"1:29: more than 10 YAML nodes in file"});
}

TEST_CASE("non-scalar keys are refused") {
  CHECK(yaml_errors("? [a]\n: 1\n") == std::vector<std::string>{"1:3: mapping keys must be plain strings"});
}
