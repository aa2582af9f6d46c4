// `cordon pack | install | list | revert | remove | refresh --hold`: the package lifecycle
// (docs/packaging.md). The work is the package layer's; this file reads the arguments, prints, and
// maps outcomes to exit codes: 0 done, 1 refused (the package or its policy), 3 rolled back, 125
// cordon failed.
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <iostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/commands.h"
#include "launcher/exit_codes.h"
#include "launcher/host.h"
#include "launcher/installed.h"
#include "launcher/outcome.h"
#include "launcher/lifecycle_io.h"
#include "launcher/progress.h"
#include "package/keys.h"
#include "package/lifecycle.h"
#include "package/open.h"
#include "package/pack.h"
#include "policy/load.h"
#include "policy/search.h"
#include "sandbox/app_origin.h"
#include "util/dirs.h"

namespace cordon::launcher {

namespace {

using json = nlohmann::ordered_json;

}  // namespace

int cordon_failed(const std::string& command, const Error& e) {
  std::cerr << "cordon " << command << ": cannot " << e.to_string() << "\n";
  return kExitCordon;
}

json change_json(const package::Change& c) {
  return json{{"result", package::to_string(c.outcome)}, {"name", c.name},       {"version", c.version},
              {"revision", c.revision},                  {"previous", c.previous}, {"key", c.key},
              {"reason", c.reason}};
}

void print_change(const package::Change& c, bool as_json) {
  if (as_json) {
    std::cout << change_json(c).dump() << "\n";
    return;
  }
  switch (c.outcome) {
    case package::Outcome::installed:
      std::cout << c.name << " " << c.version << " installed (revision " << c.revision << ")\n";
      break;
    case package::Outcome::refreshed:
      std::cout << c.name << " refreshed to " << c.version << " (revision " << c.revision << ", was " << c.previous << ")\n";
      break;
    case package::Outcome::rolled_back:
      std::cout << c.name << ": the new revision failed its health check (" << c.reason << "); rolled back"
                << (c.revision ? " to " + c.version + " (revision " + std::to_string(c.revision) + "), with its data"
                               : ": nothing is installed")
                << "\n";
      break;
    case package::Outcome::reverted:
      std::cout << c.name << " reverted to " << c.version << " (revision " << c.revision << "), with its data\n";
      break;
    case package::Outcome::removed:
      std::cout << c.name << " removed\n";
      break;
    case package::Outcome::unchanged: break;
  }
}

// A table with each column as wide as its widest cell, two spaces apart.
void print_columns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i)
      line += i + 1 < row.size() ? row[i] + std::string(width[i] - row[i].size() + 2, ' ') : row[i];
    std::cout << line << "\n";
  }
}

namespace {

// The key dirs, for a message that tells where to put a key.
std::string key_dirs_text(const package::StoreLayout& store) {
  std::string out;
  for (const std::string& d : store.key_dirs) out += (out.empty() ? "" : " or ") + d;
  return out;
}

}  // namespace

Result<package::StoreLayout> prepared_store() {
  package::StoreLayout store = invoker_store();
  CORDON_TRY(make_dirs("package", store.apps, 0700));
  return store;
}

bool refuse_unknown_kill_point() {
  if (auto unknown = unknown_kill_point()) {
    std::cerr << "cordon: " << *unknown << "\n";
    return true;
  }
  return false;
}

