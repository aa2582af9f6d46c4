// parse_manifest (format.h): the manifest read as a stream of JSON events (nlohmann's SAX
// interface), never as a document tree. Each event is checked as it arrives, so "count" is bounded
// before the array it announces is read, a list longer than "count" stops at its first extra entry,
// and nothing is held but the entries themselves: a hostile 16 MiB manifest costs about as much
// memory as its own bytes.
#include <nlohmann/json.hpp>

#include <bitset>
#include <cstdio>
#include <unordered_map>

#include "package/bytes.h"
#include "package/format.h"

namespace cordon::package {

namespace {

using json = nlohmann::json;

constexpr std::string_view kStep = "package";

std::string octal(std::uint64_t mode) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0%llo", static_cast<unsigned long long>(mode));
  return buf;
}

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The manifest's keys, top-level and per entry. A key not here is refused where it appears.
enum TopKey { k_count, k_files, k_format, k_name, k_version, k_top_keys };
enum EntryKey { k_mode, k_path, k_sha256, k_size, k_target, k_type, k_entry_keys };
constexpr std::array<std::string_view, k_top_keys> kTopKeys{"count", "files", "format", "name", "version"};
constexpr std::array<std::string_view, k_entry_keys> kEntryKeys{"mode", "path", "sha256", "size", "target", "type"};

template <std::size_t N>
int index_of(const std::array<std::string_view, N>& keys, std::string_view key) {
  for (std::size_t i = 0; i < N; ++i)
    if (keys[i] == key) return static_cast<int>(i);
  return -1;
}

// What a value means depends on where the reader is: the state below and the last key.
class Reader final : public nlohmann::json_sax<json> {
 public:
  Reader(const Limits& limits, std::uint64_t payload_size) : limits_(limits), payload_size_(payload_size) {}

  Result<Manifest> result() {
    if (!error_.empty()) return fail(kStep, "manifest: " + error_);
    return std::move(manifest_);
  }

  bool null() override { return wrong_value("null"); }
  bool boolean(bool) override { return wrong_value("true or false"); }
  bool number_integer(number_integer_t) override { return wrong_value("a negative number"); }
  bool number_float(number_float_t, const string_t&) override { return wrong_value("a fractional or huge number"); }
  bool binary(binary_t&) override { return wrong_value("binary data"); }
  bool number_unsigned(number_unsigned_t v) override { return where_ == State::top ? top_number(v) : entry_number(v); }
  bool string(string_t& s) override { return where_ == State::top ? top_string(s) : entry_string(s); }

  bool start_object(std::size_t) override {
    if (where_ == State::start) return (where_ = State::top), true;
    if (where_ != State::files) return wrong_value("an object");
    if (manifest_.entries.size() >= count_)
      return refuse("\"files\" has more entries than \"count\" (" + std::to_string(count_) + ")");
    where_ = State::entry;
    entry_ = Entry{};
    entry_seen_.reset();
    return true;
  }

  bool key(string_t& k) override {
    if (where_ == State::top) return top_key(k);
    const int i = index_of(kEntryKeys, k);
    if (i < 0) return refuse(entry_name() + ": unknown key \"" + k + "\"; an entry has mode, path, sha256, size, target, type");
    if (entry_seen_[static_cast<std::size_t>(i)]) return refuse(entry_name() + ": \"" + k + "\" is given twice");
    entry_seen_.set(static_cast<std::size_t>(i));
    entry_key_ = static_cast<EntryKey>(i);
    return true;
  }

  bool start_array(std::size_t) override {
    if (where_ != State::top || top_key_ != k_files) return wrong_value("an array");
    if (!top_seen_[k_count]) return refuse("\"count\" must come before \"files\"");
    manifest_.entries.reserve(count_);  // bounded by max_files above
    where_ = State::files;
    return true;
  }

  bool end_array() override {
    if (manifest_.entries.size() != count_)
      return refuse("\"count\" is " + std::to_string(count_) + " but \"files\" has " +
                    std::to_string(manifest_.entries.size()) + " entries");
    where_ = State::top;
    return true;
  }

