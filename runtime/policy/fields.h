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
#include "policy/yaml_tree.h"

namespace cordon::policy {

struct Reader {
  const std::string& file;
  Diagnostics& diags;

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

// The variables a path may use (DESIGN.md "Policy model").
const std::vector<std::string>& path_variables();

// Whether a plug attribute value (one item) has the attribute's type: ports are "80" or "8000-8080".
bool value_has_type(const std::string& value, AttributeType type);

// One spelling per value, so that manual-values, conditions and the Plan compare like with like:
// integers and ports without leading zeros ("0080" -> "80", "22-22" -> "22"), paths with $X.
// Values of the wrong type come back unchanged (their error is reported elsewhere).
std::string canonical_value(const std::string& value, AttributeType type);

// Paths the fixed frame of every launch owns, and everything below them: /, /proc, /dev,
// $APP_DATA and cordon's system state (/etc/cordon, /var/lib/cordon, /var/cache/cordon).
// No grant may name them (docs/plan.md). Expects a normalised path ($X, not ${X}).
bool is_reserved_path(std::string_view path);

// Why an environment value cannot be expanded at launch (an unknown $VARIABLE), or nullopt.
std::optional<std::string> env_value_problem(std::string_view value);

// ${NAME} -> $NAME in a valid path.
std::string normalize_variables(std::string_view path);

// Validates a path's text; returns the problem, or nullopt when it is fine.
std::optional<std::string> path_problem(std::string_view path);

}  // namespace cordon::policy
