// `cordon refresh [APP...]` from the update sources, `cordon refresh --hold|--unhold APP`, and
// `cordon publish` (docs/updates.md). The update layer verifies and decides; this file fetches in
// order, installs through the same path as `cordon install`, prints, and maps to exit codes:
// 0 all up to date, 2 some refreshed, 3 some rolled back, 4 a source unreachable, 1 refused, 125 failed.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "launcher/host.h"
#include "launcher/installed.h"
#include "launcher/lifecycle_io.h"
#include "package/keys.h"
#include "package/lifecycle.h"
#include "package/store.h"
#include "policy/suggest.h"
#include "update/accepted.h"
#include "update/choose.h"
#include "update/fetch.h"
#include "update/publish.h"
#include "update/source.h"
#include "util/dirs.h"
#include "util/unique_fd.h"

namespace cordon::launcher {

namespace {

using json = nlohmann::ordered_json;
using update::Action;

// What happened, from best to worst; the exit status is the worst that happened.
enum class Status { up_to_date, refreshed, rolled_back, unreachable, failed, refused };

int exit_code(Status r) {
  switch (r) {
    case Status::up_to_date: return kExitOk;
    case Status::refreshed: return kExitRefreshed;
    case Status::rolled_back: return kExitRolledBack;
    case Status::unreachable: return kExitUnreachable;
    case Status::failed: return kExitCordon;
    case Status::refused: return kExitInvalid;
  }
  return kExitCordon;
}

// Severity for the exit status: refused (a security refusal) outranks cordon failing, which
// outranks an unreachable source (normal on a device that is offline).
int rank(Status r) {
  switch (r) {
    case Status::up_to_date: return 0;
    case Status::refreshed: return 1;
    case Status::rolled_back: return 2;
    case Status::unreachable: return 3;
    case Status::failed: return 4;
    case Status::refused: return 5;
  }
  return 4;
}

Status kind_of(const Error& e) {
  if (e.step == update::kUnreachable) return Status::unreachable;
  if (e.step == update::kRefused) return Status::refused;
  return Status::failed;
}

const char* to_string(Status r) {
  switch (r) {
    case Status::up_to_date: return "ok";
    case Status::refreshed: return "refreshed";
    case Status::rolled_back: return "rolled-back";
    case Status::unreachable: return "unreachable";
    case Status::failed: return "failed";
    case Status::refused: return "refused";
  }
  return "failed";
}

struct SourceReport {
  const update::Source* source = nullptr;
  Status result = Status::up_to_date;
  std::string reason;
  std::uint64_t serial = 0;
  std::time_t expires = 0;
};

struct AppReport {
  update::Choice choice;
  std::string result;  // refreshed, rolled-back, refused, failed, unreachable, held, up-to-date, ...
  Status severity = Status::up_to_date;
  std::optional<package::Change> change;
  std::string reason;
};

// One refresh at a time per store: two at once could record an older accepted serial over a newer one.
Result<UniqueFd> lock_refreshes(const std::string& dir) {
  CORDON_TRY(make_dirs("update", dir, 0700));
  const std::string path = dir + "/.lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return sys_fail("update", "open " + path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    std::cerr << "cordon refresh: another refresh is running; waiting for it\n";
    if (::flock(fd.get(), LOCK_EX) != 0) return sys_fail("update", "flock " + path);
  }
  return fd;
}

// A download's progress on a terminal: one line redrawn at most ten times a second.
class ProgressBar {
 public:
  ProgressBar(bool on, std::string label) : on_(on), label_(std::move(label)) {}
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
  }
  void show(std::uint64_t got, std::uint64_t total) {
    if (!on_ || total == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && got < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(got * kWidth / total);
    std::cerr << "\r" << label_ << " [" << std::string(static_cast<std::size_t>(filled), '#')
              << std::string(static_cast<std::size_t>(kWidth - filled), '.') << "] " << got * 100 / total << "% "
              << amount(got, total) << std::flush;
  }

 private:
  // "1.2/2.6 MiB", or in KiB for a package under a MiB.
  static std::string amount(std::uint64_t got, std::uint64_t total) {
    const bool small = total < 1024 * 1024;
    const double unit = small ? 1024.0 : 1024.0 * 1024.0;
    char text[64];
    std::snprintf(text, sizeof text, "%.1f/%.1f %s", static_cast<double>(got) / unit, static_cast<double>(total) / unit,
                  small ? "KiB" : "MiB");
    return text;
  }
  bool on_;
  std::string label_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// Fetches, verifies and judges a source's index. `record`: remember its serial (not for --list,
// which changes nothing).
SourceReport check_source(const update::Source& source, const update::Fetcher& fetcher,
                          const std::vector<package::PublicKey>& package_keys, const package::StoreLayout& store,
                          bool record, std::time_t now, std::optional<update::AcceptedIndex>& accepted) {
  SourceReport report;
  report.source = &source;
  auto stop = [&](Status r, const std::string& why) {
    report.result = r;
    report.reason = why;
    return report;
  };
  const bool same_key = std::any_of(package_keys.begin(), package_keys.end(),
                                    [&](const package::PublicKey& k) { return k.id == source.index_key.id; });
  if (same_key)
    return stop(Status::refused, "its index key " + source.index_key.file + " is also a trusted package key; the two "
                                  "roles need two keys, so that stealing one is not enough");
  const std::string shown = source.address_of(std::string(update::kIndexFile));
  auto text = fetcher.fetch_text(std::string(update::kIndexFile), update::kMaxIndexBytes);
  if (!text) return stop(kind_of(text.error()), text.error().to_string());
  auto verified = update::verify_index(*text, source.index_key, shown);
  if (!verified) return stop(Status::refused, verified.error().to_string());
  auto previous = update::read_accepted(store.accepted, source.name);
  if (!previous) return stop(Status::failed, previous.error().to_string());
  const std::string record_path = store.accepted + "/" + source.name + ".json";
  // The repository first: a serial compares only within one repository.
  if (auto same = update::same_repository(*verified, source.repository, previous->repository, shown, record_path); !same)
    return stop(Status::refused, same.error().to_string());
  if (auto current = update::index_is_current(*verified, now, previous->serial, previous->sha256, shown, record_path); !current)
    return stop(Status::refused, current.error().to_string());
  report.serial = verified->index.serial;
  report.expires = verified->index.expires;
  if (record)
    if (auto r = update::record_accepted(store.accepted, source.name, *verified, now); !r)
      return stop(Status::failed, r.error().to_string());
  accepted = update::AcceptedIndex{&source, std::move(*verified)};
  return report;
}

// Downloads the offer into a private file in the store and installs it as `cordon install` would.
AppReport refresh_one(const update::Choice& choice, const update::Fetcher& fetcher, const package::StoreLayout& store,
                      const RefreshArgs& args) {
  AppReport report{choice, "", Status::up_to_date, std::nullopt, ""};
  auto stop = [&](Status r, const std::string& why) {
    report.severity = r;
    report.result = to_string(r);
    report.reason = why;
    std::cerr << "cordon refresh: " << choice.name << ": " << why << "; nothing changed\n";
    return report;
  };
  UniqueFd download(::open(store.apps.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!download.valid()) return stop(Status::failed, sys_fail("update", "open " + store.apps + " O_TMPFILE").to_string());
  const bool bar_on = !args.json && ::isatty(STDERR_FILENO) == 1;
  std::optional<Error> failed;
  {
    ProgressBar bar(bar_on, choice.name + " " + choice.offer.version);
    auto got = fetcher.fetch_package(choice.offer.file, choice.offer.size, choice.offer.sha256, download.get(),
                                     [&](std::uint64_t n, std::uint64_t total) { bar.show(n, total); });
    if (!got) failed = got.error();
  }
  if (failed) return stop(kind_of(*failed), failed->to_string());
  const std::string path = "/proc/self/fd/" + std::to_string(download.get());
  const std::string shown = choice.offer.file + " from " + choice.source->name;
  const InstallAttempt attempt = install_from(
      path, shown, {"cordon refresh", args.keep, args.health_timeout, choice.name, choice.offer.version, choice.source->name});
  report.change = attempt.change;
  report.reason = attempt.error;
  if (attempt.exit == kExitOk) report.severity = Status::refreshed;
  else if (attempt.exit == kExitRolledBack) report.severity = Status::rolled_back;
  else if (attempt.exit == kExitInvalid) report.severity = Status::refused;
  else report.severity = Status::failed;
  report.result = to_string(report.severity);
  if (attempt.change && attempt.change->outcome == package::Outcome::rolled_back) report.reason = attempt.change->reason;
  return report;
}

// What a choice means for this device before anything is downloaded: an offer signed by a key no
// longer trusted, or by another key than the app's, is a refusal (exit 1) the owner must see; a
// version that already failed here waits for a newer one (exit 3 until then).
AppReport judged(const update::Choice& choice, const std::vector<package::AppState>& apps,
                 const std::vector<package::PublicKey>& trusted, const std::vector<std::string>& key_dirs,
                 const std::vector<update::Source>& sources, bool all_sources_read) {
  AppReport r{choice, update::to_string(choice.action), Status::up_to_date, std::nullopt, ""};
  const auto app = std::find_if(apps.begin(), apps.end(), [&](const package::AppState& a) { return a.name == choice.name; });
  switch (choice.action) {
    case Action::not_offered:
      if (!all_sources_read) {  // the source that offers it may be the one that could not be read
        r.result = "unchecked";
        r.reason = "no source that could be read offers it";
      } else if (!app->source.empty() && std::none_of(sources.begin(), sources.end(), [&](const update::Source& s) {
                   return s.name == app->source;
                 })) {
        r.reason = "it comes from source " + app->source + ", which is no longer configured: nothing updates it; "
                   "to take it from another source, name it in that source's apps: (docs/updates.md)";
      } else if (!choice.offered_by.empty()) {
        r.reason = "offered by " + policy::join(choice.offered_by, " and ") + ", which may not serve it: " +
                   (app->source.empty() ? std::string("other sources' apps: lists do not name it")
                                        : "it comes from source " + app->source) +
                   "; to take it from another source, name it in that source's apps: (docs/updates.md)";
      }
      break;
    case Action::ambiguous:
      r.severity = Status::refused;
      r.reason = "offered by " + policy::join(choice.offered_by, " and ") + ", all with its key: choose its source by naming it in "
                 "one source's file (apps: [" + choice.name + "]); nothing downloaded";
      break;
    case Action::other_key:
      r.severity = Status::refused;
      r.reason = choice.source->name + " offers " + choice.offer.version + " signed by key " +
                 package::short_id(choice.offer.key) + ", but " + choice.name + " is bound to key " +
                 package::short_id(app->key) + ": the vendor must sign with the key it installed with";
      break;
    case Action::failed_before:
      r.severity = Status::rolled_back;
      r.reason = choice.offer.version + " failed its health check here and was rolled back (" + app->last->reason +
                 "); waiting for a newer version (or install it by hand: cordon install FILE)";
      break;
    case Action::refresh:
      if (choice.open_choice && !all_sources_read) {
        r.result = "unchecked";
        r.reason = "not refreshed: it is bound to no source yet, and a source that could not be read may offer it "
                   "too; it is refreshed when every source answers (or name it in its source's apps:)";
      } else if (std::none_of(trusted.begin(), trusted.end(), [&](const package::PublicKey& k) { return k.id == choice.offer.key; })) {
        r.result = "untrusted-key";
        r.severity = Status::refused;
        r.reason = choice.source->name + " offers " + choice.offer.version + " signed by key " +
                   package::short_id(choice.offer.key) + ", which is not among the trusted keys (" + policy::join(key_dirs) + "); not downloaded";
      }
      break;
    case Action::up_to_date:
    case Action::held:
      break;
  }
  if (!r.reason.empty() && r.result != "unchecked") std::cerr << "cordon refresh: " << choice.name << ": " << r.reason << "\n";
  return r;
}

// An apps: entry that names an app neither installed here nor offered by its source is likely a
// typo; it is harmless, so a note, not an error (an owner may list an app before installing it).
void note_unknown_listed_apps(const std::vector<update::AcceptedIndex>& accepted, const std::vector<std::string>& installed) {
  for (const update::AcceptedIndex& ai : accepted)
    for (const std::string& name : ai.source->apps)
      if (!std::binary_search(installed.begin(), installed.end(), name) && !ai.index.index.find(name))
        std::cerr << "cordon refresh: note: " << ai.source->file << ": apps: names " << name
                  << ", which is not installed here and which " << ai.source->name << " does not offer (a typo?)\n";
}

// The installed apps a refresh looks at: those named, or all. A named app that is not installed
// is an error of its own (reported, and the rest go on).
std::vector<package::AppState> apps_to_consider(const package::StoreLayout& store, const RefreshArgs& args,
                                                std::vector<AppReport>& errors) {
  const package::Hooks hooks = lifecycle_hooks(args.health_timeout);
  std::vector<package::AppState> out;
  const bool all = args.apps.empty();
  std::vector<std::string> names = all ? package::installed_names(store) : args.apps;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());  // `refresh a a` is `refresh a`
  for (const std::string& name : names) {
    // --list changes nothing: a killed command's leftovers wait for the next real one.
    if (!args.list)
      if (auto settled = package::settle(store, name, hooks, false); !settled && all) continue;
    auto state = package::valid_app_name(name) ? package::read_state(store, name)
                                               : Result<std::optional<package::AppState>>(std::nullopt);
    if (state && *state && (*state)->current == 0 && all) continue;  // removed: its record only keeps the name
    if (state && *state && (*state)->pending && args.list) {
      AppReport r;
      r.choice.name = name;
      r.result = "pending";
      r.reason = "a lifecycle command on it was interrupted; the next refresh (or install, revert, remove) finishes it";
      errors.push_back(std::move(r));
      continue;
    }
    if (state && *state && (*state)->current != 0) {
      out.push_back(std::move(**state));
      continue;
    }
    AppReport r;
    r.choice.name = name;
    r.result = "failed";
    r.severity = Status::failed;
    r.reason = state ? "not installed (cordon refresh updates installed apps; install one with `cordon install`)"
                     : state.error().to_string();
    std::cerr << "cordon refresh: " << name << ": " << r.reason << "\n";
    errors.push_back(std::move(r));
  }
  return out;
}

json source_json(const SourceReport& s) {
  json j{{"name", s.source->name}, {"location", s.source->location()}, {"result", to_string(s.result)}};
  if (s.serial) j["serial"] = s.serial;
  if (s.expires) j["expires"] = update::utc_text(s.expires);
  if (!s.reason.empty()) j["reason"] = s.reason;
  return j;
}

json app_json(const AppReport& a) {
  json j{{"name", a.choice.name}, {"installed", a.choice.installed}, {"result", a.result}};
  if (a.choice.source) {
    j["offered"] = a.choice.offer.version;
    j["source"] = a.choice.source->name;
  }
  if (!a.choice.offered_by.empty()) j["offered-by"] = a.choice.offered_by;
  if (a.change) j["change"] = change_json(*a.change);
  if (!a.reason.empty()) j["reason"] = a.reason;
  return j;
}

void print_app(const AppReport& a) {
  const update::Choice& c = a.choice;
  if (a.change) {
    print_change(*a.change, false);
    return;
  }
  if (a.result == "held")
    std::cout << c.name << " is held at " << c.installed << " (" << c.offer.version << " is offered by "
              << c.source->name << "; `cordon refresh --unhold " << c.name << "` lets it refresh)\n";
}

// "1 refreshed, 2 up to date, 1 rolled back": every app counted once, under what happened to it.
std::string summary(const std::vector<AppReport>& reports) {
  const std::vector<std::pair<std::string, std::string>> kinds{
      {"refreshed", "refreshed"},          {"up-to-date", "up to date"}, {"not-offered", "not offered by any source"},
      {"held", "held"},                    {"rolled-back", "rolled back"}, {"failed-before", "waiting for a version newer than one that failed"},
      {"refused", "refused"},              {"other-key", "offered under another key"},
      {"untrusted-key", "offered under an untrusted key"}, {"unreachable", "not downloaded (source unreachable)"},
      {"failed", "failed"},                {"ambiguous", "offered by several sources (choose one with apps:)"},
      {"unchecked", "not checked (a source could not be read or was refused)"}};
  std::string out;
  for (const auto& [result, words] : kinds) {
    const auto n = std::count_if(reports.begin(), reports.end(), [&](const AppReport& a) { return a.result == result; });
    if (n) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + words;
  }
  return out.empty() ? "no apps are installed" : out;
}

// --list: what a refresh would do, as a table.
void print_plan(const std::vector<AppReport>& apps) {
  std::vector<std::vector<std::string>> rows{{"NAME", "INSTALLED", "OFFERED", "SOURCE", "ACTION"}};
  for (const AppReport& a : apps)
    rows.push_back({a.choice.name, a.choice.installed.empty() ? "-" : a.choice.installed,
                    a.choice.source ? a.choice.offer.version : "-", a.choice.source ? a.choice.source->name : "-",
                    a.result});
  print_columns(rows);
}

int refresh_from_sources(const RefreshArgs& args) {
  if (refuse_unknown_kill_point()) return kExitCordon;
  auto store = args.list ? Result<package::StoreLayout>(invoker_store()) : prepared_store();
  if (!store) return std::cerr << "cordon refresh: cannot " << store.error().to_string() << "\n", kExitCordon;
  auto loaded = update::load_sources(store->source_dir, ::getuid());
  if (!loaded) return std::cerr << "cordon refresh: cannot " << loaded.error().to_string() << "\n", kExitCordon;
  if (loaded->diags.has_errors()) {
    std::cerr << policy::render_text(loaded->diags, loaded->texts, colour_on_stderr())
              << "cordon refresh: nothing was fetched: fix the sources above first\n";
    return kExitInvalid;
  }
  if (loaded->sources.empty()) {
    std::cerr << "cordon refresh: no update source is configured: add one as " << store->source_dir
              << "/NAME.yaml (docs/updates.md); to install a package file, use `cordon install`\n";
    return kExitCordon;
  }
  // --list writes nothing, so it neither takes the lock nor waits for a refresh that holds it.
  auto lock = args.list ? Result<UniqueFd>(UniqueFd()) : lock_refreshes(store->accepted);
  if (!lock) return std::cerr << "cordon refresh: cannot " << lock.error().to_string() << "\n", kExitCordon;
  auto package_keys = package::load_trusted_keys(store->key_dirs, ::getuid(), nullptr);
  if (!package_keys) return std::cerr << "cordon refresh: cannot " << package_keys.error().to_string() << "\n", kExitCordon;

  std::vector<AppReport> reports;
  const std::vector<package::AppState> apps = apps_to_consider(*store, args, reports);
  const std::time_t now = std::time(nullptr);
  std::vector<SourceReport> sources;
  std::vector<update::AcceptedIndex> accepted;
  std::vector<std::optional<update::Fetcher>> fetchers;
  for (const update::Source& source : loaded->sources) {
    auto fetcher = update::Fetcher::for_source(source);
    std::optional<update::AcceptedIndex> index;
    SourceReport report = fetcher ? check_source(source, *fetcher, *package_keys, *store, !args.list, now, index)
                                  : SourceReport{&source, Status::failed, fetcher.error().to_string(), 0, 0};
    if (report.result != Status::up_to_date)
      std::cerr << "cordon refresh: source " << source.name << ": " << report.reason << "; nothing changed from it\n";
    sources.push_back(std::move(report));
    fetchers.push_back(fetcher ? std::optional<update::Fetcher>(std::move(*fetcher)) : std::nullopt);
    if (index) accepted.push_back(std::move(*index));
  }

  const bool all_sources_read = accepted.size() == loaded->sources.size();
  note_unknown_listed_apps(accepted, package::installed_names(*store));
  std::vector<std::size_t> downloads;  // indexes into reports
  for (const update::Choice& choice : update::choose_updates(apps, accepted)) {
    AppReport report = judged(choice, apps, *package_keys, store->key_dirs, loaded->sources, all_sources_read);
    if (report.result == "refresh" && args.list) {
      report.result = "would-refresh";
      report.severity = Status::refreshed;
    } else if (report.result == "refresh") {
      downloads.push_back(reports.size());
    }
    reports.push_back(std::move(report));
  }
  // Smallest first: a download can last at most its declared size at the slowest rate allowed, so
  // a source that declares a huge package to drip it slowly delays only itself, not the others.
  std::stable_sort(downloads.begin(), downloads.end(),
                   [&](std::size_t a, std::size_t b) { return reports[a].choice.offer.size < reports[b].choice.offer.size; });
  for (const std::size_t i : downloads) {
    const update::Choice choice = reports[i].choice;
    const auto at = std::find_if(loaded->sources.begin(), loaded->sources.end(),
                                 [&](const update::Source& s) { return &s == choice.source; });
    reports[i] = refresh_one(choice, *fetchers[static_cast<std::size_t>(at - loaded->sources.begin())], *store, args);
  }

  Status worst = Status::up_to_date;
  for (const SourceReport& s : sources)
    if (rank(s.result) > rank(worst)) worst = s.result;
  for (const AppReport& a : reports)
    if (rank(a.severity) > rank(worst)) worst = a.severity;

  if (args.json) {
    json out{{"format", 1}, {"sources", json::array()}, {"apps", json::array()}};
    for (const SourceReport& s : sources) out["sources"].push_back(source_json(s));
    for (const AppReport& a : reports) out["apps"].push_back(app_json(a));
    out["status"] = exit_code(worst);
    std::cout << out.dump(2) << "\n";
  } else if (args.list) {
    print_plan(reports);
  } else {
    for (const AppReport& a : reports) print_app(a);
    std::cout << summary(reports) << "\n";
  }
  return exit_code(worst);
}

int hold_or_release(const RefreshArgs& args) {
  if (args.apps.empty() || args.list) {
    std::cerr << "cordon refresh: --hold and --unhold take the apps to hold or release, and nothing else\n";
    return kExitCordon;
  }
  int status = kExitOk;
  for (const std::string& app : args.apps) {
    if (auto held = package::set_held(invoker_store(), app, args.hold); !held) {
      std::cerr << "cordon refresh: cannot " << held.error().to_string() << "\n";
      status = kExitCordon;
      continue;
    }
    std::cout << app << (args.hold ? " is held: refreshes leave it alone\n" : " is no longer held\n");
  }
  return status;
}

// "7d", "12h", "30m", "90s" -> seconds; 0 when it is none of these (a bare number too: 7 what?).
std::int64_t duration_seconds(const std::string& text) {
  if (text.empty() || text.size() > 12) return 0;
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits + 1 != text.size()) return 0;
  const std::int64_t n = std::stoll(text.substr(0, digits));
  const char unit = text[digits];
  const std::int64_t scale = unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : unit == 's' ? 1 : 0;
  return n * scale;
}

}  // namespace

