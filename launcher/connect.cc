// `cordon connect APP PLUG[:ATTR=VALUE,...]`, `cordon disconnect APP PLUG`, `cordon connections
// [APP]`: the machine owner's decisions about manual plugs (app/connections.h, docs/connections.md).
// Root connects the system's apps and everything root runs; a user their own.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "app/connections.h"
#include "app/plan_for.h"
#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "launcher/host.h"
#include "launcher/outcome.h"
#include "launcher/installed.h"
#include "launcher/launch_refusals.h"
#include "package/store.h"
#include "policy/suggest.h"
#include "sandbox/app_origin.h"

namespace cordon::launcher {

namespace {

// An app as `cordon run` would find it: an installed package's current policy, else the policy path.
struct Target {
  std::string policy_file;
  plan::Plan plan;
  app::ConnectionStore store;
};

// An ad-hoc app (run from its policy file) is known by name once it has run: its name's record
// (sandbox/app_origin.h) names the file, so `cordon connections NAME` finds it as `run` left it.
std::optional<std::string> recorded_policy_file(const std::string& app) {
  if (!package::valid_app_name(app)) return std::nullopt;
  auto ctx = launch_context("");
  if (!ctx) return std::nullopt;
  for (const auto& [name, origin] : sandbox::recorded_origins(*ctx))
    if (name == app && origin.rfind("file:", 0) == 0) return origin.substr(5);
  return std::nullopt;
}

// Loads APP and picks the store its connections live in. Problems are printed; nullopt then, with
// the exit status in `status`.
std::optional<Target> load_target(const std::string& app_arg, const policy::SearchPaths& paths, int& status) {
  status = kExitCordon;
  auto installed = find_installed_launch(app_arg);
  if (!installed) {
    std::cerr << "cordon: " << app_arg << ": cannot " << installed.error().to_string() << "\n";
    return std::nullopt;
  }
  Target t;
  bool adhoc = false, recorded = false;
  if (*installed) t.policy_file = (*installed)->policy_file;
  else if (auto file = policy::find_app(paths, app_arg)) t.policy_file = *file, adhoc = t.policy_file == app_arg;
  else if (auto file_of_name = recorded_policy_file(app_arg)) t.policy_file = *file_of_name, adhoc = recorded = true;
  const app::ConnectionStores stores = invoker_connection_stores();
  policy::Diagnostics diags;
  policy::SourceTexts sources;
  auto plan = app::plan_for(t.policy_file.empty() ? app_arg : t.policy_file, paths, stores, diags, sources);
  std::cerr << policy::render_text(diags, sources, colour_on_stderr());
  if (!plan) {
    status = kExitInvalid;
    return std::nullopt;
  }
  t.plan = std::move(*plan);
  // A file found through the name's record must still be that app: an edit may have renamed it, and
  // a connection made for NAME must not land on another name.
  if (recorded && t.plan.app != app_arg) {
    std::cerr << "cordon: " << app_arg << ": the policy file that ran as " << app_arg << ", " << t.policy_file
              << ", now names itself '" << t.plan.app << "'; name the file itself, or run it once under its new name\n";
    status = kExitInvalid;
    return std::nullopt;
  }
  if (adhoc)
    if (auto refused = adhoc_name_refusal(paths, t.policy_file, t.plan.app)) {
      std::cerr << "cordon: " << app_arg << ": " << *refused << "\n";
      return std::nullopt;
    }
  auto store = app::store_for(stores, paths, t.policy_file);
  if (!store) {
    std::cerr << "cordon: " << app_arg << ": no folder for connections (HOME is not set)\n";
    return std::nullopt;
  }
  t.store = *store;
  return t;
}

// A user may decide only for their own apps: the system's are root's to connect.
bool may_decide(const Target& t, const std::string& app_arg, const std::string& verb, const std::string& plug) {
  if (t.store.owner == ::getuid()) return true;
  std::cerr << "cordon: " << app_arg << ": " << t.plan.app << " is a system app (" << t.policy_file
            << "); root decides its connections for every user: sudo cordon " << verb << " " << app_arg << " " << plug
            << "\n";
  return false;
}

// PLUG[:ATTR=VALUE,...] -> the plug and the attributes the owner named.
std::optional<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> parse_plug_spec(
    const std::string& spec) {
  std::size_t colon = spec.find(':');
  // PROVIDER:SLOT (another app's slot) has no '=' after its colon; attributes always have one.
  if (colon != std::string::npos && spec.find('=', colon) == std::string::npos) colon = std::string::npos;
  std::pair<std::string, std::vector<std::pair<std::string, std::string>>> out{spec.substr(0, colon), {}};
  if (out.first.empty()) return std::nullopt;
  if (colon == std::string::npos) return out;
  std::size_t pos = colon + 1;
  while (pos <= spec.size()) {
    const std::size_t end = std::min(spec.find(',', pos), spec.size());
    const std::string item = spec.substr(pos, end - pos);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) return std::nullopt;
    out.second.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    pos = end + 1;
  }
  return out;
}

const plan::Plug* find_plug(const plan::Plan& plan, const std::string& name) {
  for (const plan::Plug& p : plan.plugs)
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> plug_names(const plan::Plan& plan) {
  std::vector<std::string> names;
  for (const plan::Plug& p : plan.plugs) names.push_back(p.name);
  return names;
}

// The attributes the owner named must be the ones the policy asks for: a connection grants what
// the policy asks, never something else, and naming them makes the owner's decision explicit.
std::optional<std::string> attribute_mismatch(const plan::Plug& plug,
                                              const std::vector<std::pair<std::string, std::string>>& named) {
  for (const auto& [name, value] : named) {
    auto it = std::find_if(plug.attributes.begin(), plug.attributes.end(), [&](const auto& a) { return a.first == name; });
    if (it == plug.attributes.end())
      return "plug '" + plug.name + "' has no attribute '" + name + "'; its attributes: " + plug_attributes_text(plug.attributes);
    if (it->second != value)
      return "the policy plugs '" + plug.name + "' with " + name + "=" + it->second + ", not " + value +
             "; a connection grants what the policy asks, no more and no other";
  }
  return std::nullopt;
}

}  // namespace

int connect(const ConnectArgs& args) {
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  const auto spec = parse_plug_spec(args.plug);
  if (!spec) {
    std::cerr << "cordon: connect: '" << args.plug << "' is not PLUG, PLUG:ATTR=VALUE[,ATTR=VALUE] or PROVIDER:SLOT\n";
    return kExitCordon;
  }
  int status = kExitCordon;
  auto target = load_target(args.app, paths, status);
  if (!target) return status;
  const plan::Plug* plug = find_plug(target->plan, spec->first);
  if (!plug) {
    std::cerr << "cordon: " << args.app << ": " << target->plan.app << " does not plug '" << spec->first << "'"
              << policy::did_you_mean(spec->first, plug_names(target->plan)) << "; its plugs: "
              << (target->plan.plugs.empty() ? "none" : policy::join(plug_names(target->plan))) << "\n";
    return kExitInvalid;
  }
  if (auto mismatch = attribute_mismatch(*plug, spec->second)) {
    std::cerr << "cordon: " << args.app << ": " << *mismatch << "\n";
    return kExitInvalid;
  }
  auto outcome = [&](const std::string& what, const std::string& sentence) {
    nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
    for (const auto& [name, value] : plug->attributes) attributes[name] = value;
    say_outcome(args.json, sentence,
                {{"app", target->plan.app}, {"plug", plug->name}, {"outcome", what}, {"attributes", attributes}});
    return kExitOk;
  };
  if (plug->connection == "auto")
    return outcome("auto", target->plan.app + ":" + plug->name + " is granted when plugged (auto); nothing to connect");
  if (!may_decide(*target, args.app, "connect", args.plug)) return kExitInvalid;
  std::string problem;
  auto connected = app::read_connections(target->store, target->plan.app, &problem);
  if (!problem.empty()) std::cerr << "cordon: " << problem << " (it is replaced)\n";
  const plan::ConnectedPlug made{plug->name, plug->attributes};
  if (std::find(connected.begin(), connected.end(), made) != connected.end())
    return outcome("already-connected", target->plan.app + ":" + plug->name + " is already connected");
  std::erase_if(connected, [&](const plan::ConnectedPlug& c) { return c.plug == plug->name; });
  connected.push_back(made);
  if (auto written = app::write_connections(target->store, target->plan.app, connected); !written) {
    std::cerr << "cordon: " << args.app << ": cannot " << written.error().to_string() << "\n";
    return kExitCordon;
  }
  const std::string attrs = plug_attributes_text(plug->attributes);
  return outcome("connected", "connected " + target->plan.app + ":" + plug->name + (attrs.empty() ? "" : " (" + attrs + ")"));
}

int disconnect(const DisconnectArgs& args) {
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  int status = kExitCordon;
  auto target = load_target(args.app, paths, status);
  if (!target) return status;
  if (!may_decide(*target, args.app, "disconnect", args.plug)) return kExitInvalid;
  auto connected = app::read_connections(target->store, target->plan.app);
  const std::size_t removed = std::erase_if(connected, [&](const plan::ConnectedPlug& c) { return c.plug == args.plug; });
  auto outcome = [&](const std::string& what, const std::string& sentence) {
    say_outcome(args.json, sentence, {{"app", target->plan.app}, {"plug", args.plug}, {"outcome", what}});
    return kExitOk;
  };
  if (removed == 0) return outcome("not-connected", target->plan.app + ":" + args.plug + " is not connected; nothing to do");
  if (auto written = app::write_connections(target->store, target->plan.app, connected); !written) {
    std::cerr << "cordon: " << args.app << ": cannot " << written.error().to_string() << "\n";
    return kExitCordon;
  }
  return outcome("disconnected", "disconnected " + target->plan.app + ":" + args.plug);
}

namespace {

struct Row {
  std::string app, plug, connection, state, attributes_text;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string store;  // whose connections decide: "system" (root's) or "user"
};

const char* store_name(const app::ConnectionStore& store) { return store.owner == 0 ? "system" : "user"; }

// One app: every plug, and how it stands.
std::vector<Row> rows_for_app(const Target& t) {
  const auto recorded = app::read_connections(t.store, t.plan.app);
  std::vector<Row> rows;
  for (const plan::Plug& p : t.plan.plugs) {
    std::string state = "granted";
    if (p.connection == "manual") {
      const bool any = std::any_of(recorded.begin(), recorded.end(), [&](const auto& c) { return c.plug == p.name; });
      state = p.connected ? "connected" : any ? "changed since connected" : "not connected";
    }
    rows.push_back(Row{t.plan.app, p.name, p.connection, state, plug_attributes_text(p.attributes), p.attributes,
                       store_name(t.store)});
  }
  return rows;
}

// Every connection recorded in a store: the apps are not loaded, so the state is what was recorded.
std::vector<Row> rows_in_store(const app::ConnectionStore& store) {
  std::vector<Row> rows;
  DIR* d = ::opendir(store.dir.c_str());
  if (!d) return rows;
  std::vector<std::string> apps;
  while (const dirent* e = ::readdir(d)) {
    const std::string f = e->d_name;
    if (f.size() > 5 && f[0] != '.' && f.compare(f.size() - 5, 5, ".json") == 0) apps.push_back(f.substr(0, f.size() - 5));
  }
  ::closedir(d);
  std::sort(apps.begin(), apps.end());
  for (const std::string& app : apps)
    for (const plan::ConnectedPlug& c : app::read_connections(store, app))
      rows.push_back(Row{app, c.plug, "manual", "connected", plug_attributes_text(c.attributes), c.attributes,
                         store_name(store)});
  return rows;
}

void print_rows(const std::vector<Row>& rows, bool json) {
  if (json) {
    nlohmann::json j{{"format", 1}, {"connections", nlohmann::json::array()}};
    for (const Row& r : rows) {
      nlohmann::json attrs = nlohmann::json::object();
      for (const auto& [name, value] : r.attributes) attrs[name] = value;
      j["connections"].push_back({{"app", r.app}, {"plug", r.plug}, {"connection", r.connection},
                                  {"state", r.state}, {"store", r.store}, {"attributes", attrs}});
    }
    std::cout << j.dump(2) << "\n";
    return;
  }
  if (rows.empty()) {
    std::cout << "no connections\n";
    return;
  }
  std::size_t w_app = 3, w_plug = 4, w_state = 5;
  for (const Row& r : rows) {
    w_app = std::max(w_app, r.app.size());
    w_plug = std::max(w_plug, r.plug.size());
    w_state = std::max(w_state, r.state.size());
  }
  auto pad = [](const std::string& s, std::size_t w) { return s + std::string(w - s.size() + 2, ' '); };
  std::cout << pad("APP", w_app) << pad("PLUG", w_plug) << pad("GRANT", 6) << pad("STATE", w_state) << pad("STORE", 6)
            << "ATTRIBUTES\n";
  for (const Row& r : rows)
    std::cout << pad(r.app, w_app) << pad(r.plug, w_plug) << pad(r.connection, 6) << pad(r.state, w_state)
              << pad(r.store, 6) << r.attributes_text << "\n";
}

}  // namespace

int connections(const ConnectionsArgs& args) {
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  if (!args.app.empty()) {
    int status = kExitCordon;
    auto target = load_target(args.app, paths, status);
    if (!target) return status;
    print_rows(rows_for_app(*target), args.json);
    return kExitOk;
  }
  const app::ConnectionStores stores = invoker_connection_stores();
  std::vector<Row> rows;
  if (!stores.user_dir.empty()) rows = rows_in_store({stores.user_dir, stores.user});
  for (Row& r : rows_in_store({stores.system_dir, 0})) rows.push_back(std::move(r));
  print_rows(rows, args.json);
  return kExitOk;
}

}  // namespace cordon::launcher
