// The signed update index (index.h): writing it, and on a device, signature first, then the body.
#include "update/index.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "package/digest.h"
#include "package/format.h"
#include "package/store.h"
#include "util/sha256.h"

namespace cordon::update {

namespace {

using json = nlohmann::ordered_json;
constexpr std::string_view kStep = "update";
constexpr std::string_view kPurpose = "cordon-index-v1";
constexpr std::string_view kPrefixStart = "{\"signature\":\"ed25519:";
constexpr std::string_view kPrefixEnd = "\",\"index\":";
constexpr std::string_view kSuffix = "}\n";
constexpr std::size_t kKeyHex = 64, kSignatureHex = 128;
constexpr std::size_t kPrefixSize = kPrefixStart.size() + kKeyHex + 1 + kSignatureHex + kPrefixEnd.size();
const std::set<std::string> kIndexKeys{"format", "repository", "serial", "published", "expires", "apps"};
const std::set<std::string> kEntryKeys{"name", "version", "file", "size", "sha256", "key"};

bool is_lower_hex(std::string_view s, std::size_t size) {
  return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

int hex_value(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

template <std::size_t N>
std::array<unsigned char, N> from_hex(std::string_view hex) {  // the caller checked is_lower_hex(hex, 2N)
  std::array<unsigned char, N> out{};
  for (std::size_t i = 0; i < N; ++i)
    out[i] = static_cast<unsigned char>(hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1]));
  return out;
}

std::string index_message(std::string_view body) {
  package::Sha256 hash;
  hash.update(body);
  return package::signed_message_for(kPurpose, body.size(), hash.finish());
}

bool valid_version(std::string_view v) {
  return !v.empty() && v.size() <= package::kMaxLabelBytes &&
         std::all_of(v.begin(), v.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

Error bad(const std::string& shown, const std::string& why) { return fail(kStep, shown + ": " + why); }

const json* member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

Result<std::string> text_field(const json& object, const char* key, const std::string& where) {
  const json* v = member(object, key);
  if (!v || !v->is_string()) return bad(where, std::string("\"") + key + "\" must be a string");
  return v->get<std::string>();
}

Result<std::uint64_t> count_field(const json& object, const char* key, std::uint64_t max, const std::string& where) {
  const json* v = member(object, key);
  if (!v || !v->is_number_unsigned() || v->get<std::uint64_t>() < 1 || v->get<std::uint64_t>() > max)
    return bad(where, std::string("\"") + key + "\" must be a whole number from 1 to " + std::to_string(max));
  return v->get<std::uint64_t>();
}

Result<void> only_known_keys(const json& object, const std::set<std::string>& known, const std::string& where) {
  for (const auto& [key, value] : object.items())
    if (!known.count(key)) return bad(where, "unknown key \"" + key + "\" (a signed field this reader would skip could mean something to another)");
  return {};
}

Result<IndexEntry> parse_entry(const json& e, std::size_t at, const std::string& shown) {
  std::string where = shown + ": apps[" + std::to_string(at) + "]";
  if (!e.is_object()) return bad(where, "must be an object");
  CORDON_TRY(only_known_keys(e, kEntryKeys, where));
  IndexEntry entry;
  auto name = text_field(e, "name", where);
  if (!name) return name.error();
  if (!package::valid_app_name(*name)) return bad(where, "\"" + *name + "\" is not an app name");
  entry.name = std::move(*name);
  where = shown + ": " + entry.name;
  auto version = text_field(e, "version", where);
  auto file = text_field(e, "file", where);
  auto sha = text_field(e, "sha256", where);
  auto key = text_field(e, "key", where);
  for (const auto* r : {&version, &file, &sha, &key})
    if (!*r) return r->error();
  if (!valid_version(*version)) return bad(where, "the version must be 1 to 64 printable ASCII characters");
  if (!valid_file_name(*file)) return bad(where, "\"" + *file + "\" is not a package file name (a name in the index's folder)");
  if (!is_lower_hex(*sha, 64)) return bad(where, "\"sha256\" must be 64 lowercase hex digits");
  if (!is_lower_hex(*key, 64)) return bad(where, "\"key\" must be a key id: 64 lowercase hex digits");
  auto size = count_field(e, "size", package::Limits{}.max_package_bytes + package::kTrailerSize, where);
  if (!size) return size.error();
  entry.version = std::move(*version);
  entry.file = std::move(*file);
  entry.sha256 = std::move(*sha);
  entry.key = std::move(*key);
  entry.size = *size;
  return entry;
}

// The body as JSON, refusing a key twice in one object: readers differ on which one counts (the
// last, here), so an auditor's tool could read another index than the devices act on.
Result<json> parse_strict_json(std::string_view body, const std::string& shown) {
  if (body.empty() || body[0] != '{') return bad(shown, "the signed index is not a JSON object");  // no BOM, no space
  std::vector<std::set<std::string>> keys_seen;
  std::string duplicate;
  const json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys_seen.emplace_back();
    else if (event == json::parse_event_t::object_end && !keys_seen.empty()) keys_seen.pop_back();
    else if (event == json::parse_event_t::key && !keys_seen.empty() && duplicate.empty() &&
             !keys_seen.back().insert(parsed.get<std::string>()).second)
      duplicate = parsed.get<std::string>();
    return true;
  };
  json doc = json::parse(body, check, false);
  if (doc.is_discarded() || !doc.is_object()) return bad(shown, "the signed index is not a JSON object");
  if (!duplicate.empty()) return bad(shown, "the key \"" + duplicate + "\" appears twice in one object");
  return doc;
}

Result<Index> parse_body_json(std::string_view body, const std::string& shown) {
  auto parsed = parse_strict_json(body, shown);
  if (!parsed) return parsed.error();
  const json& doc = *parsed;
  CORDON_TRY(only_known_keys(doc, kIndexKeys, shown));
  const json* format = member(doc, "format");
  if (!format || !format->is_number_unsigned() || format->get<std::uint64_t>() != 1)
    return bad(shown, "\"format\" must be 1 (an index from a newer cordon? update cordon)");
  Index index;
  auto repository = text_field(doc, "repository", shown);
  if (!repository) return repository.error();
  if (!is_lower_hex(*repository, kRepositoryIdHex))
    return bad(shown, "\"repository\" must be a repository id: 32 lowercase hex digits");
  index.repository = *repository;
  auto serial = count_field(doc, "serial", kMaxSerial, shown);
  if (!serial) return serial.error();
  index.serial = *serial;
  for (const char* key : {"published", "expires"}) {
    auto text = text_field(doc, key, shown);
    if (!text) return text.error();
    auto t = parse_utc(*text, shown + ": \"" + key + "\"");
    if (!t) return t.error();
    (std::string_view(key) == "published" ? index.published : index.expires) = *t;
  }
  if (index.expires < index.published) return bad(shown, "it expires before it was published");
  if (index.expires - index.published > kMaxValiditySeconds)
    return bad(shown, "it is valid for more than 366 days: an index that never expires cannot show a freeze");
  const json* apps = member(doc, "apps");
  if (!apps || !apps->is_array()) return bad(shown, "\"apps\" must be a list");
  if (apps->size() > kMaxApps) return bad(shown, "more than " + std::to_string(kMaxApps) + " apps");
  for (std::size_t i = 0; i < apps->size(); ++i) {
    auto entry = parse_entry((*apps)[i], i, shown);
    if (!entry) return entry.error();
    if (!index.apps.empty() && entry->name <= index.apps.back().name)
      return bad(shown, "apps must be sorted by name, each once (" + entry->name + " after " + index.apps.back().name + ")");
    index.apps.push_back(std::move(*entry));
  }
  return index;
}

}  // namespace

Result<Index> parse_index_body(std::string_view body, const std::string& shown) {
  if (body.size() > kMaxIndexBytes) return bad(shown, "larger than the limit of " + std::to_string(kMaxIndexBytes) + " bytes");
  return parse_body_json(body, shown);
}

const IndexEntry* Index::find(const std::string& name) const {
  const auto it = std::lower_bound(apps.begin(), apps.end(), name,
                                   [](const IndexEntry& e, const std::string& n) { return e.name < n; });
  return it != apps.end() && it->name == name ? &*it : nullptr;
}

std::string index_body_json(const Index& index) {
  json apps = json::array();
  for (const IndexEntry& e : index.apps)
    apps.push_back({{"name", e.name}, {"version", e.version}, {"file", e.file},
                    {"size", e.size}, {"sha256", e.sha256}, {"key", e.key}});
  const json body{{"format", 1}, {"repository", index.repository}, {"serial", index.serial}, {"published", utc_text(index.published)},
                  {"expires", utc_text(index.expires)}, {"apps", apps}};
  return body.dump();
}

Result<std::string> signed_index_file(const Index& index, const package::PrivateKey& key) {
  const std::string body = index_body_json(index);
  auto signature = key.sign(index_message(body));
  if (!signature) return signature.error();
  std::string out(kPrefixStart);
  out += key.public_key().id + ":" + package::to_hex(signature->data(), signature->size());
  out += kPrefixEnd;
  out += body;
  out += kSuffix;
  return out;
}

Result<VerifiedIndex> verify_index(std::string_view file, const package::PublicKey& index_key, const std::string& shown) {
  if (file.size() > kMaxIndexBytes) return bad(shown, "larger than the limit of " + std::to_string(kMaxIndexBytes) + " bytes");
  if (file.size() < kPrefixSize + kSuffix.size() || file.substr(0, kPrefixStart.size()) != kPrefixStart ||
      file.substr(kPrefixSize - kPrefixEnd.size(), kPrefixEnd.size()) != kPrefixEnd ||
      file[kPrefixStart.size() + kKeyHex] != ':' || file.substr(file.size() - kSuffix.size()) != kSuffix)
    return bad(shown, "not a cordon update index (it must start with {\"signature\":\"ed25519:KEY:SIGNATURE\",\"index\": "
                      "and end with }, as `cordon publish` writes it)");
  const std::string_view key_hex = file.substr(kPrefixStart.size(), kKeyHex);
  const std::string_view sig_hex = file.substr(kPrefixStart.size() + kKeyHex + 1, kSignatureHex);
  if (!is_lower_hex(key_hex, kKeyHex) || !is_lower_hex(sig_hex, kSignatureHex))
    return bad(shown, "the signature field is not ed25519:<64 hex digits>:<128 hex digits>");
  if (key_hex != index_key.id)
    return bad(shown, "signed by key " + package::short_id(std::string(key_hex)) + ", not by the index key " +
                          package::short_id(index_key.id) + (index_key.file.empty() ? "" : " (" + index_key.file + ")"));
  const std::string_view body = file.substr(kPrefixSize, file.size() - kPrefixSize - kSuffix.size());
  if (!package::verify_signature(index_key.raw, index_message(body), from_hex<64>(sig_hex)))
    return bad(shown, "the signature does not match the contents: the index was changed after it was signed");
  auto index = parse_index_body(body, shown);
  if (!index) return index.error();
  return VerifiedIndex{std::move(*index), sha256_hex(file), index_key.id};
}

Result<void> index_is_current(const VerifiedIndex& v, std::time_t now, std::uint64_t highest_accepted,
                              const std::string& accepted_sha256, const std::string& shown, const std::string& record) {
  if (v.index.serial < highest_accepted)
    return bad(shown, "serial " + std::to_string(v.index.serial) + " is older than serial " +
                          std::to_string(highest_accepted) + ", which this device already accepted: an old index "
                          "replayed (a rollback attack) or a publisher that lost its state" +
                          (record.empty() ? "" : " (if the publisher really started its serials over, remove " + record +
                                                     ": the next index from this source is then accepted whatever its serial)"));
  if (v.index.serial == highest_accepted && !accepted_sha256.empty() && v.sha256 != accepted_sha256)
    return bad(shown, "serial " + std::to_string(v.index.serial) + " was accepted before with other contents: two "
                      "different indexes under one serial (the publisher must raise the serial on every change)");
  if (v.index.published > now + kClockSkewSeconds)
    return bad(shown, "published at " + utc_text(v.index.published) + ", later than now (" + utc_text(now) +
                          ") by more than a day: this device's clock or the publisher's is wrong");
  if (now > v.index.expires)
    return bad(shown, "expired at " + utc_text(v.index.expires) + " (now " + utc_text(now) +
                          "): a stale index is refused, whether the publisher stopped re-signing or someone holds "
                          "back newer ones (a freeze attack); the publisher re-signs with `cordon publish REPO --key KEY`");
  return {};
}

Result<void> same_repository(const VerifiedIndex& v, const std::string& pinned, const std::string& accepted,
                             const std::string& shown, const std::string& record) {
  if (!pinned.empty() && v.index.repository != pinned)
    return bad(shown, "it is the index of repository " + v.index.repository + ", but this source is pinned to " +
                          "repository " + pinned + ": another repository's index, signed by the same key, served in its place (or the "
                          "source file's repository: is not this repository's id)");
  if (pinned.empty() && !accepted.empty() && v.index.repository != accepted)
    return bad(shown, "it is the index of repository " + v.index.repository + ", but this source has served repository " +
                          accepted + ": another repository's index (a beta channel?), signed by the same key, served "
                          "in its place (if the publisher really moved to a new repository, remove " + record +
                          ", or pin the new one with repository: in the source file)");
  return {};
}

std::string utc_text(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

Result<std::time_t> parse_utc(std::string_view text, const std::string& what) {
  std::tm tm{};
  char tail = 0;
  const std::string s(text);
  if (s.size() != 20 || std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail) != 7 || tail != 'Z' ||
      tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return fail(kStep, what + " is not a UTC time like 2026-12-02T21:00:00Z");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t t = ::timegm(&tm);
  if (utc_text(t) != s) return fail(kStep, what + " is not a UTC time like 2026-12-02T21:00:00Z (no such date)");
  return t;
}

bool valid_file_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && name[0] != '.' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '+' || c == '-';
         });
}

std::string package_file_name(const std::string& app, const std::string& version) {
  std::string v;
  for (char c : version) v += valid_file_name(std::string(1, c)) || c == '.' ? c : '_';
  return app + "_" + v + ".cordon";
}

}  // namespace cordon::update
