// Schema 1 app policies: shape and values of every key. Whether the plugged interfaces exist and
// accept the attributes is checked later, against the catalogue (bundle.cc).
#include <algorithm>
#include <map>
#include <regex>

#include "policy/fields.h"
#include "policy/load.h"
#include "policy/suggest.h"
#include "util/strings.h"

namespace cordon::policy {

namespace {

const std::vector<std::string> kAppKeys{"command", "environment", "filesystem", "health-check", "limits", "name",
                                        "plugs",   "schema",      "seccomp",    "slots",        "summary", "user",
                                        "version"};

std::vector<Located<std::string>> read_command(const Reader& r, const YamlNode& n, std::string_view what) {
  std::vector<Located<std::string>> argv = r.string_list(n, what);
  if (n.is_sequence() && n.items.empty()) r.error(n, std::string(what) + " must name a program; it is empty");
  if (argv.empty()) return argv;
  const std::string& program = argv[0].value;
  // A relative path with a '/' (bin/app, ./app) names a file of an installed package's payload
  // ($APP_ROOT) and may not climb out of it; a bare name would be a PATH search, which cordon never does.
  const bool climbs = program == ".." || program.rfind("../", 0) == 0 || program.find("/../") != std::string::npos ||
                      (program.size() >= 3 && program.compare(program.size() - 3, 3, "/..") == 0);
  if (program.empty() || (program[0] != '/' && (climbs || program.find('/') == std::string::npos)))
    r.diags.error(argv[0].where, std::string(what) + "[0] '" + program +
                                     "' must be an absolute path, or a path inside a package's payload such as "
                                     "bin/app; cordon does not search PATH");
  else if (program[0] != '/')
    ;  // resolved against $APP_ROOT at launch (plan::resolve); a policy file has none, and says so there
  else if (auto problem = path_problem(program))
    r.diags.error(argv[0].where, std::string(what) + "[0]: " + *problem);
  else if (program == "/")
    r.diags.error(argv[0].where, std::string(what) + "[0] must name a program, not '/'");
  return argv;
}

AttributeValue read_attribute_value(const Reader& r, const YamlNode& n, const std::string& what) {
  AttributeValue v;
  v.where = r.at(n);
  if (n.is_sequence()) {
    v.is_list = true;
    if (n.items.empty()) r.error(n, what + " is an empty list; leave the attribute out instead");
    for (const YamlNode& item : n.items)
      if (auto s = r.string(item, "each entry of " + what)) {
        v.items.push_back(*s);
        v.item_where.push_back(r.at(item));
      }
  } else if (auto s = r.string(n, what)) {
    v.items.push_back(*s);
    v.item_where.push_back(r.at(n));
  }
  return v;
}

// A plug is NAME or {NAME: {attr: value, ...}}.
// PROVIDER:SLOT, another app's slot (docs/slots.md): both parts are names.
std::optional<std::string> slot_plug_name(const Reader& r, const YamlNode& n) {
  const std::size_t colon = n.scalar.find(':');
  YamlNode provider = n, slot = n;
  provider.scalar = n.scalar.substr(0, colon);
  slot.scalar = n.scalar.substr(colon + 1);
  if (!r.name(provider, "the providing app's name in " + quoted(n.scalar)) || !r.name(slot, "the slot's name in " + quoted(n.scalar)))
    return std::nullopt;
  return n.scalar;
}

std::optional<Plug> read_plug(const Reader& r, const YamlNode& n, std::string_view what) {
  if (n.is_scalar()) {
    auto name = n.scalar.find(':') != std::string::npos ? slot_plug_name(r, n) : r.name(n, "interface name");
    if (!name) return std::nullopt;
    return Plug{*name, {}, r.at(n)};
  }
  if (!n.is_mapping() || n.entries.size() != 1) {
    r.error(n, "each entry of " + std::string(what) + " must be an interface name or NAME: {attribute: value}");
    return std::nullopt;
  }
  const auto& [key, value] = n.entries.front();
  auto name = r.name(key, "interface name");
  if (!name) return std::nullopt;
  Plug plug{*name, {}, r.at(key)};
  if (value.is_null()) {
    r.error(key, "'" + *name + ":' has no attributes; write '- " + *name + "' or give NAME: {attribute: value}");
    return std::nullopt;
  }
  if (!value.is_mapping()) {
    r.error(value, "attributes of '" + *name + "' must be a mapping of attribute: value");
    return std::nullopt;
  }
  for (const auto& [attr, v] : value.entries) {
    if (v.is_mapping()) {
      r.error(v, "attribute '" + attr.scalar + "' must be a value or a list of values, found a mapping");
      continue;
    }
    AttributeValue av = read_attribute_value(r, v, "attribute '" + attr.scalar + "'");
    av.where = r.at(attr);
    plug.attributes.emplace_back(attr.scalar, std::move(av));
  }
  return plug;
}

std::vector<Plug> read_plugs(const Reader& r, const YamlNode& n, std::string_view what) {
  std::vector<Plug> plugs;
  if (!r.sequence(n, what)) return plugs;
  std::map<std::string, Where> seen;  // a repeat is reported and dropped, so each interface loads once
  for (const YamlNode& item : n.items) {
    auto plug = read_plug(r, item, what);
    if (!plug) continue;
    auto [earlier, fresh] = seen.emplace(plug->interface, plug->where);
    if (!fresh) {
      r.diags.error(plug->where, "'" + plug->interface + "' is plugged twice")
          .notes.push_back(note(earlier->second, "first plugged here"));
      continue;
    }
    plugs.push_back(std::move(*plug));
  }
  return plugs;
}

// One slot: `NAME: {socket: $APP_DATA/PATH}` or `NAME: {directory: $APP_DATA/PATH, access: read-write}`.
std::optional<Slot> read_slot(const Reader& r, const YamlNode& n) {
  if (!n.is_mapping() || n.entries.size() != 1) {
    r.error(n, "each slot must be NAME: {socket: $APP_DATA/PATH} or NAME: {directory: $APP_DATA/PATH}");
    return std::nullopt;
  }
  const auto& [key, value] = n.entries.front();
  auto name = r.name(key, "slot name");
  if (!name || !r.mapping(value, "slot '" + *name + "'", {"access", "directory", "socket"})) return std::nullopt;
  Slot slot{*name, SlotKind::socket, "", false, r.at(key)};
  const YamlNode* socket = value.find("socket");
  const YamlNode* directory = value.find("directory");
  if ((socket != nullptr) == (directory != nullptr)) {
    r.error(key, "slot '" + *name + "' needs exactly one of socket: and directory:");
    return std::nullopt;
  }
  if (directory) slot.kind = SlotKind::directory;
  const YamlNode& where = socket ? *socket : *directory;
  auto path = r.path(where, "slot '" + *name + "'");
  if (!path) return std::nullopt;
  constexpr std::string_view kData = "$APP_DATA/";
  if (path->rfind(kData, 0) != 0 || path->size() == kData.size()) {
    r.error(where, "slot '" + *name + "': " + quoted(*path) + " must be below $APP_DATA (the app's own data is all it can offer)");
    return std::nullopt;
  }
  slot.path = path->substr(kData.size());
  if (slot.path.find('$') != std::string::npos) {
    r.error(where, "slot '" + *name + "': no variable may follow $APP_DATA");
    return std::nullopt;
  }
  if (const YamlNode* access = value.find("access")) {
    auto a = r.string(*access, "access");
    if (a && *a == "read-write") slot.writable = true;
    else if (a && *a != "read-only") r.error(*access, "access must be read-only or read-write, found " + quoted(*a));
  }
  return slot;
}

std::vector<Slot> read_slots(const Reader& r, const YamlNode& n) {
  std::vector<Slot> slots;
  if (!r.sequence(n, "slots")) return slots;
  std::map<std::string, Where> seen;
  for (const YamlNode& item : n.items) {
    auto slot = read_slot(r, item);
    if (!slot) continue;
    if (auto [earlier, fresh] = seen.emplace(slot->name, slot->where); !fresh) {
      r.diags.error(slot->where, "slot '" + slot->name + "' is offered twice").notes.push_back(note(earlier->second, "first here"));
      continue;
    }
    slots.push_back(std::move(*slot));
  }
  return slots;
}

// A user name as useradd accepts it, or a numeric uid (not (uid_t)-1, which means "no change").
std::optional<std::string> read_user(const Reader& r, const YamlNode& n) {
  auto s = r.string(n, "user");
  if (!s) return std::nullopt;
  static const std::regex uid("[0-9]{1,10}");
  static const std::regex user_name("[A-Za-z0-9_][A-Za-z0-9_.-]{0,30}\\$?");
  const bool numeric = all_digits(*s);
  if (numeric && std::regex_match(*s, uid) && std::stoull(*s) < 4294967295ull) return s;
  if (!numeric && s->size() <= 32 && std::regex_match(*s, user_name)) return s;
  r.error(n, "user must be a user name or a uid from 0 to 4294967294, found " + quoted(*s, 40));
  return std::nullopt;
}

// An app's own filesystem section may not reach a person's files or session: those come through
// interfaces (home, desktop, ...), which the owner sees and, for the risky ones, connects by hand.
void refuse_personal_paths(const Reader& r, const Filesystem& fs) {
  static const std::vector<std::string_view> personal{"$HOME", "$XDG_RUNTIME_DIR", "/home", "/root", "/run/user"};
  for (const auto* list : {&fs.read_only, &fs.read_write, &fs.tmpfs})
    for (const PathEntry& e : *list)
      for (std::string_view p : personal)
        if (e.path == p || (e.path.size() > p.size() && e.path.compare(0, p.size(), p) == 0 && e.path[p.size()] == '/')) {
          r.diags.error(e.where, "'" + e.path + "' is the user's own data; an app gets it through an interface such as 'home', not its own filesystem section");
          break;
        }
}

SeccompSection read_app_seccomp(const Reader& r, const YamlNode& n) {
  SeccompSection s;
  if (!r.mapping(n, "seccomp", {"allow", "deny"})) return s;
  if (const YamlNode* v = n.find("allow")) s.allow = r.syscall_list(*v, "seccomp.allow");
  if (const YamlNode* v = n.find("deny")) s.deny = r.syscall_list(*v, "seccomp.deny");
  return s;
}

}  // namespace

std::optional<YamlNode> read_document(const Reader& r, std::string_view text, std::string_view what,
                                      const std::vector<std::string>& keys) {
  auto root = parse_yaml(text, r.file, r.diags);
  if (!root || !r.mapping(*root, what, keys) || !check_schema_version(r, *root, what)) return std::nullopt;
  return root;
}

bool check_schema_version(const Reader& r, const YamlNode& root, std::string_view what) {
  const YamlNode* v = r.required(root, "schema", what);
  if (!v) return true;  // reported; reading on as schema 1 shows the file's other problems too
  if (v->is_scalar() && !v->quoted && v->scalar == "1") return true;
  if (v->is_scalar() && v->scalar == "1")
    r.error(*v, "schema must be the number 1, not a quoted string");
  else
    r.error(*v, "unsupported schema " + (v->is_scalar() ? "'" + v->scalar + "'" : std::string("value")) +
                    "; this cordon reads schema 1");
  return false;
}

std::optional<AppPolicy> parse_app_partial(const std::string& file, std::string_view text, Diagnostics& diags) {
  const Reader r{file, diags};
  auto root = read_document(r, text, "app policy", kAppKeys);
  if (!root) return std::nullopt;

  AppPolicy app;
  app.file = file;
  if (const YamlNode* v = r.required(*root, "name", "app policy"))
    if (auto s = r.name(*v, "app name")) app.name = {*s, r.at(*v)};
  if (const YamlNode* v = root->find("summary"))
    if (auto s = r.one_line(*v, "summary")) app.summary = *s;
  if (const YamlNode* v = root->find("version"))
    if (auto s = r.string(*v, "version")) app.version = Located<std::string>{*s, r.at(*v)};
  if (const YamlNode* v = r.required(*root, "command", "app policy")) app.command = read_command(r, *v, "command");
  if (const YamlNode* v = root->find("health-check")) app.health_check = read_command(r, *v, "health-check");
  if (const YamlNode* v = root->find("user"))
    if (auto s = read_user(r, *v)) app.user = Located<std::string>{*s, r.at(*v)};
  if (const YamlNode* v = root->find("plugs")) app.plugs = read_plugs(r, *v, "plugs");
  if (const YamlNode* v = root->find("slots")) app.slots = read_slots(r, *v);
  if (const YamlNode* v = root->find("filesystem")) {
    app.filesystem = r.filesystem(*v);
    refuse_personal_paths(r, app.filesystem);
  }
  if (const YamlNode* v = root->find("environment")) app.environment = r.environment(*v);
  if (const YamlNode* v = root->find("limits")) app.limits = r.limits(*v);
  if (const YamlNode* v = root->find("seccomp")) app.seccomp = read_app_seccomp(r, *v);
  return app;
}

std::optional<AppPolicy> parse_app(const std::string& file, std::string_view text, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  auto app = parse_app_partial(file, text, diags);
  if (diags.error_count() != errors_before) return std::nullopt;
  return app;
}

}  // namespace cordon::policy
