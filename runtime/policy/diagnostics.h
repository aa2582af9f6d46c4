// Diagnostics of policy files: the compiler-style messages integrators read, and their JSON form.
// Collects every problem of a load in one pass; rendering needs the source text for the caret line.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cordon::policy {

// A place in a source file; 1-based. line 0 means "the whole file".
struct Where {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Severity { error, warning, note };
const char* to_string(Severity s);

struct Diagnostic {
  Where where;
  Severity severity = Severity::error;
  std::string message;
  std::vector<Diagnostic> notes;  // context printed right after this diagnostic
};

// Keeps the first kMaxKept diagnostics and counts the rest: a file with 90,000 mistakes gets a
// readable report in linear time, and the count says how many were left out.
class Diagnostics {
 public:
  static constexpr std::size_t kMaxKept = 200;

  Diagnostic& error(Where where, std::string message);
  Diagnostic& warning(Where where, std::string message);
  bool has_errors() const;
  std::size_t error_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  std::size_t dropped() const { return dropped_; }
  // Orders each file's diagnostics by line and column, files in the order they first appear.
  std::vector<Diagnostic> in_file_order() const;

 private:
  Diagnostic& add(Diagnostic d);
  std::vector<Diagnostic> items_;
  std::size_t errors_ = 0;
  std::size_t dropped_ = 0;
  Diagnostic overflow_;  // what error() hands back once the list is full; never shown
};

Diagnostic note(Where where, std::string message);

// The text of each file that was read, so that a diagnostic can quote its line.
using SourceTexts = std::map<std::string, std::string>;

// "file:line:col: error: message", then the source line and a caret under the column.
// Columns count bytes (like gcc and clang); the caret is placed by characters.
// `colour`: ANSI colours for a terminal (the launcher decides: colour_on_stderr()).
std::string render_text(const Diagnostics& diags, const SourceTexts& sources, bool colour = false);
// {"version": 1, "diagnostics": [{file, line, column, severity, message}, ...]}; notes follow their diagnostic.
nlohmann::ordered_json render_json(const Diagnostics& diags);

}  // namespace cordon::policy
