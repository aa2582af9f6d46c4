// How a command that changes something says what it did: a sentence for a person, or with --json
// one JSON object on one line of stdout for a tool (docs/json.md "Outcomes"). Either way on stdout,
// so that the two never mix with diagnostics on stderr.
#pragma once

#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

namespace cordon::launcher {

inline void say_outcome(bool json, const std::string& sentence, const nlohmann::ordered_json& object) {
  if (json) std::cout << object.dump() << "\n";
  else std::cout << sentence << "\n";
}

}  // namespace cordon::launcher
