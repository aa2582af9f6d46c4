#include "policy/model.h"

namespace cordon::policy {

std::string AttributeValue::text() const {
  if (!is_list) return items.empty() ? std::string() : items.front();
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

const char* to_string(AttributeType t) {
  switch (t) {
    case AttributeType::string: return "string";
    case AttributeType::integer: return "integer";
    case AttributeType::boolean: return "boolean";
    case AttributeType::path: return "path";
    case AttributeType::ports: return "ports";
    case AttributeType::names: return "names";
  }
  return "string";
}

const AttributeSpec* Interface::attribute(const std::string& n) const {
  for (const AttributeSpec& a : attributes)
    if (a.name == n) return &a;
  return nullptr;
}

const SyscallSet* SyscallCatalog::find(const std::string& name) const {
  for (const SyscallSet& s : sets)
    if (s.name.value == name) return &s;
  return nullptr;
}

const char* to_string(SlotKind k) { return k == SlotKind::socket ? "socket" : "directory"; }

}  // namespace cordon::policy