  bool end_object() override {
    if (where_ == State::entry) return (where_ = State::files), finish_entry();
    where_ = State::done;
    return finish_manifest();
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 1, column 5: ..."; keep its tail.
    std::string what = e.what();
    const std::size_t colon = what.find(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return refuse("not valid JSON at byte " + std::to_string(position) + ": " + what);
  }

 private:
  enum class State { start, top, files, entry, done };

  bool refuse(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

  std::string entry_name() const {
    std::string name = "files[" + std::to_string(manifest_.entries.size()) + "]";
    if (entry_seen_[k_path]) name += " \"" + entry_.path + "\"";
    return name;
  }

  std::string current_key() const {
    if (where_ == State::entry) return entry_name() + ": \"" + std::string(kEntryKeys[entry_key_]) + "\"";
    if (where_ == State::top) return "\"" + std::string(kTopKeys[top_key_]) + "\"";
    return where_ == State::files ? "an element of \"files\"" : "the manifest";
  }

  bool wrong_value(const std::string& what) {
    if (where_ == State::start) return refuse("it is " + what + ", not a JSON object");
    return refuse(current_key() + " is " + what + ", which it may not be");
  }

  bool top_key(const std::string& k) {
    const int i = index_of(kTopKeys, k);
    if (i < 0) return refuse("unknown key \"" + k + "\"; a manifest has count, files, format, name, version");
    if (top_seen_[static_cast<std::size_t>(i)]) return refuse("\"" + k + "\" is given twice");
    top_seen_.set(static_cast<std::size_t>(i));
    top_key_ = static_cast<TopKey>(i);
    return true;
  }

  bool top_number(std::uint64_t v) {
    if (top_key_ == k_format) {
      if (v != kFormatVersion) return refuse("\"format\" is " + std::to_string(v) + "; this cordon reads format 1");
      return true;
    }
    if (top_key_ != k_count) return wrong_value("a number");
    if (v > limits_.max_files)
      return refuse("\"count\" is " + std::to_string(v) + ", more than the limit of " +
                    std::to_string(limits_.max_files) + " entries");
    count_ = static_cast<std::uint32_t>(v);
    return true;
  }

  bool top_string(const std::string& s) {
    if (top_key_ != k_name && top_key_ != k_version) return wrong_value("a string");
    const std::string key(kTopKeys[top_key_]);
    if (s.empty()) return refuse("\"" + key + "\" is empty");
    if (s.size() > kMaxLabelBytes)
      return refuse("\"" + key + "\" is " + std::to_string(s.size()) + " bytes, more than " + std::to_string(kMaxLabelBytes));
    (top_key_ == k_name ? manifest_.name : manifest_.version) = s;
    return true;
  }

  bool entry_number(std::uint64_t v) {
    if (where_ != State::entry) return wrong_value("a number");
    if (entry_key_ == k_size) return (entry_.size = v), true;
    if (entry_key_ != k_mode) return wrong_value("a number");
    mode_ = v;  // checked in finish_entry, where the path is known and the message can name it
    return true;
  }

  bool entry_string(const std::string& s) {
    if (where_ != State::entry) return wrong_value("a string");
    switch (entry_key_) {
      case k_path: entry_.path = s; return true;
      case k_target: entry_.target = s; return true;
      case k_sha256: entry_.sha256 = s; return true;  // checked in finish_entry
      case k_type:
        if (s == "file") entry_.type = EntryType::file;
        else if (s == "dir") entry_.type = EntryType::dir;
        else if (s == "symlink") entry_.type = EntryType::symlink;
        else return refuse(entry_name() + ": type \"" + s + "\" is none of file, dir, symlink");
        return true;
      default: return wrong_value("a string");
    }
  }

  // The keys each type must have and may have, beside path and type.
  bool check_keys() {
    const EntryType t = entry_.type;
    const std::bitset<k_entry_keys> needed = t == EntryType::file   ? (1u << k_mode) | (1u << k_size) | (1u << k_sha256)
                                             : t == EntryType::dir ? (1u << k_mode)
                                                                   : (1u << k_target);
    const std::bitset<k_entry_keys> others = entry_seen_ & ~std::bitset<k_entry_keys>((1u << k_path) | (1u << k_type));
    for (std::size_t k = 0; k < k_entry_keys; ++k) {
      if (needed[k] && !others[k])
        return refuse(entry_name() + ": a " + std::string(type_name(t)) + " entry needs \"" + std::string(kEntryKeys[k]) + "\"");
      if (!needed[k] && others[k])
        return refuse(entry_name() + ": a " + std::string(type_name(t)) + " entry has no \"" + std::string(kEntryKeys[k]) + "\"");
    }
    return true;
  }

  bool check_place() {
    if (std::string why = path_problem(entry_.path); !why.empty()) return refuse(entry_name() + ": " + why);
    if (seen_.count(entry_.path) != 0) return refuse(entry_name() + ": the path is listed twice");
    const std::size_t slash = entry_.path.rfind('/');
    if (slash != std::string::npos) {
      const std::string parent = entry_.path.substr(0, slash);
      const auto it = seen_.find(parent);
      if (it == seen_.end()) return refuse(entry_name() + ": its folder \"" + parent + "\" is not listed before it");
      if (it->second != EntryType::dir)
        return refuse(entry_name() + ": its parent \"" + parent + "\" is a " + std::string(type_name(it->second)) + ", not a dir");
    }
    return true;
  }

  bool check_fields() {
    if (entry_seen_[k_mode]) {
      if (mode_ > 07777) return refuse(entry_name() + ": mode " + std::to_string(mode_) + " is not a permission mode");
      if ((mode_ & 07000) != 0)
        return refuse(entry_name() + ": mode " + octal(mode_) +
                      " has the setuid, setgid or sticky bit; a package carries permission bits (0777) only");
      entry_.mode = static_cast<std::uint32_t>(mode_);
    }
    if (entry_seen_[k_sha256] && (entry_.sha256.size() != 64 || !is_lower_hex(entry_.sha256)))
      return refuse(entry_name() + ": \"sha256\" is not 64 lowercase hex digits");
    return true;
  }

  bool check_content() {
    if (entry_.type == EntryType::symlink) {
      if (entry_.target.empty()) return refuse(entry_name() + ": the symlink's target is empty");
      if (entry_.target.size() > kMaxTargetBytes)
        return refuse(entry_name() + ": the symlink's target is more than " + std::to_string(kMaxTargetBytes) + " bytes");
      if (entry_.target.find('\0') != std::string::npos) return refuse(entry_name() + ": the symlink's target contains a NUL byte");
    }
    if (entry_.type != EntryType::file) return true;
    // payload_used_ <= payload_size_ always holds, so the subtraction cannot wrap.
    if (entry_.size > payload_size_ - payload_used_)
      return refuse(entry_name() + ": the file sizes add up to more than the payload's " + std::to_string(payload_size_) + " bytes");
    entry_.offset = payload_used_;
    payload_used_ += entry_.size;
    return true;
  }

  bool finish_entry() {
    if (!entry_seen_[k_path]) return refuse(entry_name() + ": the entry has no \"path\"");
    if (!entry_seen_[k_type]) return refuse(entry_name() + ": the entry has no \"type\"");
    if (!check_keys() || !check_place() || !check_fields() || !check_content()) return false;
    if (entry_.type == EntryType::file && entry_.path == kPolicyFile) has_policy_ = true;
    seen_.emplace(entry_.path, entry_.type);
    manifest_.entries.push_back(std::move(entry_));
    return true;
  }

  bool finish_manifest() {
    for (std::size_t k = 0; k < k_top_keys; ++k)
      if (!top_seen_[k]) return refuse("\"" + std::string(kTopKeys[k]) + "\" is missing");
    if (!has_policy_) return refuse("there is no top-level file \"policy.yaml\"; every package has one");
    if (payload_used_ != payload_size_)
      return refuse("the file sizes add up to " + std::to_string(payload_used_) + " bytes but the payload has " +
                    std::to_string(payload_size_));
    return true;
  }

  const Limits& limits_;
  const std::uint64_t payload_size_;
  State where_ = State::start;
  std::bitset<k_top_keys> top_seen_;
  TopKey top_key_ = k_count;
  std::uint32_t count_ = 0;
  Entry entry_;
  std::bitset<k_entry_keys> entry_seen_;
  EntryKey entry_key_ = k_path;
  std::uint64_t mode_ = 0;
  std::unordered_map<std::string, EntryType> seen_;
  std::uint64_t payload_used_ = 0;
  bool has_policy_ = false;
  Manifest manifest_;
  std::string error_;
};

}  // namespace

Result<Manifest> parse_manifest(std::string_view header_and_manifest, std::uint64_t body_size, const Limits& limits) {
  auto manifest_size = parse_header(header_and_manifest, body_size, limits);
  if (!manifest_size) return manifest_size.error();
  if (header_and_manifest.size() - kHeaderSize != *manifest_size)
    return fail(kStep, "the header gives a manifest of " + std::to_string(*manifest_size) + " bytes but " +
                           std::to_string(header_and_manifest.size() - kHeaderSize) + " follow it");
  const std::string_view text = header_and_manifest.substr(kHeaderSize);
  Reader reader(limits, body_size - kHeaderSize - *manifest_size);
  if (!json::sax_parse(text.begin(), text.end(), &reader)) {
    Result<Manifest> refused = reader.result();
    if (!refused) return refused.error();
    return fail(kStep, "manifest: not valid JSON");  // the parser stopped without saying why
  }
  return reader.result();
}

}  // namespace cordon::package
