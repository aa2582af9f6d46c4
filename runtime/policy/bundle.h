// Everything a Plan is resolved from: the app policy, base.yaml, each plugged interface and the
// syscall sets, loaded and checked against each other (interfaces exist, attributes are accepted,
// sets exist). policy::load in DESIGN.md's data flow.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policy/diagnostics.h"
#include "policy/model.h"
#include "policy/search.h"

namespace cordon::policy {

// One plug after its attributes were checked and defaults filled in.
struct ResolvedPlug {
  const Plug* plug = nullptr;             // nullptr for base
  const Interface* interface = nullptr;
  std::vector<std::pair<std::string, std::string>> attributes;  // every declared attribute, sorted by name
  bool needs_connect = false;             // manual interface, or a manual attribute value
};

// A plug of another app's slot, PROVIDER:SLOT (docs/slots.md), with the slot as the provider's
// policy offers it.
struct SlotPlug {
  const Plug* plug = nullptr;  // into Bundle::app.plugs
  std::string provider;
  Slot slot;
  std::vector<std::pair<std::string, std::string>> attributes;  // kind, path, access: what a connection records
};

struct Bundle {
  AppPolicy app;
  Interface base;
  std::vector<Interface> interfaces;  // plugged interfaces, in plug order
  SyscallCatalog syscalls;
  std::vector<ResolvedPlug> plugs;    // in plug order; pointers into this Bundle (do not copy a Bundle)
  std::vector<SlotPlug> slot_plugs;   // the plugs of other apps' slots, in plug order

  Bundle() = default;
  Bundle(const Bundle&) = delete;
  Bundle& operator=(const Bundle&) = delete;
};

// Loads `app_file` and what it refers to. Every file read is added to `sources` (for carets).
// Returns nullptr if there was any error; all errors are in `diags`.
std::unique_ptr<Bundle> load_bundle(const std::string& app_file, const SearchPaths& paths, Diagnostics& diags,
                                    SourceTexts& sources);

// Checks already-parsed files against each other and ties them into a Bundle (load_bundle's second
// half; tests use it with files parsed from strings). nullptr if there was any error.
std::unique_ptr<Bundle> assemble_bundle(AppPolicy app, Interface base, std::vector<Interface> interfaces,
                                        SyscallCatalog syscalls, Diagnostics& diags);

// The same, but returns whatever could be assembled even when there were errors (bad values left
// out), so that the resolver can report conflicts in the same pass. Never use its result to run
// anything unless `diags` gained no error. nullptr only when there is nothing to go on.
std::unique_ptr<Bundle> load_bundle_partial(const std::string& app_file, const SearchPaths& paths,
                                            Diagnostics& diags, SourceTexts& sources);
std::unique_ptr<Bundle> assemble_bundle_partial(AppPolicy app, Interface base, std::vector<Interface> interfaces,
                                                SyscallCatalog syscalls, Diagnostics& diags);

// Ties each PROVIDER:SLOT plug of `bundle.app` to its slot in `offered` (plug name -> slot, as
// load_bundle found them in the providers' policies).
void attach_slot_plugs(Bundle& bundle, const std::vector<std::pair<std::string, Slot>>& offered);

// Loads one interface by name (for `cordon interfaces`). Reports against the file it found.
std::optional<Interface> load_interface(const std::string& name, const SearchPaths& paths, Diagnostics& diags,
                                        SourceTexts& sources);

std::optional<SyscallCatalog> load_syscall_sets(const SearchPaths& paths, Diagnostics& diags, SourceTexts& sources);

// Checks the catalogue itself: includes exist and form no cycle, no syscall is placed twice.
void check_syscall_catalog(const SyscallCatalog& cat, Diagnostics& diags);

// Checks an interface against the syscall catalogue: its sets exist, it allows nothing the
// catalogue denies outright. (`cordon check IFACE.yaml` and load_bundle.)
void check_interface(const Interface& iface, const SyscallCatalog& syscalls, Diagnostics& diags);

// Checks a parsed app against its interfaces: used by load_bundle, exposed for tests.
std::vector<ResolvedPlug> check_plugs(const AppPolicy& app, const std::vector<Interface>& interfaces,
                                      Diagnostics& diags);

}  // namespace cordon::policy
