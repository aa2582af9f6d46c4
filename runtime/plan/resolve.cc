#include "plan/resolve.h"

#include <algorithm>
#include <map>
#include <set>

#include "policy/suggest.h"
#include "syscalls/init_syscalls.h"
#include "util/strings.h"

namespace cordon::plan {

namespace {

using policy::Diagnostics;
using policy::Where;

// Provenance names the file by its base name, so a Plan does not depend on where the files sit.
// File names are bytes; the Plan is JSON, so an odd name is made valid UTF-8 here.
Source source(const std::string& origin, const Where& where) {
  return Source{origin, valid_utf8(basename_of(where.file)), where.line};
}
const Source kCordon{"cordon", "", 0};

void add_source(std::vector<Source>& list, const Source& s) {
  if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

// One grant section and who gives it: base, a connected plug, or the app itself.
struct GrantFrom {
  const policy::Grants* grants;
  std::string origin;
};

bool conditions_hold(const policy::Conditional& c, const policy::ResolvedPlug& plug) {
  for (const auto& [attr, value] : c.conditions) {
    auto it = std::find_if(plug.attributes.begin(), plug.attributes.end(),
                           [&name = attr](const auto& a) { return a.first == name; });
    if (it == plug.attributes.end() || it->second != value.value) return false;
  }
  return true;
}

void add_interface_grants(const policy::Interface& iface, const policy::ResolvedPlug& plug, const std::string& origin,
                          std::vector<GrantFrom>& out) {
  out.push_back({&iface.grants, origin});
  for (const policy::Conditional& c : iface.when)
    if (conditions_hold(c, plug)) out.push_back({&c.grants, origin});
}

// ---- mounts ------------------------------------------------------------------------------

// Restrictiveness on one path: the higher wins (docs/plan.md "Conflicts").
int strictness(MountKind k) {
  switch (k) {
    case MountKind::hide: return 3;
    case MountKind::bind_ro: return 2;
    case MountKind::bind_rw: return 1;
    default: return 0;
  }
}

struct MountRequest {
  MountKind kind;
  policy::PathEntry entry;
  Source from;
};

// Absolute paths in component order (a parent before its children), then variable paths, which
// the sandbox places after expansion.
bool mount_order(const Mount& a, const Mount& b) {
  const bool av = a.path[0] == '$', bv = b.path[0] == '$';
  if (av != bv) return bv;
  auto key = [](const std::string& p) {
    std::string k = p;
    std::replace(k.begin(), k.end(), '/', '\x01');  // '/' sorts before every other path byte
    return k;
  };
  return key(a.path) < key(b.path);
}

// The mounts granted so far, by path. A repeat of a path merges into its first entry.
class MountTable {
 public:
  explicit MountTable(Diagnostics& diags) : diags_(diags) {}

  void add(const MountRequest& r) {
    auto [it, fresh] = index_.try_emplace(r.entry.path, mounts_.size());
    if (fresh) {
      mounts_.push_back(Mount{r.kind, r.entry.path, r.entry.optional, {r.from}});
      where_.push_back(r.entry.where);
      return;
    }
    merge(mounts_[it->second], where_[it->second], r);
  }

  // A grant below a hidden path would uncover part of it (the child is mounted over the hide),
  // and a hide exists to keep secrets and cordon's own state out of every sandbox.
  void refuse_grants_inside_hides() {
    std::map<std::string, Where> hides;
    for (std::size_t i = 0; i < mounts_.size(); ++i)
      if (mounts_[i].kind == MountKind::hide) hides.emplace(mounts_[i].path, where_[i]);
    for (std::size_t i = 0; i < mounts_.size(); ++i) {
      const Mount& m = mounts_[i];
      if (m.kind == MountKind::hide) continue;
      for (std::size_t slash = m.path.rfind('/'); slash != std::string::npos && slash > 0;
           slash = m.path.rfind('/', slash - 1)) {
        auto hide = hides.find(m.path.substr(0, slash));
        if (hide == hides.end()) continue;
        diags_.error(where_[i], "'" + m.path + "' is inside '" + hide->first + "', which this plan hides")
            .notes.push_back(policy::note(hide->second, "hidden here"));
        break;
      }
    }
  }

  std::vector<Mount> take() { return std::move(mounts_); }

 private:
  void merge(Mount& m, Where& earlier, const MountRequest& r) {
    if (m.kind == r.kind) {
      add_source(m.from, r.from);
      m.optional = m.optional && r.entry.optional;
      return;
    }
    if (strictness(m.kind) == 0 || strictness(r.kind) == 0) {
      diags_.error(r.entry.where, std::string("'") + m.path + "' is both " + to_string(m.kind) + " and " +
                                      to_string(r.kind) + "; a tmpfs cannot share its path with another grant")
          .notes.push_back(policy::note(earlier, std::string("made ") + to_string(m.kind) + " here"));
      return;
    }
    const bool new_wins = strictness(r.kind) > strictness(m.kind);
    const MountKind loser = new_wins ? m.kind : r.kind;
    const MountKind winner = new_wins ? r.kind : m.kind;
    diags_.warning(r.entry.where, "'" + m.path + "' is both " + to_string(m.kind) + " and " + to_string(r.kind) +
                                      "; the stricter " + to_string(winner) + " wins over " + to_string(loser))
        .notes.push_back(policy::note(earlier, std::string("made ") + to_string(m.kind) + " here"));
    if (new_wins) {
      m.kind = r.kind;
      m.from = {r.from};
      m.optional = r.entry.optional;
      earlier = r.entry.where;
    }
  }

  Diagnostics& diags_;
  std::vector<Mount> mounts_;
  std::vector<Where> where_;  // where each mount's winning grant was written
  std::map<std::string, std::size_t> index_;
};

std::vector<MountRequest> requests_of(const policy::Filesystem& fs, const std::string& origin) {
  std::vector<MountRequest> out;
  auto add = [&](const std::vector<policy::PathEntry>& list, MountKind kind) {
    for (const policy::PathEntry& e : list) out.push_back({kind, e, source(origin, e.where)});
  };
  add(fs.read_only, MountKind::bind_ro);
  add(fs.read_write, MountKind::bind_rw);
  add(fs.tmpfs, MountKind::tmpfs);
  add(fs.hide, MountKind::hide);
  return out;
}

// What every launch gets whatever the files say (DESIGN.md "Confinement each launch must give"),
// including the system's cordon state, hidden from every sandbox so an app can never plant a
// compiled filter, a policy or a key. A user's own state under $XDG_* is hidden at launch, where
// those variables are known (TODO(#4)); the home interface hides its default places too.
std::vector<Mount> fixed_frame() {
  return {Mount{MountKind::root_tmpfs, "/", false, {kCordon}},
          Mount{MountKind::proc, "/proc", false, {kCordon}},
          Mount{MountKind::dev, "/dev", false, {kCordon}},
          Mount{MountKind::bind_rw, "$APP_DATA", false, {kCordon}},
          Mount{MountKind::hide, "/etc/cordon", true, {kCordon}},
          Mount{MountKind::hide, "/var/cache/cordon", true, {kCordon}},
          Mount{MountKind::hide, "/var/lib/cordon", true, {kCordon}}};
}

std::vector<Mount> resolve_mounts(const std::vector<GrantFrom>& grants, const policy::AppPolicy& app,
                                  Diagnostics& diags) {
  std::vector<MountRequest> requests;
  for (const GrantFrom& g : grants) {
    auto r = requests_of(g.grants->filesystem, g.origin);
    requests.insert(requests.end(), r.begin(), r.end());
  }
  auto from_app = requests_of(app.filesystem, "app");
  requests.insert(requests.end(), from_app.begin(), from_app.end());

  MountTable table(diags);
  for (const MountRequest& r : requests) table.add(r);  // reserved paths were refused by the loader
  table.refuse_grants_inside_hides();
  std::vector<Mount> mounts = table.take();
  const std::vector<Mount> frame = fixed_frame();  // its paths are reserved: no grant names them
  mounts.insert(mounts.end(), frame.begin(), frame.end());
  std::stable_sort(mounts.begin(), mounts.end(), mount_order);
  return mounts;
}

std::vector<Device> resolve_devices(const std::vector<GrantFrom>& grants) {
  std::vector<Device> out;
  for (const GrantFrom& g : grants)
    for (const policy::PathEntry& e : g.grants->devices) {
      auto it = std::find_if(out.begin(), out.end(), [&](const Device& d) { return d.path == e.path; });
      if (it == out.end()) out.push_back(Device{e.path, e.optional, {source(g.origin, e.where)}});
      else {
        add_source(it->from, source(g.origin, e.where));
        it->optional = it->optional && e.optional;
      }
    }
  std::sort(out.begin(), out.end(), [](const Device& a, const Device& b) { return a.path < b.path; });
  return out;
}

// ---- environment and limits ----------------------------------------------------------------

std::vector<EnvEntry> resolve_environment(const std::vector<GrantFrom>& grants, const policy::AppPolicy& app,
                                          Diagnostics& diags) {
  std::map<std::string, std::pair<EnvEntry, Where>> env;
  for (const GrantFrom& g : grants)
    for (const policy::EnvVar& v : g.grants->environment) {
      auto it = env.find(v.name);
      // Base is the template and plugs refine it; two plugs that disagree are a conflict.
      if (it != env.end() && it->second.first.from.origin != "base" && it->second.first.value != v.value) {
        diags.error(v.where, "environment variable " + v.name + " is '" + v.value + "' here and '" +
                                 it->second.first.value + "' in " + it->second.first.from.origin)
            .notes.push_back(policy::note(it->second.second, "set here"));
        continue;
      }
      env[v.name] = {EnvEntry{v.name, v.value, source(g.origin, v.where)}, v.where};
    }
  for (const policy::EnvVar& v : app.environment) env[v.name] = {EnvEntry{v.name, v.value, source("app", v.where)}, v.where};
  std::vector<EnvEntry> out;
  for (auto& [name, entry] : env) out.push_back(entry.first);
  return out;
}

// How each limit is enforced, so that explain can say it. Root's launches add a cgroup (pids,
// memory): rlimits do not bind host uid 0. A user's delegated cgroup is not used yet (TODO(#4)).
std::vector<Limit> resolve_limits(const policy::Limits& base, const policy::Limits& app) {
  std::vector<Limit> out;
  auto pick = [&](const char* name, const char* unit, const char* mechanism, const auto& b, const auto& a) {
    if (a) out.push_back(Limit{name, a->value, unit, mechanism, source("app", a->where)});
    else if (b) out.push_back(Limit{name, b->value, unit, mechanism, source("base", b->where)});
  };
  pick("cpu-time", "ms", "RLIMIT_CPU", base.cpu_time_ms, app.cpu_time_ms);
  pick("memory", "bytes", "RLIMIT_DATA, tmpfs size; cgroup memory when root launches", base.memory_bytes,
       app.memory_bytes);
  pick("open-files", "count", "RLIMIT_NOFILE", base.open_files, app.open_files);
  pick("processes", "count", "RLIMIT_NPROC; cgroup pids.max when root launches", base.processes, app.processes);
  return out;
}

// ---- seccomp -----------------------------------------------------------------------------

class SeccompResolver {
 public:
  SeccompResolver(const policy::SyscallCatalog& cat, Diagnostics& diags) : cat_(cat), diags_(diags) {}

  void use_set(const policy::Located<std::string>& name, const Source& from) { use_set_named(name.value, from, name.where, {}); }

  // The bundle checks refused allows of syscalls the catalogue denies outright.
  void allow(const policy::Located<std::string>& name, const Source& from) { add_named(allowed_, name.value, from); }
  void deny(const policy::Located<std::string>& name, const Source& from) {
    add_named(denied_, name.value, from);
    deny_where_.emplace(name.value, name.where);
  }
  void family(const policy::Located<std::string>& name, const Source& from) { add_named(families_, name.value, from); }
  // An interface's own argument rule (W^X, say): it only ever narrows what the sets allow.
  void add_rule(const policy::ArgRule& rule, const Source& from) {
    Rule r = rule_of(rule, "");
    r.from = {from};
    rules_.push_back(std::move(r));
  }

  // `where` is reported when the catalogue's sets, not a deny, leave out a call init needs.
  void finish(Plan& plan, const policy::Where& where) {
    std::set<std::string> denied_names;
    for (const Named& d : denied_) denied_names.insert(d.name);
    for (Named& a : allowed_)
      if (!denied_names.count(a.name)) plan.syscalls.push_back(a);
    plan.denied = denied_;
    plan.syscall_sets = sets_;
    plan.socket_families = families_;
    for (Rule& r : rules_)
      if (!denied_names.count(r.syscall)) plan.rules.push_back(r);
    // Always present: no family granted means socket() may create none, not any. socketpair()
    // creates its two sockets through the same kernel path as socket() (protocol lookup, module
    // loading) before it finds that only AF_UNIX makes pairs, so it gets AF_UNIX at most.
    for (const char* call : {"socket", "socketpair"})
      if (!denied_names.count(call)) plan.rules.push_back(socket_rule(call));
    for (const policy::DeniedSyscall& d : cat_.denied) plan.denied_to_all.push_back(d.syscall.value);
    std::sort(plan.denied_to_all.begin(), plan.denied_to_all.end());
    auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
    std::sort(plan.syscalls.begin(), plan.syscalls.end(), by_name);
    std::sort(plan.denied.begin(), plan.denied.end(), by_name);
    std::sort(plan.syscall_sets.begin(), plan.syscall_sets.end(), by_name);
    std::sort(plan.socket_families.begin(), plan.socket_families.end(), by_name);
    std::stable_sort(plan.rules.begin(), plan.rules.end(),
                     [](const Rule& a, const Rule& b) { return a.syscall < b.syscall; });
    refuse_without_init_syscalls(plan, where);
  }

 private:
  static void add_named(std::vector<Named>& list, const std::string& name, const Source& from) {
    auto it = std::find_if(list.begin(), list.end(), [&](const Named& n) { return n.name == name; });
    if (it == list.end()) list.push_back(Named{name, {from}});
    else add_source(it->from, from);
  }

  // `chain` holds the sets being expanded, to name an include cycle instead of looping.
  void use_set_named(const std::string& name, const Source& from, const Where& where, std::vector<std::string> chain) {
    if (std::find(chain.begin(), chain.end(), name) != chain.end()) {
      chain.push_back(name);
      diags_.error(where, "syscall sets include each other in a cycle: " + policy::join(chain, " -> "));
      return;
    }
    const policy::SyscallSet* set = cat_.find(name);
    if (!set) return;  // reported by the bundle checks
    auto used = std::find_if(sets_.begin(), sets_.end(), [&](const SetUse& s) { return s.name == name; });
    if (used != sets_.end()) {
      add_source(used->from, from);
      return;
    }
    SetUse use{name, set->summary, {from}, {}};
    const Source member_from{"set:" + name, basename_of(cat_.file), 0};
    for (const auto& sc : set->syscalls) {
      use.syscalls.push_back(sc.value);
      add_named(allowed_, sc.value, Source{member_from.origin, member_from.file, sc.where.line});
    }
    std::sort(use.syscalls.begin(), use.syscalls.end());
    sets_.push_back(std::move(use));
    for (const policy::ArgRule& r : set->rules) rules_.push_back(rule_of(r, name));
    chain.push_back(name);
    for (const auto& inc : set->include)
      use_set_named(inc.value, source("set:" + name, inc.where), inc.where, chain);
  }

  Rule rule_of(const policy::ArgRule& r, const std::string& set) const {
    Rule out;
    out.syscall = r.syscall.value;
    out.arg = r.arg;
    out.low32 = r.low32;
    out.why = r.why;
    out.if_arg = r.if_arg;
    if (r.if_equals) out.if_equals = r.if_equals->value;
    out.from = {source("set:" + set, r.where)};
    if (r.errno_name) {
      out.action = "errno";
      out.errno_name = r.errno_name->value;
    } else if (!r.deny.empty()) {
      out.action = "deny";
      for (const auto& v : r.deny) out.values.push_back(v.value);
    } else if (!r.allow_only.empty()) {
      out.action = "allow-only";
      for (const auto& v : r.allow_only) out.values.push_back(v.value);
    } else if (!r.deny_all_bits.empty()) {
      out.action = "deny-all-bits";
      for (const auto& v : r.deny_all_bits) out.values.push_back(v.value);
    } else {
      out.action = "deny-bits";
      for (const auto& v : r.deny_bits) out.values.push_back(v.value);
    }
    return out;
  }

  // socket() may only create the address families some grant named (base: AF_UNIX, and AF_INET,
  // AF_INET6 and route netlink in the app's own network namespace).
  Rule socket_rule(std::string_view call) const {
    const bool pairs = call == "socketpair";
    Rule r;
    r.syscall = std::string(call);
    r.action = "allow-only";
    r.arg = 0;
    r.low32 = true;
    r.why = pairs ? "only AF_UNIX makes pairs; with any other family the kernel would create the sockets (and load "
                    "protocol modules) before it refuses"
          : families_.empty() ? "no interface grants an address family, so socket() creates none"
                              : "address families are granted by interfaces; base.yaml's IP sockets reach only the app's own loopback, the network plug's the host's network";
    for (const Named& f : families_) {
      if (pairs && f.name != "AF_UNIX") continue;
      r.values.push_back(f.name);
      for (const Source& s : f.from) add_source(r.from, s);
    }
    return r;
  }

  void refuse_without_init_syscalls(const Plan& plan, const policy::Where& where) {
    std::vector<std::string> lacking;
    for (std::string_view needed : syscalls::kInitSyscalls) {
      const std::string name(needed);
      if (has_name(plan.syscalls, name)) continue;
      auto denied = deny_where_.find(name);
      if (denied != deny_where_.end())
        diags_.error(denied->second, "'" + name + "' cannot be denied: the sandbox's init needs it under the same "
                                     "filter (docs/seccomp.md)");
      else
        lacking.push_back(name);
    }
    if (!lacking.empty())
      diags_.error(where, "the allowlist lacks " + policy::join(lacking) +
                              ", which the sandbox's init needs under the same filter; the base's syscall sets must "
                              "include them");
  }

  const policy::SyscallCatalog& cat_;
  Diagnostics& diags_;
  std::map<std::string, policy::Where> deny_where_;
  std::vector<Named> allowed_;
  std::vector<Named> denied_;
  std::vector<Named> families_;
  std::vector<SetUse> sets_;
  std::vector<Rule> rules_;
};

void resolve_seccomp(const std::vector<GrantFrom>& grants, const policy::AppPolicy& app,
                     const policy::SyscallCatalog& cat, Plan& plan, Diagnostics& diags) {
  SeccompResolver r(cat, diags);
  for (const GrantFrom& g : grants) {
    const policy::SeccompSection& s = g.grants->seccomp;
    for (const auto& name : s.sets) r.use_set(name, source(g.origin, name.where));
    for (const auto& name : s.allow) r.allow(name, source(g.origin, name.where));
    for (const auto& name : s.deny) r.deny(name, source(g.origin, name.where));
    for (const auto& name : s.socket_families) r.family(name, source(g.origin, name.where));
    for (const policy::ArgRule& rule : s.rules) r.add_rule(rule, source(g.origin, rule.where));
  }
  for (const auto& name : app.seccomp.allow) r.allow(name, source("app", name.where));
  for (const auto& name : app.seccomp.deny) r.deny(name, source("app", name.where));
  r.finish(plan, app.name.where);
}

// ---- plugs, network, notices ----------------------------------------------------------------

void resolve_network(const std::vector<GrantFrom>& grants, Plan& plan) {
  for (const GrantFrom& g : grants) {
    if (!g.grants->network || g.grants->network->value != "host") continue;
    plan.network = "host";
    add_source(plan.network_from, source(g.origin, g.grants->network->where));
  }
  if (plan.network_from.empty()) plan.network_from.push_back(kCordon);
  // A user namespace for root too: the app's capabilities, even before they are dropped, then
  // only ever apply to what the sandbox owns (docs/sandbox.md). A network namespace with the
  // network plug too: "host" means the app's IP sockets come from the host's namespace (made by
  // cordon's supervisor), while its abstract Unix sockets stay private (sandbox/socket_broker.h).
  plan.namespaces = {"cgroup", "ipc", "mount", "net", "pid", "user", "uts"};
}

void reserved_notices(const policy::AppPolicy& app, Plan& plan) {
  auto add = [&](const char* key, const Where& where) {
    plan.notices.push_back(Notice{"unenforced", std::string("'") + key + "' is accepted but not enforced by this version of cordon",
                                  source("app", where)});
  };
  if (!app.health_check.empty()) add("health-check", app.health_check.front().where);
  if (app.user) add("user", app.user->where);
  if (!app.slots.empty()) add("slots", app.slots.front().where);
}

}  // namespace

const char* to_string(MountKind k) {
  switch (k) {
    case MountKind::root_tmpfs: return "root-tmpfs";
    case MountKind::proc: return "proc";
    case MountKind::dev: return "dev";
    case MountKind::bind_ro: return "read-only";
    case MountKind::bind_rw: return "read-write";
    case MountKind::tmpfs: return "tmpfs";
    case MountKind::hide: return "hide";
  }
  return "read-only";
}

std::optional<Plan> resolve(const policy::Bundle& bundle, const ResolveOptions& options, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  const policy::AppPolicy& app = bundle.app;
  Plan plan;
  plan.app = app.name.value;
  plan.summary = app.summary;
  for (const auto& arg : app.command) plan.command.push_back(arg.value);
  plan.app_from = source("app", app.command.empty() ? app.name.where : app.command.front().where);
  plan.hostname = app.name.value;

  std::vector<GrantFrom> grants{{&bundle.base.grants, "base"}};
  for (const policy::ResolvedPlug& rp : bundle.plugs) {
    const std::string& name = rp.interface->name.value;
    const bool connected = !rp.needs_connect || std::find(options.connected.begin(), options.connected.end(),
                                                          name) != options.connected.end();
    plan.plugs.push_back(Plug{name, rp.needs_connect ? "manual" : "auto", connected, rp.attributes,
                              source("app", rp.plug->where)});
    for (const auto& [attr, value] : rp.attributes) {
      const policy::AttributeSpec* spec = rp.interface->attribute(attr);
      if (attr == "enforcement" && value == "best-effort")
        plan.notices.push_back(Notice{"info", "plug '" + name + "' asks for best-effort enforcement; this cordon "
                                              "always enforces strictly",
                                      source("app", rp.plug->where)});
      if (spec && spec->reserved)
        plan.notices.push_back(Notice{"unenforced", "attribute '" + attr + "' of plug '" + name +
                                          "' is accepted but not enforced by this version of cordon",
                                      source("app", rp.plug->where)});
    }
    if (connected) add_interface_grants(*rp.interface, rp, "plug:" + name, grants);
    else
      plan.notices.push_back(Notice{"unconnected", "plug '" + name + "' is manual and grants nothing until `cordon connect " +
                                        app.name.value + " " + name + "`",
                                    source("app", rp.plug->where)});
  }

  plan.mounts = resolve_mounts(grants, app, diags);
  plan.devices = resolve_devices(grants);
  resolve_network(grants, plan);
  plan.environment = resolve_environment(grants, app, diags);
  plan.limits = resolve_limits(bundle.base.limits, app.limits);
  resolve_seccomp(grants, app, bundle.syscalls, plan, diags);
  reserved_notices(app, plan);
  if (diags.error_count() != errors_before) return std::nullopt;
  return plan;
}

}  // namespace cordon::plan
