// `cordon run --complain --suggest FILE`: the app's policy with what the run needed added, as a
// whole policy to compare with the original (`diff -u app.yaml FILE`), never written over it.
// The text is the original's, line for line, except the sections that gain something (plugs,
// filesystem, seccomp), which are written anew from the model with the additions merged in, and
// those it lacked, which are appended. Comments inside a rewritten section are not kept.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/model.h"

namespace cordon::policy {

// An attribute's value: a scalar, or a list (`connect-ports: [443, 8080]`).
struct AddedValue {
  std::vector<std::string> items;
  bool list = false;
  AddedValue(std::string scalar) : items{std::move(scalar)} {}  // NOLINT: a scalar is the common case
  AddedValue(const char* scalar) : items{scalar} {}             // NOLINT
  AddedValue(std::vector<std::string> values, bool is_list) : items(std::move(values)), list(is_list) {}
};

struct PlugAddition {
  std::string interface;
  std::vector<std::pair<std::string, AddedValue>> attributes;
  std::string why;  // a comment beside it: "read /home/u/notes.txt"
};

struct Amendment {
  std::vector<PlugAddition> plugs;       // a plug of an interface the app already plugs replaces its attributes
  std::vector<std::string> read_only;    // filesystem entries, absolute host paths
  std::vector<std::string> read_write;
  std::vector<std::string> allow;        // seccomp.allow
  std::vector<std::string> notes;        // comments at the top: what could not be granted, and why
  bool empty() const { return plugs.empty() && read_only.empty() && read_write.empty() && allow.empty(); }
};

std::string amended_policy(std::string_view original, const AppPolicy& app, const Amendment& add);

// A scalar as YAML reads it back unchanged: plain when that is safe, double-quoted otherwise.
std::string yaml_scalar(const std::string& value);

}  // namespace cordon::policy
