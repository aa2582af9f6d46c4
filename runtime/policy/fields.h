// Typed readers over the YAML tree for the schema-1 loaders. Each reader reports what was found
// and what is accepted, at the node's position, and returns nullopt on a bad value so the loader
// can go on and report the next problem too.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/model.h"
#include "policy/values.h"
#include "policy/yaml_tree.h"

namespace cordon::policy {

struct Reader {
  const std::string& file;
  Diagnostics& diags;
  // An interface's attributes, while its grants are read: a path may then hold @{NAME} for an
  // integer attribute (model.h Grants), checked as if it were a number.
  const std::vector<AttributeSpec>* attributes = nullptr;

  Where at(const YamlNode& n) const { return where_of(file, n); }
  void error(const YamlNode& n, std::string message) const { diags.error(at(n), std::move(message)); }

  // Checks that `n` is a mapping; reports every key not in `known` (with a suggestion).
  bool mapping(const YamlNode& n, std::string_view what, const std::vector<std::string>& known) const;
  bool sequence(const YamlNode& n, std::string_view what) const;
  // Reports a missing required key at the mapping itself.
  const YamlNode* required(const YamlNode& map, std::string_view key, std::string_view what) const;

  std::optional<std::string> string(const YamlNode& n, std::string_view what) const;
  // A string without newlines or control characters (summaries).
  std::optional<std::string> one_line(const YamlNode& n, std::string_view what) const;
  std::optional<std::uint64_t> integer(const YamlNode& n, std::string_view what, std::uint64_t min,
                                       std::uint64_t max) const;
  std::optional<bool> boolean(const YamlNode& n, std::string_view what) const;
  // A string matching ^[a-z][a-z0-9-]{0,39}$ (app, interface and set names).
  std::optional<std::string> name(const YamlNode& n, std::string_view what) const;
  std::vector<Located<std::string>> string_list(const YamlNode& n, std::string_view what) const;
  // A path as DESIGN.md allows: absolute or starting with a known $VARIABLE, no '..'.
  std::optional<std::string> path(const YamlNode& n, std::string_view what) const;
  // "512MiB" -> bytes; "60s" -> milliseconds.
  std::optional<std::uint64_t> size(const YamlNode& n, std::string_view what) const;
  std::optional<std::uint64_t> duration_ms(const YamlNode& n, std::string_view what) const;
  // A syscall name known to libseccomp (on any architecture), or a list of them.
  std::optional<std::string> syscall(const YamlNode& n, std::string_view what) const;
  std::vector<Located<std::string>> syscall_list(const YamlNode& n, std::string_view what) const;

  // Sections shared by app policies and interface files.
  Filesystem filesystem(const YamlNode& n) const;
  std::vector<PathEntry> path_entries(const YamlNode& n, std::string_view what) const;
  std::vector<EnvVar> environment(const YamlNode& n) const;
  Limits limits(const YamlNode& n) const;
};

// Checks `schema:`. False only for a schema other than 1: such a file is not read further, since its
// keys may mean other things. A missing `schema:` is reported and the file is read as schema 1.
bool check_schema_version(const Reader& r, const YamlNode& root, std::string_view what);

// The start every loader shares: parse, require a mapping with only `keys`, check `schema:`.
std::optional<YamlNode> read_document(const Reader& r, std::string_view text, std::string_view what,
                                      const std::vector<std::string>& keys);

}  // namespace cordon::policy
