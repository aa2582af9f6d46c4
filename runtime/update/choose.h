// Which installed apps a refresh updates, and from which source: pure decisions over the store's
// records and the indexes a device accepted, so they can be tested without a network.
#pragma once

#include <string>
#include <vector>

#include "package/store.h"
#include "update/index.h"
#include "update/source.h"

namespace cordon::update {

struct AcceptedIndex {
  const Source* source = nullptr;
  VerifiedIndex index;
};

enum class Action {
  refresh,        // a newer version is offered, signed by the key the app is bound to
  up_to_date,     // nothing newer is offered
  held,           // `cordon refresh --hold`: left alone, whatever is offered
  not_offered,    // no source offers this app (it was installed from a file)
  other_key,      // a source offers it, but signed by another key than the app's: install would refuse
  failed_before,  // the version offered is the one that failed its health check here and was rolled back
  ambiguous,      // an app no source is bound to is offered by several: which one is the vendor's channel?
};
const char* to_string(Action action);

struct Choice {
  std::string name;
  std::string installed;        // the current version
  Action action = Action::up_to_date;
  const Source* source = nullptr;  // where the offer comes from (refresh, held, up_to_date, other_key)
  IndexEntry offer;             // the newest acceptable offer (when source is set)
  // Taken from the open sources, for an app bound to none: safe only when every source was read,
  // else the one unread may be the app's own (the caller reports it unchecked).
  bool open_choice = false;
  // ambiguous: the sources that offer it with its key; not_offered: sources that offer it but may not serve it
  std::vector<std::string> offered_by;
};

// For each app of `apps` (installed and current): the newest version offered with the app's key by
// the sources that may serve it. Those are the sources whose `apps:` names it, if any does; else
// the source the app last came from (AppState::source), if it has one; else every source without
// an `apps:` list, and then two of them offering it with its key is `ambiguous` rather than a race
// between them. So one source cannot hold back, or steer, an app another source serves.
// Sources are tried in `indexes` order; a tie in version keeps the first. An offer of the very
// version whose refresh last rolled back here is not taken again (failed_before): the device waits
// for a newer one instead of failing the same health check every few hours.
std::vector<Choice> choose_updates(const std::vector<package::AppState>& apps, const std::vector<AcceptedIndex>& indexes);

}  // namespace cordon::update
