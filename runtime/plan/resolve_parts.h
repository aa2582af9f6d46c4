// What the parts of plan::resolve share: provenance helpers and the grant sections in the order
// they apply. Internal to plan/ (resolve.cc, resolve_mounts.cc, resolve_seccomp.cc); nothing
// outside the folder includes it.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "policy/bundle.h"
#include "policy/diagnostics.h"
#include "util/strings.h"

namespace cordon::plan::detail {

// Provenance names the file by its base name, so a Plan does not depend on where the files sit.
// File names are bytes; the Plan is JSON, so an odd name is made valid UTF-8 here.
// `who` says which origin (and plug or set); `where` the file and line.
inline Source source(const Source& who, const policy::Where& where) {
  return Source{who.origin, who.name, valid_utf8(basename_of(where.file)), where.line};
}
inline const Source kCordon{Origin::cordon, "", "", 0};
inline const Source kBase{Origin::base, "", "", 0};
inline const Source kApp{Origin::app, "", "", 0};
inline Source plug_origin(const std::string& plug) { return Source{Origin::plug, plug, "", 0}; }
inline Source set_origin(const std::string& set) { return Source{Origin::set, set, "", 0}; }

inline void add_source(std::vector<Source>& list, const Source& s) {
  if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

// One grant section and who gives it: base, a connected plug, or the app itself.
struct GrantFrom {
  const policy::Grants* grants;
  Source who;  // origin and name only
};

// resolve_mounts.cc: the fixed frame plus every filesystem grant, conflicts settled (docs/plan.md
// "Conflicts"), parents before children.
std::vector<Mount> resolve_mounts(const std::vector<GrantFrom>& grants, const policy::AppPolicy& app,
                                  policy::Diagnostics& diags);
std::vector<Device> resolve_devices(const std::vector<GrantFrom>& grants);

// resolve_seccomp.cc: sets expanded, allow and deny merged (deny wins), argument rules, socket
// families; refuses a Plan whose allowlist lacks what the sandbox's init needs.
void resolve_seccomp(const std::vector<GrantFrom>& grants, const policy::AppPolicy& app,
                     const policy::SyscallCatalog& cat, Plan& plan, policy::Diagnostics& diags);

// resolve_ports.cc: the TCP ports of the network plugs that name them (PortFilter). `connected`
// says, for each of bundle.plugs, whether it grants anything.
void resolve_ports(const policy::Bundle& bundle, const std::vector<bool>& connected, Plan& plan,
                   policy::Diagnostics& diags);
// The dbus plugs' proxies (plan.h DbusProxy).
void resolve_dbus(const policy::Bundle& bundle, const std::vector<bool>& connected, Plan& plan);
// After resolve_seccomp: the argument rules a port filter needs (no TCP Fast Open).
void add_port_filter_rules(Plan& plan);

}  // namespace cordon::plan::detail
