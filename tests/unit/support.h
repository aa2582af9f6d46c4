// Helpers for the pure unit tests: parse from strings, read diagnostics back as "LINE:COL: message".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "plan/plan.h"
#include "plan/resolve.h"
#include "policy/bundle.h"
#include "policy/diagnostics.h"
#include "policy/load.h"

namespace cordon::test {

// "LINE:COL: SEVERITY: MESSAGE" for each diagnostic in file order, notes included.
std::vector<std::string> lines(const policy::Diagnostics& diags);
// Only the errors, as "LINE:COL: MESSAGE".
std::vector<std::string> errors(const policy::Diagnostics& diags);

// Parses an app policy from text (file name "app.yaml"); returns the errors.
std::vector<std::string> app_errors(const std::string& yaml);
std::vector<std::string> interface_errors(const std::string& yaml);

// The shipped catalogue in the source tree (policies/).
std::string source_dir();
policy::SearchPaths shipped_paths();

// Resolves an app given as text against the shipped interfaces plus `extra_interfaces` (texts)
// that take precedence. On failure the Plan is empty; diagnostics are returned either way.
struct Resolved {
  std::optional<plan::Plan> plan;
  policy::Diagnostics diags;
};
Resolved resolve_text(const std::string& app_yaml, const std::vector<std::string>& extra_interfaces = {},
                      const plan::ResolveOptions& options = {});

}  // namespace cordon::test

// So that a failed CHECK on a list of diagnostics prints the lists.
namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string out = "{";
    for (const std::string& s : v) out += "\n  \"" + s + "\"";
    return (out + "}").c_str();
  }
};
}  // namespace doctest
