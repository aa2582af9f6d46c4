// choose_updates (choose.h).
#include "update/choose.h"

#include <algorithm>

#include "package/version.h"

namespace cordon::update {

const char* to_string(Action action) {
  switch (action) {
    case Action::refresh: return "refresh";
    case Action::up_to_date: return "up-to-date";
    case Action::held: return "held";
    case Action::not_offered: return "not-offered";
    case Action::other_key: return "other-key";
    case Action::failed_before: return "failed-before";
    case Action::ambiguous: return "ambiguous";
  }
  return "up-to-date";
}

namespace {

bool lists(const Source& s, const std::string& app) { return std::binary_search(s.apps.begin(), s.apps.end(), app); }

// The indexes whose source may serve `app` (choose.h).
std::vector<const AcceptedIndex*> serving(const package::AppState& app, const std::vector<AcceptedIndex>& indexes) {
  std::vector<const AcceptedIndex*> out;
  for (const AcceptedIndex& ai : indexes)
    if (lists(*ai.source, app.name)) out.push_back(&ai);
  if (!out.empty()) return out;
  for (const AcceptedIndex& ai : indexes)
    if (app.source.empty() ? ai.source->apps.empty() : ai.source->name == app.source) out.push_back(&ai);
  return out;
}

// Whether `app` is to be served by the open sources (bound to none, named in no apps:), and if so,
// which of them offer it with its key (more than one: ambiguous).
bool served_openly(const package::AppState& app, const std::vector<const AcceptedIndex*>& candidates, Choice& c) {
  const bool open_choice = app.source.empty() && std::none_of(candidates.begin(), candidates.end(), [&](const AcceptedIndex* ai) {
    return lists(*ai->source, app.name);
  });
  if (!open_choice) return false;
  for (const AcceptedIndex* ai : candidates)
    if (const IndexEntry* e = ai->index.index.find(app.name); e && e->key == app.key) c.offered_by.push_back(ai->source->name);
  return true;
}

Choice choose_one(const package::AppState& app, const std::vector<AcceptedIndex>& indexes) {
  Choice c;
  c.name = app.name;
  const package::Revision* current = app.current_revision();
  c.installed = current ? current->version : "";
  const std::vector<const AcceptedIndex*> candidates = serving(app, indexes);
  const bool open_choice = !app.held && served_openly(app, candidates, c);  // fills offered_by
  if (open_choice && c.offered_by.size() > 1) {
    c.action = Action::ambiguous;
    return c;
  }
  c.open_choice = open_choice;
  c.offered_by.clear();
  bool offered_with_other_key = false;
  for (const AcceptedIndex* ai : candidates) {
    const IndexEntry* e = ai->index.index.find(app.name);
    if (!e) continue;
    if (e->key != app.key) {
      if (!c.source) {
        offered_with_other_key = true;
        c.source = ai->source;
        c.offer = *e;
      }
      continue;
    }
    if (c.source && !offered_with_other_key && !package::version_newer(e->version, c.offer.version)) continue;
    offered_with_other_key = false;
    c.source = ai->source;
    c.offer = *e;
  }
  if (!c.source) {
    c.action = Action::not_offered;
    for (const AcceptedIndex& ai : indexes)  // offers it may not take: the owner may want to know why
      if (ai.index.index.find(app.name)) c.offered_by.push_back(ai.source->name);
  }
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
