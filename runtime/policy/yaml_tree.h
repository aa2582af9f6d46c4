// A small, bounded YAML document tree built from yaml-cpp's event parser. It keeps the position
// of every node and key, and refuses what policy files never need and attackers love: anchors and
// aliases (billion-laughs), tags, duplicate keys, deep nesting, huge or non-UTF-8 input.
// It does not interpret scalars; the readers in fields.h do that.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/diagnostics.h"

namespace cordon::policy {

struct YamlNode {
  enum class Kind { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string scalar;   // for scalars
  bool quoted = false;  // a quoted scalar is always a string, never a number or a boolean
  std::vector<YamlNode> items;                             // for sequences
  std::vector<std::pair<YamlNode, YamlNode>> entries;      // for mappings; keys are scalars

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }
  const YamlNode* find(std::string_view key) const;  // mappings only; nullptr when absent

  // The destructor is declared here and defined below the class: clang with libstdc++ otherwise
  // instantiates ~vector<pair<YamlNode, YamlNode>> while that pair is still incomplete (the fuzz build).
  YamlNode() = default;
  YamlNode(const YamlNode&) = default;
  YamlNode(YamlNode&&) noexcept = default;
  YamlNode& operator=(const YamlNode&) = default;
  YamlNode& operator=(YamlNode&&) noexcept = default;
  ~YamlNode();
};
inline YamlNode::~YamlNode() = default;

struct YamlLimits {
  std::size_t max_bytes = 1 << 20;   // 1 MiB: a policy is a page or two; bigger is an attack or a mistake
  int max_depth = 32;                // schema 1 nests at most 6 levels
  std::size_t max_nodes = 100000;    // bounds memory and time whatever the shape
};

// Parses one document. On any problem, adds errors located in `file` and returns nullopt.
// An empty document yields a null node.
std::optional<YamlNode> parse_yaml(std::string_view text, const std::string& file, Diagnostics& diags,
                                   const YamlLimits& limits = {});

// Where a node sits, for diagnostics.
Where where_of(const std::string& file, const YamlNode& node);

}  // namespace cordon::policy
