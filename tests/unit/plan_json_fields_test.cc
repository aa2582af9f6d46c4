// The JSON of `cordon explain --json` keeps its own, documented shape (docs/plan.md), so it has an
// encoder of its own; this test holds it to the Plan's one field list (plan/plan_fields.h) all the
// same: every field of every struct, filled in, shows in the JSON — change it and the JSON
// changes. A field added to the Plan and its list but forgotten in plan_json.cc fails here.
#include <doctest/doctest.h>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "plan/plan.h"
#include "plan/plan_fields.h"
#include "plan/plan_json.h"

namespace cordon::plan {

namespace {

// Gives every list one element and every value something to show. Rules get `action` (the JSON
// shows an errno rule's errno, any other rule's argument test): two fills cover both.
struct Filler {
  RuleAction action;
  template <class T>
  void operator()(T&& field) {
    fill(field);
  }
  void fill(std::string& s) { s = "x"; }
  void fill(bool& b) { b = false; }
  template <class N>
    requires std::is_arithmetic_v<N>
  void fill(N& n) { n = 1; }
  template <class E>
    requires std::is_enum_v<E>
  void fill(E&) {}
  template <class U>
  void fill(std::vector<U>& v) {
    if (v.empty()) v.emplace_back();
    fill(v.front());
  }
  template <class A, class B>
  void fill(std::pair<A, B>& p) {
    fill(p.first), fill(p.second);
  }
  template <class U>
  void fill(ExplainOnly<U>& e) {
    fill(e.field);
  }
  void fill(Source& s) { s = Source{Origin::plug, "p", "f.yaml", 1}; }  // a plug's source shows all four
  void fill(Rule& r) {
    Fields<Rule>::each(r, *this);
    r.action = action;
    r.if_arg = 1;
  }
  template <class S>
  void fill(S& s) {
    Fields<S>::each(s, *this);
  }
};

// Changes the leaf (string, number, bool, enum) numbered `target` in walk order, the first
// element of each list standing for all; says whether it found one.
struct Changer {
  int target;
  int seen = 0;
  template <class T>
  void operator()(T&& field) {
    change(field);
  }
  bool mine() { return seen++ == target; }
  void change(std::string& s) {
    if (mine()) s += "~";
  }
  void change(bool& b) {
    if (mine()) b = !b;
  }
  template <class N>
    requires std::is_arithmetic_v<N>
  void change(N& n) {
    if (mine()) n += 1;
  }
  template <class E>
    requires std::is_enum_v<E>
  void change(E& e) {
    if (mine()) e = e == kLastOf<E> ? E{} : static_cast<E>(static_cast<int>(e) + 1);
  }
  template <class U>
  void change(std::vector<U>& v) {
    if (!v.empty()) change(v.front());
  }
  template <class A, class B>
  void change(std::pair<A, B>& p) {
    change(p.first), change(p.second);
  }
  template <class U>
  void change(ExplainOnly<U>& e) {
    change(e.field);
  }
  template <class S>
  void change(S& s) {
    Fields<S>::each(s, *this);
  }
};

Plan filled(RuleAction action) {
  Plan p;
  Filler filler{action};
  filler.fill(p);
  return p;
}

}  // namespace

TEST_CASE("plan JSON: every field of the Plan's field list shows in explain --json") {
  const Plan deny_rules = filled(RuleAction::deny), errno_rules = filled(RuleAction::fail_with_errno);
  const std::string deny_json = to_json(deny_rules).dump(), errno_json = to_json(errno_rules).dump();
  int leaves = 0;
  for (int k = 0;; ++k) {
    Plan a = deny_rules, b = errno_rules;
    Changer ca{k}, cb{k};
    ca.change(a);
    cb.change(b);
    if (ca.seen <= k) break;  // every leaf visited
    leaves = k + 1;
    INFO("leaf ", k, " in Fields<> walk order (plan/plan_fields.h)");
    CHECK((to_json(a).dump() != deny_json || to_json(b).dump() != errno_json));
  }
  CHECK(leaves > 40);  // the walk reached the nested structs, not only the Plan's own fields
}

}  // namespace cordon::plan
