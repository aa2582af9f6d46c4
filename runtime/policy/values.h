// What a value in a policy may be, whatever file it is in: the checks and canonical spellings the
// loaders share (pure functions on strings; no YAML, no positions).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/model.h"

namespace cordon::policy {

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

// `text` with each @{NAME} replaced by value_of(NAME); nullopt when value_of gives nothing for one
// (`problem`, when given, then says why) or a reference is unterminated.
std::optional<std::string> replace_attribute_references(
    const std::string& text, const std::function<std::optional<std::string>(const std::string&, std::string&)>& value_of,
    std::string* problem = nullptr);

// Interface grants may hold @{NAME}: a plug's attribute value put in at resolution (model.h
// Grants). `text` with each reference replaced by a sample value of its attribute, so that the
// result can be checked like any path: "0" for an integer attribute, and for a string attribute
// (allowed only when `strings`, as in environment values) "x". nullopt with `problem` set when a
// reference is unterminated, names no attribute, or one of another type.
std::optional<std::string> with_sample_values(const std::string& text, const std::vector<AttributeSpec>& attrs,
                                              bool strings, std::string& problem);

}  // namespace cordon::policy