int pack(const PackArgs& args) {
  if (args.out == "-") {
    std::cerr << "cordon pack: -o names a file to create; a package is not written to standard output\n";
    return kExitCordon;
  }
  if (package::read_public_key(args.key)) {
    std::cerr << "cordon pack: " << args.key << " is a public key; --key takes the private key that signs "
              << "(made by openssl genpkey -algorithm ed25519)\n";
    return kExitCordon;
  }
  // The checks install will make, so that a package that packs also installs.
  const std::string policy = args.dir + "/policy.yaml";
  auto facts = check_package_policy(policy, policy);
  if (!facts) return kExitInvalid;
  package::PackInput input;
  input.dir = args.dir;
  input.name = facts->name;
  input.version = facts->version;
  input.key_pem = args.key;
  input.out_path = args.out;
  ProgressLine progress;
  input.progress = [&progress](std::uint64_t done, std::uint64_t total) {
    if (total >= (std::uint64_t{8} << 20))  // worth a line from 8 MiB
      progress.show("packing: " + std::to_string(done >> 20) + " of " + std::to_string(total >> 20) + " MiB");
  };
  auto packed = package::pack(input);
  progress.clear();
  if (!packed) return cordon_failed("pack", packed.error());
  say_outcome(args.json,
              "packed " + input.name + " " + input.version + " (" + std::to_string(packed->files) + " entries, " +
                  std::to_string(packed->bytes) + " bytes), signed by key " + package::short_id(packed->key_id) + ", into " + args.out,
              {{"app", input.name}, {"outcome", "packed"}, {"version", input.version}, {"entries", packed->files},
               {"bytes", packed->bytes}, {"key", packed->key_id}, {"package", args.out}});
  return kExitOk;
}

InstallAttempt install_from(const std::string& path, const std::string& shown, const InstallSettings& settings) {
  const std::string& command = settings.command;
  InstallAttempt out;
  auto give_up = [&](int exit, const std::string& message) {
    std::cerr << command << ": " << message << "\n";
    out.exit = exit;
    out.error = message;
    return out;
  };
  auto store = prepared_store();
  if (!store) return give_up(kExitCordon, "cannot " + store.error().to_string());
  std::vector<std::string> skipped;
  auto keys = package::load_trusted_keys(store->key_dirs, ::getuid(), &skipped);
  if (!keys) return give_up(kExitCordon, "cannot " + keys.error().to_string());
  for (const std::string& why : skipped) std::cerr << command << ": note: not a trusted key, skipped: " << why << "\n";
  if (keys->empty())
    return give_up(kExitInvalid, shown + ": refused: no key is trusted; put the vendor's public key (a .pub file) in " +
                                     key_dirs_text(*store));
  // Verified before a byte of it is parsed (package/open.h); a refusal leaves nothing behind.
  auto pkg = package::open_package(path, *keys, store->apps, {}, shown);
  if (!pkg) {
    std::string why = "refused: " + pkg.error().to_string();
    if (why.find("not among the trusted keys") != std::string::npos)
      why += " (the *.pub files in " + key_dirs_text(*store) + "; to trust the vendor, put its public key there: "
             "openssl pkey -in VENDOR.pem -pubout -out DIR/VENDOR.pub)";
    else if (pkg.error().sys_errno == EISDIR)
      why += " (a package is the file `cordon pack DIR --key KEY.pem -o APP.cordon` makes)";
    return give_up(kExitInvalid, why);
  }
  const package::Manifest& m = pkg->manifest;
  if (!settings.expected_name.empty() && (m.name != settings.expected_name || m.version != settings.expected_version))
    return give_up(kExitInvalid, "refused: " + shown + " holds " + m.name + " " + m.version + ", not the " +
                                     settings.expected_name + " " + settings.expected_version + " the index offers");
  auto ctx = launch_context("");
  if (!ctx) return give_up(kExitCordon, "cannot " + ctx.error().to_string());
  package::Hooks hooks = lifecycle_hooks(settings.health_timeout);
  const policy::SearchPaths paths = policy::search_paths(read_host_context());
  hooks.claim_name = [&](const std::string& name, const std::string& key) -> Result<void> {
    // A policy of that name in the policy path owns it, whether or not it has run yet.
    if (auto policy_file = policy::find_app(paths, name))
      return fail("app-data", "use the name '" + name + "': it belongs to the policy " + *policy_file +
                                  "; a package cannot take an app's name (rename the package, or remove that policy)");
    ctx->origin = sandbox::package_origin(key);
    return sandbox::claim_app_name(*ctx, name);
  };
  const package::InstallOptions options{shown, settings.keep, settings.source};
  auto change = package::install(*store, *pkg, options, hooks);
  if (!change) {
    // The package's fault (its key, version or policy, or a name another origin owns), not cordon's.
    const bool refused = change.error().op.rfind("install", 0) == 0 || change.error().op.rfind("use the name", 0) == 0;
    return give_up(refused ? kExitInvalid : kExitCordon, (refused ? "refused: " : "cannot ") + change.error().to_string());
  }
  out.exit = change->outcome == package::Outcome::rolled_back ? kExitRolledBack : kExitOk;
  out.change = std::move(*change);
  return out;
}

