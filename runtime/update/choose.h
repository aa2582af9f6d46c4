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
};
const char* to_string(Action action);

struct Choice {
  std::string name;
  std::string installed;        // the current version
  Action action = Action::up_to_date;
  const Source* source = nullptr;  // where the offer comes from (refresh, held, up_to_date, other_key)
  IndexEntry offer;             // the newest acceptable offer (when source is set)
};

// For each app of `apps` (installed and current): the newest version any index offers with the
// app's key. Sources are tried in `indexes` order; a tie in version keeps the first. An offer of
// the very version whose refresh last rolled back here is not taken again (failed_before): the
// device waits for a newer one instead of failing the same health check every few hours.
std::vector<Choice> choose_updates(const std::vector<package::AppState>& apps, const std::vector<AcceptedIndex>& indexes);

}  // namespace cordon::update
