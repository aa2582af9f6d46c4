// Variables in `command` and `health-check` words (docs/policy-reference.md "Variables in
// arguments"): `$NAME` or `${NAME}` where NAME is upper case (A-Z, 0-9, _; not starting with a
// digit) is cordon's, expanded at launch to the app's environment value or, where the
// environment has none, to the Plan variable ($APP_DATA, $APP_ROOT, $UID, $XDG_RUNTIME_DIR).
// `$$NAME` is a literal "$NAME"; any other `$$` stays `$$` (a shell's process id). Everything else
// after a '$' ($n, $1, $(...), ${x:-y}, $) is left as written, for a shell the command may be. The scanner is shared by resolution (which refuses an
// unknown name at its line) and the launch (which expands), so the two never read a word apart.
// A name that only a plug not connected would set expands to "" (resolution knew it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::plan {

// One piece of a word: literal text ($$NAME already made "$NAME") or a variable to expand.
struct ArgumentPart {
  bool variable = false;
  std::string text;         // the literal text, or the variable's name
  std::size_t offset = 0;   // where the piece starts in the word (the '$' of a variable)
};

std::vector<ArgumentPart> split_argument(std::string_view word);

// The variables a word uses, in order.
std::vector<ArgumentPart> argument_variables(std::string_view word);

// The Plan variables an argument may use even when the app's environment does not set them.
const std::vector<std::string>& argument_plan_variables();

}  // namespace cordon::plan