int install(const InstallArgs& args) {
  if (refuse_unknown_kill_point()) return kExitCordon;
  const std::string shown = args.package == "-" ? "standard input" : args.package;
  const InstallAttempt attempt =
      install_from(args.package, shown, {"cordon install", args.keep, args.health_timeout, "", "", ""});
  if (attempt.change) print_change(*attempt.change, args.json);
  return attempt.exit;
}

int list(const ListArgs& args) {
  const package::StoreLayout store = invoker_store();
  const package::Hooks hooks = lifecycle_hooks(0);
  json out = json::array();
  std::vector<std::vector<std::string>> rows{{"NAME", "VERSION", "REV", "HELD", "KEY", "SOURCE", "REVISIONS"}};
  for (const std::string& name : package::installed_names(store)) {
    if (auto settled = package::settle(store, name, hooks, true); !settled) return cordon_failed("list", settled.error());
    auto state = package::read_state(store, name);
    if (!state) return cordon_failed("list", state.error());
    if (!*state) continue;
    const package::AppState& s = **state;
    const package::Revision* current = s.current_revision();
    json revs = json::array();
    std::string revs_text;
    for (const package::Revision& r : s.revisions) {
      revs.push_back({{"revision", r.number}, {"version", r.version}, {"key", r.key}, {"installed", r.installed}});
      revs_text += (revs_text.empty() ? "" : ", ") + std::to_string(r.number) + " (" + r.version + ")";
    }
    if (args.json) {
      json app{{"name", name}, {"current", s.current}, {"version", current ? current->version : ""}, {"key", s.key},
               {"held", s.held}, {"source", s.source}, {"revisions", revs}};
      if (s.last) app["last"] = {{"op", s.last->op}, {"result", s.last->result}, {"from", s.last->from},
                                 {"to", s.last->to}, {"reason", s.last->reason}};
      out.push_back(app);
      continue;
    }
    rows.push_back({name, current ? current->version : "-", current ? std::to_string(s.current) : "removed",
                    s.held ? "held" : "-", package::short_id(s.key), s.source.empty() ? "-" : s.source, revs_text.empty() ? "-" : revs_text});
  }
  if (args.json) std::cout << out.dump(2) << "\n";
  else print_columns(rows);
  return kExitOk;
}

int revert(const RevertArgs& args) {
  if (refuse_unknown_kill_point()) return kExitCordon;
  auto change = package::revert(invoker_store(), args.app, args.revision, lifecycle_hooks(0));
  if (!change) return cordon_failed("revert", change.error());
  print_change(*change, args.json);
  return kExitOk;
}

int remove(const RemoveArgs& args) {
  if (refuse_unknown_kill_point()) return kExitCordon;
  const package::StoreLayout store = invoker_store();
  auto change = package::remove(store, args.app, args.purge, lifecycle_hooks(0));
  if (!change) return cordon_failed("remove", change.error());
  if (args.purge) {  // the name is free again: its origin record goes with the rest
    const std::string origins = store.data.substr(0, store.data.rfind('/')) + "/origins/" + args.app;
    ::unlink(origins.c_str());
  } else if (!args.json) {
    std::cerr << "cordon: " << args.app << ": its data is kept in " << store.snapshots << "/" << args.app
              << " (`cordon remove --purge " << args.app << "` deletes it)\n";
  }
  if (args.purge && !args.json) std::cout << args.app << " purged: its revisions, data, snapshots and name are gone\n";
  else print_change(*change, args.json);
  return kExitOk;
}

}  // namespace cordon::launcher
