// choose_updates (choose.h).
#include "update/choose.h"

#include "package/lifecycle.h"

namespace cordon::update {

const char* to_string(Action action) {
  switch (action) {
    case Action::refresh: return "refresh";
    case Action::up_to_date: return "up-to-date";
    case Action::held: return "held";
    case Action::not_offered: return "not-offered";
    case Action::other_key: return "other-key";
    case Action::failed_before: return "failed-before";
  }
  return "up-to-date";
}

namespace {

Choice choose_one(const package::AppState& app, const std::vector<AcceptedIndex>& indexes) {
  Choice c;
  c.name = app.name;
  const package::Revision* current = app.current_revision();
  c.installed = current ? current->version : "";
  bool offered_with_other_key = false;
  for (const AcceptedIndex& ai : indexes) {
    const IndexEntry* e = ai.index.index.find(app.name);
    if (!e) continue;
    if (e->key != app.key) {
      if (!c.source) {
        offered_with_other_key = true;
        c.source = ai.source;
        c.offer = *e;
      }
      continue;
    }
    if (c.source && !offered_with_other_key && !package::version_newer(e->version, c.offer.version)) continue;
    offered_with_other_key = false;
    c.source = ai.source;
    c.offer = *e;
  }
  if (!c.source) c.action = Action::not_offered;
  else if (offered_with_other_key) c.action = Action::other_key;
  else if (app.held) c.action = Action::held;
  else if (!package::version_newer(c.offer.version, c.installed)) c.action = Action::up_to_date;
  else if (app.last && app.last->result == "rolled-back" && app.last->version == c.offer.version)
    c.action = Action::failed_before;
  else c.action = Action::refresh;
  return c;
}

}  // namespace

std::vector<Choice> choose_updates(const std::vector<package::AppState>& apps, const std::vector<AcceptedIndex>& indexes) {
  std::vector<Choice> out;
  out.reserve(apps.size());
  for (const package::AppState& app : apps) out.push_back(choose_one(app, indexes));
  return out;
}

}  // namespace cordon::update