int refresh(const RefreshArgs& args) {
  if (args.hold && args.unhold) {
    std::cerr << "cordon refresh: say --hold or --unhold, not both\n";
    return kExitCordon;
  }
  if (args.hold || args.unhold) return hold_or_release(args);
  return refresh_from_sources(args);
}

int publish(const PublishArgs& args) {
  const std::int64_t valid_for = duration_seconds(args.valid_for);
  if (valid_for < 1 || valid_for > 366 * 86400) {
    std::cerr << "cordon publish: --valid-for " << args.valid_for << ": a number and one unit, s, m, h or d (7d, 12h, "
                 "30m), from 1s to 366d\n";
    return kExitCordon;
  }
  update::PublishInput input{args.repo, args.packages, args.key, std::time(nullptr), valid_for};
  auto published = update::publish(input);
  if (!published) {
    const bool refused = published.error().step == update::kRefused;
    std::cerr << "cordon publish: " << (refused ? "refused: " : "") << published.error().to_string()
              << "; the repository is as it was\n";
    return refused ? kExitInvalid : kExitCordon;
  }
  const update::Index& index = published->index;
  // A new signer is warned of in every mode: a script that reads --json must not ship it unawares.
  json warnings = json::array();
  for (const update::SignerChange& c : published->new_signers) {
    const std::string warning = c.entry.name + " " + c.entry.version + " is signed by key " + package::short_id(c.entry.key) +
                                ", the versions before it by key " + package::short_id(c.old_key) +
                                ": devices that installed it refuse this one (an app stays bound to the key it was "
                                "installed with)";
    std::cerr << "cordon publish: warning: " << warning << "\n";
    warnings.push_back(warning);
  }
  if (args.json) {
    json added = json::array();
    for (const update::IndexEntry& e : published->added)
      added.push_back({{"name", e.name}, {"version", e.version}, {"file", e.file}, {"size", e.size}, {"sha256", e.sha256}});
    json already = json::array();
    for (const update::IndexEntry& e : published->already) already.push_back({{"name", e.name}, {"version", e.version}});
    std::cout << json{{"format", 1}, {"repository", args.repo}, {"repository-id", index.repository}, {"serial", index.serial}, {"expires", update::utc_text(index.expires)},
                      {"apps", index.apps.size()}, {"added", added}, {"already", already}, {"warnings", warnings}}.dump(2)
              << "\n";
    return kExitOk;
  }
  for (const update::IndexEntry& e : published->added)
    std::cout << "published " << e.name << " " << e.version << " as " << args.repo << "/" << e.file << " (" << e.size
              << " bytes)\n";
  for (const update::IndexEntry& e : published->already)
    std::cout << e.name << " " << e.version << " was already published (the same file)\n";
  std::cout << args.repo << "/index.json: serial " << index.serial << " of repository " << index.repository << ", "
            << index.apps.size() << " app"
            << (index.apps.size() == 1 ? "" : "s") << ", valid until " << update::utc_text(index.expires)
            << " (run `cordon publish` again before then, with or without packages, or devices refuse it)\n";
  return kExitOk;
}

}  // namespace cordon::launcher
