// Schema 1 interface files (policies/interfaces/NAME.yaml, base.yaml included): what an interface
// grants, the attributes a plug may set, and grants that apply only for some attribute values.
#include <algorithm>
#include <regex>

#include "policy/arg_rules.h"
#include "policy/fields.h"
#include "policy/load.h"
#include "policy/suggest.h"
#include "syscalls/constants.h"

namespace cordon::policy {

namespace {

const std::vector<std::string> kGrantKeys{"dbus-proxy", "devices", "environment", "filesystem", "network", "seccomp"};

std::vector<std::string> interface_keys() {
  std::vector<std::string> keys{"attributes", "connection", "description", "example", "interface",
                                "limits",     "risk",       "schema",      "summary", "when"};
  keys.insert(keys.end(), kGrantKeys.begin(), kGrantKeys.end());
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<Located<std::string>> read_families(const Reader& r, const YamlNode& n) {
  std::vector<Located<std::string>> out;
  for (Located<std::string>& f : r.string_list(n, "seccomp.socket-families")) {
    if (!syscalls::constant_value(syscalls::ConstantKind::address_family, f.value)) {
      r.diags.error(f.where, "unknown socket family '" + f.value + "'; known: " +
                                 syscalls::constant_names(syscalls::ConstantKind::address_family));
      continue;
    }
    out.push_back(std::move(f));
  }
  return out;
}

SeccompSection read_interface_seccomp(const Reader& r, const YamlNode& n) {
  SeccompSection s;
  if (!r.mapping(n, "seccomp", {"allow", "deny", "rules", "sets", "socket-families"})) return s;
  if (const YamlNode* v = n.find("sets")) s.sets = r.string_list(*v, "seccomp.sets");
  if (const YamlNode* v = n.find("allow")) s.allow = r.syscall_list(*v, "seccomp.allow");
  if (const YamlNode* v = n.find("deny")) s.deny = r.syscall_list(*v, "seccomp.deny");
  if (const YamlNode* v = n.find("socket-families")) s.socket_families = read_families(r, *v);
  if (const YamlNode* v = n.find("rules"))
    if (r.sequence(*v, "seccomp.rules"))
      for (const YamlNode& item : v->items)
        if (auto rule = read_arg_rule(r, item)) {
          // A plug narrows with rules; what it grants, it grants by sets, allow and socket-families.
          if (!rule->allow_only.empty())
            r.error(item, "an interface's rules may only deny (deny, deny-bits, deny-all-bits, errno); "
                          "grant socket families with socket-families");
          else
            s.rules.push_back(std::move(*rule));
        }
  return s;
}

// A device path with @{ATTRIBUTE} in it (model.h Grants::devices): an integer attribute in the
// middle of a path, or a path attribute as the whole entry. What it becomes must be a valid path
// under /dev/ whatever the value: integers are digits, and a path attribute must have a pattern
// under /dev/, which its value is checked against where the plug sets it. The problem, or nothing.
std::optional<std::string> device_template_problem(const std::string& entry, const std::vector<AttributeSpec>& attrs) {
  for (const AttributeSpec& a : attrs)
    if (entry == "@{" + a.name + "}" && a.type == AttributeType::path) {
      if (a.pattern.rfind("/dev/", 0) != 0 && a.pattern.rfind("^/dev/", 0) != 0)
        return "path attribute '" + a.name + "' names a device: give it a pattern that starts with /dev/";
      return std::nullopt;
    }
  std::string problem;
  auto sample = with_sample_values(entry, attrs, false, problem);
  if (!sample) return problem;
  if (auto p = path_problem(*sample)) return *p;
  if (sample->rfind("/dev/", 0) != 0) return "device '" + entry + "' must name a device node under /dev/";
  return std::nullopt;
}

std::vector<PathEntry> read_devices(const Reader& r, const YamlNode& n, const std::vector<AttributeSpec>& attrs) {
  std::vector<PathEntry> out;
  if (!r.sequence(n, "devices")) return out;
  for (const YamlNode& item : n.items) {
    const YamlNode* p = &item;
    bool optional = false;
    if (item.is_mapping()) {
      if (!r.mapping(item, "each entry of devices", {"optional", "path"})) continue;
      p = r.required(item, "path", "each entry of devices");
      if (const YamlNode* opt = item.find("optional"))
        if (auto b = r.boolean(*opt, "optional")) optional = *b;
      if (!p) continue;
    }
    auto text = r.string(*p, "devices");
    if (!text) continue;
    if (text->find("@{") != std::string::npos) {
      if (auto problem = device_template_problem(*text, attrs)) r.error(*p, *problem);
      else out.push_back(PathEntry{*text, optional, r.at(*p)});
      continue;
    }
    if (auto problem = path_problem(*text)) r.error(*p, "devices: " + *problem);
    else if (text->rfind("/dev/", 0) != 0) r.error(*p, "device '" + *text + "' must name a device node under /dev/");
    else out.push_back(PathEntry{*text, optional, r.at(*p)});
  }
  return out;
}

// Environment values may put in an integer, string or boolean attribute (DISPLAY: ":@{display}").
void check_environment_references(const Reader& r, const std::vector<EnvVar>& env,
                                  const std::vector<AttributeSpec>& attrs) {
  for (const EnvVar& v : env) {
    std::string problem;
    if (v.value.find("@{") != std::string::npos && !with_sample_values(v.value, attrs, true, problem))
      r.diags.error(v.where, "environment." + v.name + ": " + problem);
  }
}

// The grant sections, read from a mapping whose other keys the caller has already checked.
Grants read_grants(const Reader& outer, const YamlNode& map, const std::vector<AttributeSpec>& attrs) {
  const Reader r{outer.file, outer.diags, &attrs};
  Grants g;
  if (const YamlNode* v = map.find("filesystem")) g.filesystem = r.filesystem(*v);
  if (const YamlNode* v = map.find("devices")) g.devices = read_devices(r, *v, attrs);
  if (const YamlNode* v = map.find("dbus-proxy"))
    if (auto b = r.boolean(*v, "dbus-proxy")) g.dbus_proxy = *b;
  if (const YamlNode* v = map.find("network")) {
    auto mode = r.string(*v, "network");
    if (mode && *mode != "none" && *mode != "host")
      r.error(*v, "network must be 'none' or 'host', found '" + *mode + "'");
    else if (mode)
      g.network = Located<std::string>{*mode, r.at(*v)};
  }
  if (const YamlNode* v = map.find("environment")) {
    g.environment = r.environment(*v);
    check_environment_references(r, g.environment, attrs);
  }
  if (const YamlNode* v = map.find("seccomp")) g.seccomp = read_interface_seccomp(r, *v);
  return g;
}

std::optional<AttributeType> attribute_type(const Reader& r, const YamlNode& n) {
  static const std::vector<std::string> names{"boolean", "integer", "names", "path", "ports", "string"};
  auto s = r.string(n, "attribute type");
  if (!s) return std::nullopt;
  if (*s == "string") return AttributeType::string;
  if (*s == "integer") return AttributeType::integer;
  if (*s == "boolean") return AttributeType::boolean;
  if (*s == "path") return AttributeType::path;
  if (*s == "ports") return AttributeType::ports;
  if (*s == "names") return AttributeType::names;
  r.error(n, "unknown attribute type '" + *s + "'; known: " + join(names));
  return std::nullopt;
}

std::vector<std::string> plain(const std::vector<Located<std::string>>& xs) {
  std::vector<std::string> out;
  for (const auto& x : xs) out.push_back(x.value);
  return out;
}

std::optional<AttributeSpec> read_attribute(const Reader& r, const YamlNode& key, const YamlNode& n) {
  const std::string what = "attribute '" + key.scalar + "'";
  if (!r.mapping(n, what, {"default", "manual-values", "pattern", "required", "reserved", "summary", "type", "values"}))
    return std::nullopt;
  AttributeSpec spec;
  spec.name = key.scalar;
  spec.where = r.at(key);
  if (const YamlNode* v = n.find("summary"))
    if (auto s = r.one_line(*v, "summary")) spec.summary = *s;
  if (const YamlNode* v = n.find("type"))
    if (auto t = attribute_type(r, *v)) spec.type = *t;
  if (const YamlNode* v = n.find("required"))
    if (auto b = r.boolean(*v, what + " required")) spec.required = *b;
  if (const YamlNode* v = n.find("reserved"))
    if (auto b = r.boolean(*v, what + " reserved")) spec.reserved = *b;
  if (const YamlNode* v = n.find("pattern")) {
    if (auto p = r.one_line(*v, what + " pattern")) {
      try {
        (void)std::regex(*p);
        spec.pattern = *p;
      } catch (const std::regex_error&) {
        r.error(*v, what + " pattern '" + *p + "' is not a regular expression");
      }
    }
  }
  if (const YamlNode* v = n.find("values")) {
    spec.values = plain(r.string_list(*v, what + " values"));
    if (v->is_sequence() && v->items.empty())  // "any value" is written by leaving `values` out
      r.error(*v, what + " values must list at least one value; leave 'values' out to accept any " +
                      to_string(spec.type));
    for (const YamlNode& item : v->items)
      if (item.is_scalar() && !value_has_type(item.scalar, spec.type))
        r.error(item, "value " + quoted(item.scalar) + " of " + what + " is not of type " + std::string(to_string(spec.type)));
    for (std::string& value : spec.values) value = canonical_value(value, spec.type);
  }
  if (const YamlNode* v = n.find("manual-values")) {
    for (const Located<std::string>& m : r.string_list(*v, what + " manual-values")) {
      const std::string value = canonical_value(m.value, spec.type);
      if (!value_has_type(m.value, spec.type))
        r.diags.error(m.where, "manual value " + quoted(m.value) + " of " + what + " is not of type " +
                                   to_string(spec.type));
      else if (!spec.values.empty() && std::find(spec.values.begin(), spec.values.end(), value) == spec.values.end())
        r.diags.error(m.where, "manual value '" + m.value + "' is not one of the values of " + what);
      spec.manual_values.push_back(value);
    }
  }
  if (const YamlNode* v = n.find("default")) {
    if (auto s = r.string(*v, what + " default")) {
      spec.default_value = canonical_value(*s, spec.type);
      if (!spec.values.empty() &&
          std::find(spec.values.begin(), spec.values.end(), *spec.default_value) == spec.values.end())
        r.error(*v, "default '" + *s + "' is not one of the values of " + what + ": " + join(spec.values));
      if (spec.values.empty() && !value_has_type(*s, spec.type))
        r.error(*v, "default " + quoted(*s) + " of " + what + " is not of type " + std::string(to_string(spec.type)));
    }
    if (spec.required) r.error(*v, what + " is required and so cannot have a default");
    if (spec.default_value && !spec.pattern.empty() && !std::regex_match(*spec.default_value, std::regex(spec.pattern)))
      r.error(*v, "default '" + *spec.default_value + "' of " + what + " does not match its pattern " + spec.pattern);
  }
  return spec;
}

std::vector<AttributeSpec> read_attributes(const Reader& r, const YamlNode& n) {
  std::vector<AttributeSpec> out;
  if (!n.is_mapping()) {
    r.error(n, "attributes must be a mapping of NAME: {type, values, default, ...}");
    return out;
  }
  for (const auto& [key, value] : n.entries) {
    if (!r.name(key, "attribute name")) continue;
    if (key.scalar == "enforcement") {  // every plug has it (bundle.cc); an interface cannot redefine it
      r.error(key, "'enforcement' is an attribute every plug has; an interface cannot declare it");
      continue;
    }
    if (auto spec = read_attribute(r, key, value)) out.push_back(std::move(*spec));
  }
  return out;
}

std::optional<Conditional> read_conditional(const Reader& r, const YamlNode& n, const Interface& iface) {
  std::vector<std::string> keys{"if"};
  keys.insert(keys.end(), kGrantKeys.begin(), kGrantKeys.end());
  if (!r.mapping(n, "each entry of when", keys)) return std::nullopt;
  Conditional c;
  c.where = r.at(n);
  const YamlNode* cond = r.required(n, "if", "each entry of when");
  if (cond && !cond->is_mapping()) r.error(*cond, "if must be a mapping of attribute: value");
  if (cond && cond->is_mapping() && cond->entries.empty())
    r.error(*cond, "if must name at least one attribute; put unconditional grants at the top level");
  if (cond && cond->is_mapping()) {
    for (const auto& [key, value] : cond->entries) {
      const AttributeSpec* spec = iface.attribute(key.scalar);
      if (!spec) {
        std::vector<std::string> names;
        for (const AttributeSpec& a : iface.attributes) names.push_back(a.name);
        r.error(key, "condition on unknown attribute '" + key.scalar + "'" + did_you_mean(key.scalar, names));
        continue;
      }
      if (spec->type == AttributeType::ports || spec->type == AttributeType::names) {  // a list is one value
        r.error(key, "conditions cannot test '" + key.scalar + "', a " + to_string(spec->type) + " attribute");
        continue;
      }
      auto v = r.string(value, "condition on '" + key.scalar + "'");
      if (!v) continue;
      const std::string canonical = canonical_value(*v, spec->type);
      if (!value_has_type(*v, spec->type))
        r.error(value, "condition " + quoted(*v) + " on '" + key.scalar + "' is not of type " + to_string(spec->type) +
                           ", so it could never hold");
      else if (!spec->values.empty() &&
               std::find(spec->values.begin(), spec->values.end(), canonical) == spec->values.end())
        r.error(value, "'" + *v + "' is not a value of attribute '" + key.scalar + "': " + join(spec->values));
      c.conditions.emplace_back(key.scalar, Located<std::string>{canonical, r.at(value)});
    }
  }
  c.grants = read_grants(r, n, iface.attributes);
  return c;
}

// base.yaml is the template, not something an app plugs: it has no attributes, conditions or
// connection. Limits are defaults only base may set: an interface cannot limit an app.
void check_base_rules(const Reader& r, const YamlNode& root, const Interface& iface) {
  const bool is_base = iface.name.value == "base";
  for (const char* key : {"attributes", "when", "connection"})
    if (is_base && root.find(key))
      r.error(*root.find(key), std::string("'") + key + "' does not apply to base.yaml, which every app gets");
  if (!is_base && root.find("limits"))
    r.error(*root.find("limits"), "limits are only accepted in base.yaml (defaults) and in app policies");
}

}  // namespace

std::optional<Interface> parse_interface(const std::string& file, std::string_view text, Diagnostics& diags) {
  const std::size_t errors_before = diags.error_count();
  const Reader r{file, diags};
  auto root = read_document(r, text, "interface file", interface_keys());
  if (!root) return std::nullopt;

  Interface iface;
  iface.file = file;
  if (const YamlNode* v = r.required(*root, "interface", "interface file"))
    if (auto s = r.name(*v, "interface name")) iface.name = {*s, r.at(*v)};
  if (const YamlNode* v = root->find("summary"))
    if (auto s = r.one_line(*v, "summary")) iface.summary = *s;
  if (const YamlNode* v = root->find("description"))
    if (auto s = r.string(*v, "description")) iface.description = *s;
  if (const YamlNode* v = root->find("risk"))
    if (auto s = r.string(*v, "risk")) iface.risk = *s;
  if (const YamlNode* v = root->find("example"))
    if (auto s = r.string(*v, "example")) iface.example = *s;
  if (const YamlNode* v = root->find("connection")) {
    auto s = r.string(*v, "connection");
    if (s && *s == "auto") iface.connection = Connection::auto_connect;
    else if (s && *s != "manual") r.error(*v, "connection must be 'auto' or 'manual', found '" + *s + "'");
  }
  if (const YamlNode* v = root->find("attributes")) iface.attributes = read_attributes(r, *v);
  iface.grants = read_grants(r, *root, iface.attributes);
  if (const YamlNode* v = root->find("limits")) iface.limits = r.limits(*v);
  if (const YamlNode* v = root->find("when")) {
    if (r.sequence(*v, "when"))
      for (const YamlNode& item : v->items)
        if (auto c = read_conditional(r, item, iface)) iface.when.push_back(std::move(*c));
  }
  check_base_rules(r, *root, iface);
  if (diags.error_count() != errors_before) return std::nullopt;
  return iface;
}

}  // namespace cordon::policy
