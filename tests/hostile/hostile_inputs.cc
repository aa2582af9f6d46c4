// Hostile input for the policy loader (the issue's acceptance check): 10,000 inputs generated from a
// fixed seed — anchor bombs, deep nesting, files at and past the 1 MiB limit, NUL bytes, bad UTF-8,
// UTF-16/32 byte-order marks, binary junk, mutated copies of the real policy files, duplicate keys,
// many documents, long unknown keys — plus every file of the corpus folders named on the command line.
//
// Each input goes through parse_app and parse_interface and then through both renderers, as
// `cordon check` and `cordon check --json` print it. An input fails when a load throws, fails
// without an error diagnostic (or with an empty message), reports an error yet returns a value, or
// takes longer than the time limit. The limit only catches a blow-up (a load that never ends, an
// exponential path): 20 s, 60 s under ASan — far above the 1 s the loader is meant to meet, so a
// loaded machine never fails the run (tests assert no timings); the p50/p99/max line reports the
// real cost. Under ASan the bombs that make one diagnostic per item are a quarter of the size: the
// point there is memory errors, and the run must stay under two minutes. A crash ends the program;
// the handler below names the input first, and `--dump INDEX` writes that input out again.
//
//   hostile_inputs [--source DIR] [--count N] [--seed N] [--time-limit SECONDS]
//                  [--save-failures DIR] [--dump INDEX] [--only KIND_PREFIX] [CORPUS_DIR_OR_FILE...]
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/diagnostics.h"
#include "policy/load.h"

#ifndef CORDON_SOURCE_DIR
#define CORDON_SOURCE_DIR "."
#endif

namespace {

namespace policy = cordon::policy;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMiB = std::size_t{1} << 20;

struct Input {
  std::string kind;  // the generator, for the report: "bomb/billion-laughs", "mutated/bit-flip", ...
  std::string text;
};

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: each generated input has its own generator seeded from (seed, index), so
// `--dump INDEX` rebuilds one input without the others and a new generator does not shift the rest.

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() { return engine_(); }
  // [0, n); n > 0. Modulo bias is irrelevant here; mt19937_64 keeps it the same on every platform.
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
  std::size_t between(std::size_t lo, std::size_t hi) { return lo + below(hi - lo + 1); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }

 private:
  std::mt19937_64 engine_;
};

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

const std::string kHeader = "schema: 1\nname: hostile\ncommand: [/usr/bin/true]\n";
const std::string kInterfaceHeader = "schema: 1\ninterface: hostile\nsummary: hostile\nconnection: auto\n";

// Pieces of YAML syntax and of the schema-1 vocabulary, for token soup and insertions.
const std::vector<std::string> kTokens{
    "---", "...", "- ", ": ", "? ", "[", "]", "{", "}", ", ", "#", "\n", "\n  ", "\n    - ", "\t", "\r\n", "\r",
    "|", "|-", ">", ">+", "|9", "\"", "'", "\\", "\\u", "\\x", "\\uD800", "\\U0010FFFF", "\\0", "&a ", "*a",
    "<<: ", "!", "!!str ", "!!int ", "!!map", "!local ", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "~", "null",
    "true", "false", "yes", "0x10", "0o17", "1e9", ".inf", "-1", "18446744073709551616", "\xef\xbb\xbf",
    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x90\x8d", "schema: 1", "schema", "name", "summary", "version",
    "command", "health-check", "user", "plugs", "slots", "filesystem", "environment", "limits", "seccomp",
    "interface", "connection", "attributes", "when", "if", "devices", "network", "sets", "denied",
    "read-only", "read-write", "tmpfs", "hide", "path", "optional", "allow", "deny", "socket-families",
    "include", "rules", "syscalls", "syscall", "why", "arg", "compare", "deny-bits", "errno", "memory",
    "processes", "open-files", "cpu-time", "type", "values", "default", "required", "reserved",
    "manual-values", "auto", "manual", "access", "boolean", "integer", "string", "ports", "512MiB", "60s",
    "/usr/bin/true", "$HOME", "$UID", "$APP_DATA", "$APP_ROOT", "${HOME}", "/..", "//", "~/", "8000-8080",
    "AF_UNIX", "ENOSYS", "TIOCSTI", "clone3", "ioctl", "read", "basic-io", "home", "network", "fetch-url"};

// Values of the kinds the schema reads: names, paths, sizes, durations, numbers at their limits.
const std::vector<std::string> kScalars{
    "1", "0", "-1", "2", "\"1\"", "x", "fetch-url", "Fetch", "/usr/bin/curl", "usr/bin/curl", "/usr/../etc",
    "/tmp/", "//x", "$HOME", "$HOME/x", "$NOPE/x", "/x/$UID/y", "${HOME}", "~", "512MiB", "512", "1PiB",
    "99999999999999999999999GiB", "18446744073709551615", "18446744073709551616", "60s", "1e400", "0x10",
    "5min", "60", "-5s", "true", "yes", "~", "null", "\"\"", "''", "\"a\\nb\"", "\"\\0\"", "\"\\t\"",
    "\"\xc3\xa9\xc3\xa9\xc3\xa9\"", "read-only", "read-write", "auto", "manual", "string", "ports", "8000-8080",
    "70000", "1-0", "AF_UNIX", "AF_NOPE", "ENOSYS", "EWHAT", "TIOCSTI", "read", "reed", "clone3", "basic-io",
    "network", "netwrok", "home", "4294967295", "root", "user$", "C.UTF-8"};

const std::vector<std::string> kKeys{
    "schema", "name", "summary", "version", "command", "health-check", "user", "plugs", "slots", "filesystem",
    "environment", "limits", "seccomp", "interface", "connection", "attributes", "when", "if", "devices",
    "network", "sets", "denied", "read-only", "read-write", "tmpfs", "hide", "path", "optional", "allow", "deny",
    "socket-families", "include", "rules", "syscalls", "syscall", "why", "arg", "compare", "deny-bits", "errno",
    "memory", "processes", "open-files", "cpu-time", "type", "values", "default", "required", "reserved",
    "manual-values", "access", "comand", "filesytem", "LANG", "HOME", "PATH", "bad name", "x"};

// ---------------------------------------------------------------------------------------------
// The real files the project ships and tests with, mutated below.

struct Seed {
  std::string name;
  std::string text;
};

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool is_regular(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Regular files directly in `dir`, sorted so that every run sees them in the same order.
std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string path = dir + "/" + e->d_name;
      if (e->d_name[0] != '.' && is_regular(path)) out.push_back(path);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Seed> load_seeds(const std::string& source) {
  std::vector<Seed> seeds;
  std::vector<std::string> paths;
  for (const char* dir : {"examples", "policies/interfaces", "tests/data/good", "tests/data/bad",
                          "tests/data/bad-loader-only", "tests/data/interfaces-good", "tests/data/interfaces-bad",
                          "tests/data/interfaces-bad-loader-only"})
    for (std::string& p : files_in(source + "/" + dir)) paths.push_back(std::move(p));
  paths.push_back(source + "/policies/syscall-sets.yaml");
  for (const std::string& p : paths)
    if (auto text = slurp(p)) seeds.push_back({p.substr(source.size() + 1), std::move(*text)});
  return seeds;
}

// ---------------------------------------------------------------------------------------------
// Fixed inputs: each bomb once, by name.

std::string billion_laughs() {
  std::string s = kHeader + "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    const char prev = static_cast<char>(c - 1);
    s += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) s += std::string(i ? "," : "") + "*" + prev;
    s += "]\n";
  }
  return s;
}

// Every line a new anchor and a list of aliases to all earlier ones: quadratic, if anything expanded it.
std::string alias_fan(std::size_t n) {
  std::string s = kHeader + "environment:\n";
  for (std::size_t i = 0; i < n; ++i) s += "  K" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a0, *a0]\n";
  return s;
}

std::string nested(std::string_view open, std::string_view close, std::size_t depth, bool closed,
                   std::string_view inner = "x") {
  std::string s = "command: ";
  s.reserve(depth * (open.size() + close.size()) + 64);
  for (std::size_t i = 0; i < depth; ++i) s += open;
  s += inner;
  if (closed)
    for (std::size_t i = 0; i < depth; ++i) s += close;
  return s + "\n";
}

// Block mappings one space deeper each line, as deep as `budget` bytes allow.
std::string block_indent(std::size_t budget, std::string_view step_key) {
  std::string s;
  for (std::size_t depth = 0;; ++depth) {
    const std::size_t need = depth + step_key.size() + 2;
    if (s.size() + need > budget) break;
    s.append(depth, ' ');
    s += step_key;
    s += ":\n";
  }
  return s;
}

std::string block_seq_indent(std::size_t budget) {
  std::string s;
  for (std::size_t depth = 0;; depth += 2) {
    if (s.size() + depth + 4 > budget) break;
    s.append(depth, ' ');
    s += "- \n";
  }
  return s;
}

// A valid policy padded with a trailing comment to exactly `size` bytes.
std::string padded_policy(std::size_t size) {
  std::string s = kHeader + "#";
  if (s.size() < size) s.append(size - s.size() - 1, 'x');
  s += '\n';
  return s;
}

std::string many_keys(std::size_t n, bool duplicate) {
  std::string s = kHeader + "environment:\n";
  for (std::size_t i = 0; i < n; ++i) s += "  K" + (duplicate ? std::string() : std::to_string(i)) + ": v\n";
  return s;
}

std::string many_unknown_keys(std::size_t n, std::size_t length, std::string_view where) {
  std::string s = kHeader;
  std::string indent;
  if (!where.empty()) {
    s += std::string(where) + ":\n";
    indent = "  ";
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::string key = "k" + std::to_string(i) + "-";
    // Close to the real keys so that every one is a candidate for "did you mean".
    while (key.size() < length) key += "filesystem-";
    key.resize(length);
    s += indent + key + ": 1\n";
  }
  return s;
}

// One error per item: relative paths where absolute ones are required.
std::string many_errors(std::size_t n, bool one_line) {
  std::string s = kHeader + "filesystem:\n  read-only:";
  if (one_line) {
    s += " [";
    for (std::size_t i = 0; i < n; ++i) s += i ? ",a" : "a";
    s += "]\n";
  } else {
    s += "\n";
    for (std::size_t i = 0; i < n; ++i) s += "    - a\n";
  }
  return s;
}

std::string utf16(std::string_view ascii, bool big_endian, bool bom) {
  std::string s;
  if (bom) s += big_endian ? "\xfe\xff" : "\xff\xfe";
  for (char c : ascii) {
    if (big_endian) s += '\0';
    s += c;
    if (!big_endian) s += '\0';
  }
  return s;
}

std::string utf32(std::string_view ascii, bool big_endian) {
  std::string s = big_endian ? std::string("\0\0\xfe\xff", 4) : std::string("\xff\xfe\0\0", 4);
  for (char c : ascii) s += big_endian ? std::string(3, '\0') + c : c + std::string(3, '\0');
  return s;
}

std::string with_byte_at(std::string s, std::size_t pos, std::string_view bytes) {
  s.insert(std::min(pos, s.size()), bytes);
  return s;
}

std::string fixed_junk(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng.next());
  return s;
}

bool under_sanitizer() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

struct Fixed {
  std::string kind;
  std::function<std::string()> make;
};

// `many` is the count for the inputs that make one diagnostic per item (keys/, errors/): 49,000 in a
// normal build, near the 100,000-node limit; a quarter of that under a sanitizer, where each one costs
// ten to twenty times as much and the run must stay under two minutes.
std::vector<Fixed> fixed_inputs(std::size_t many) {
  const std::string e_acute_60 = repeat("\xc3\xa9", 60);  // 120 bytes of 2-byte characters
  std::vector<Fixed> f{
      // Anchors and aliases: refused at the first one, so no expansion can happen.
      {"bomb/billion-laughs", billion_laughs},
      {"bomb/billion-laughs-flow",
       [] {
         std::string s = "{a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]";
         for (char c = 'b'; c <= 'z'; ++c)
           s += std::string(", ") + c + ": &" + c + " [" + repeat(std::string("*") + char(c - 1) + ",", 8) + "*" +
                char(c - 1) + "]";
         return s + "}\n";
       }},
      {"bomb/alias-fan-50k", [] { return alias_fan(50000); }},
      {"bomb/alias-without-anchor", [] { return kHeader + "health-check: *nowhere\n"; }},
      {"bomb/anchor-on-key", [] { return "schema: 1\n&k name: x\ncommand: [/x]\n"; }},
      {"bomb/merge-key", [] { return kHeader + "base: &b {LANG: C}\nenvironment: {<<: *b}\n"; }},
      {"bomb/merge-key-plain", [] { return kHeader + "environment:\n  <<: {LANG: C}\n"; }},
      {"bomb/anchors-100k", [] { return "command: [" + repeat("&a x, ", 100000) + "]\n"; }},
      // Nesting: the loader's limit is 32 levels; yaml-cpp's own guard is deeper. Around the limit first.
      {"nesting/flow-seq-31", [] { return kHeader + "x: " + nested("[", "]", 31, true).substr(9); }},
      {"nesting/flow-seq-32", [] { return kHeader + "x: " + nested("[", "]", 32, true).substr(9); }},
      {"nesting/flow-seq-33", [] { return kHeader + "x: " + nested("[", "]", 33, true).substr(9); }},
      {"nesting/flow-seq-1k", [] { return nested("[", "]", 1000, true); }},
      {"nesting/flow-seq-100k", [] { return nested("[", "]", 100000, true); }},
      {"nesting/flow-seq-100k-unclosed", [] { return nested("[", "]", 100000, false); }},
      {"nesting/flow-seq-500k-unclosed", [] { return nested("[", "]", 500000, false); }},
      {"nesting/flow-map-100k", [] { return nested("{a: ", "}", 100000, true); }},
      {"nesting/flow-map-100k-unclosed", [] { return nested("{a: ", "}", 100000, false); }},
      {"nesting/flow-map-key-100k", [] { return nested("{", "}", 100000, false); }},
      {"nesting/flow-mixed-100k", [] { return nested("[{a: ", "}]", 100000, true); }},
      {"nesting/flow-keys-100k", [] { return nested("? [", "]", 100000, false); }},
      {"nesting/block-seq-one-line-100k", [] { return "command:\n" + repeat("- ", 100000) + "x\n"; }},
      {"nesting/block-seq-one-line-500k", [] { return repeat("- ", 500000) + "x\n"; }},
      {"nesting/block-map-indent-1MiB", [] { return block_indent(kMiB, "k"); }},
      {"nesting/block-map-indent-filesystem", [] { return kHeader + block_indent(kMiB - 100, "filesystem"); }},
      {"nesting/block-seq-indent-1MiB", [] { return block_seq_indent(kMiB); }},
      {"nesting/block-map-one-line-100k", [] { return repeat("a: ", 100000) + "x\n"; }},
      {"nesting/flow-in-block-10k", [] { return repeat("- [", 10000) + "x" + repeat("]", 10000) + "\n"; }},
      // Size: exactly at the limit loads; one byte over is refused before any parsing.
      {"size/exactly-1MiB-valid", [] { return padded_policy(kMiB); }},
      {"size/1MiB-plus-1", [] { return padded_policy(kMiB + 1); }},
      {"size/16MiB", [] { return padded_policy(16 * kMiB); }},
      {"size/1MiB-of-newlines", [] { return std::string(kMiB, '\n'); }},
      {"size/1MiB-of-spaces", [] { return std::string(kMiB, ' '); }},
      {"size/1MiB-of-tabs", [] { return std::string(kMiB, '\t'); }},
      {"size/1MiB-of-cr", [] { return std::string(kMiB, '\r'); }},
      {"size/1MiB-of-dashes", [] { return std::string(kMiB, '-'); }},
      {"size/1MiB-of-colons", [] { return std::string(kMiB, ':'); }},
      {"size/1MiB-of-brackets", [] { return std::string(kMiB, '['); }},
      {"size/1MiB-of-question-marks", [] { return repeat("? ", kMiB / 2); }},
      {"size/1MiB-of-comment-lines", [] { return repeat("#\n", kMiB / 2); }},
      // Long keys and scalars.
      {"long/unknown-key-1MiB", [] { return kHeader + std::string(kMiB - 200, 'k') + ": 1\n"; }},
      {"long/unknown-key-1MiB-nonascii", [] { return kHeader + repeat("\xc3\xa9", kMiB / 2 - 100) + ": 1\n"; }},
      {"long/name-1MiB", [] { return "schema: 1\ncommand: [/x]\nname: " + std::string(kMiB - 100, 'a') + "\n"; }},
      {"long/command-1MiB", [] { return "schema: 1\nname: x\ncommand: [/" + std::string(kMiB - 100, 'a') + "]\n"; }},
      {"long/path-1MiB", [] { return kHeader + "filesystem: {read-only: [/" + repeat("a/", kMiB / 2 - 100) + "]}\n"; }},
      {"long/path-dotdot",
       [] { return kHeader + "filesystem: {read-only: [/" + repeat("../", kMiB / 3 - 100) + "]}\n"; }},
      {"long/quoted-escapes", [] { return kHeader + "summary: \"" + repeat("\\u00e9\\t", kMiB / 8 - 100) + "\"\n"; }},
      {"long/folded-scalar", [] { return kHeader + "summary: >\n" + repeat("  word word word\n", kMiB / 17 - 100); }},
      {"long/literal-scalar", [] { return kHeader + "summary: |\n" + repeat("  line\n", kMiB / 7 - 100); }},
      {"long/plain-multiline", [] { return kHeader + "summary: a\n" + repeat("  b\n", kMiB / 4 - 100); }},
      {"long/unterminated-double-quote", [] { return kHeader + "summary: \"" + std::string(kMiB - 100, 'a'); }},
      {"long/unterminated-single-quote", [] { return kHeader + "summary: '" + std::string(kMiB - 100, 'a'); }},
      {"long/env-value", [] { return kHeader + "environment: {A: " + std::string(kMiB - 200, 'v') + "}\n"; }},
      {"long/memory-digits", [] { return kHeader + "limits: {memory: " + std::string(kMiB - 200, '9') + "MiB}\n"; }},
      {"long/cpu-time-digits", [] { return kHeader + "limits: {cpu-time: " + std::string(kMiB - 200, '9') + "h}\n"; }},
      {"long/processes-digits", [] { return kHeader + "limits: {processes: " + std::string(kMiB - 200, '9') + "}\n"; }},
      {"long/schema-digits", [] { return "schema: " + std::string(kMiB - 200, '1') + "\nname: x\ncommand: [/x]\n"; }},
      {"long/user-name", [] { return kHeader + "user: " + std::string(kMiB - 200, 'u') + "\n"; }},
      {"long/syscall-name", [] { return kHeader + "seccomp: {allow: [" + std::string(kMiB - 200, 's') + "]}\n"; }},
      {"long/plug-name", [] { return kHeader + "plugs: [" + std::string(kMiB - 200, 'p') + "]\n"; }},
      {"long/tag", [] { return kHeader + "summary: !" + std::string(kMiB - 200, 't') + " x\n"; }},
      {"long/anchor-name", [] { return kHeader + "summary: &" + std::string(kMiB - 200, 'a') + " x\n"; }},
      {"long/yaml-directive", [] { return "%YAML " + std::string(kMiB - 200, '1') + "\n---\n" + kHeader; }},
      // Messages quote a bounded prefix of what they found: it must end on a character boundary.
      {"utf8-cut/name", [=] { return "schema: 1\ncommand: [/x]\nname: a" + e_acute_60 + "\n"; }},
      {"utf8-cut/user", [=] { return kHeader + "user: a" + e_acute_60 + "\n"; }},
      {"utf8-cut/env-name", [=] { return kHeader + "environment: {a" + e_acute_60 + ": v}\n"; }},
      {"utf8-cut/memory", [=] { return kHeader + "limits: {memory: a" + e_acute_60 + "}\n"; }},
      {"utf8-cut/path-var", [=] { return kHeader + "filesystem: {read-only: [$a" + e_acute_60 + "]}\n"; }},
      {"utf8-cut/schema", [=] { return "schema: a" + e_acute_60 + "\nname: x\ncommand: [/x]\n"; }},
      {"utf8-cut/plug", [=] { return kHeader + "plugs: [a" + e_acute_60 + "]\n"; }},
      {"utf8-cut/interface", [=] { return "schema: 1\ninterface: a" + e_acute_60 + "\n"; }},
      // Escapes can make what the raw-byte checks never saw: NUL, surrogates, out-of-range code points.
      {"escape/nul-in-name", [] { return "schema: 1\ncommand: [/x]\nname: \"a\\0b\"\n"; }},
      {"escape/nul-key", [] { return kHeader + "\"\\0\": 1\n"; }},
      {"escape/surrogate-key", [] { return kHeader + "\"\\uD800\": 1\n"; }},
      {"escape/surrogate-pair", [] { return kHeader + "summary: \"\\uD83D\\uDE00\"\n"; }},
      {"escape/beyond-unicode", [] { return kHeader + "summary: \"\\U00110000\"\n"; }},
      {"escape/x-ff", [] { return kHeader + "summary: \"\\xff\"\n"; }},
      {"escape/newline-in-key", [] { return kHeader + "\"a\\nb\": 1\n"; }},
      {"escape/control-chars-everywhere",
       [] { return "schema: 1\nname: \"\\e\\a\\b\"\ncommand: [\"/\\r\\n\"]\n\"\\t\": 1\n"; }},
      // Keys: many distinct ones in one mapping, many duplicates, many unknown ones with long names.
      {"keys/distinct-one-mapping", [=] { return many_keys(many, false); }},
      {"keys/duplicates", [=] { return many_keys(many, true); }},
      {"keys/duplicates-top-level", [=] { return repeat("name: x\n", many); }},
      {"keys/unknown-of-64", [=] { return many_unknown_keys(many / 4, 64, ""); }},
      {"keys/unknown-of-65", [=] { return many_unknown_keys(many / 4, 65, ""); }},
      {"keys/unknown-of-1000", [] { return many_unknown_keys(1000, 1000, ""); }},
      {"keys/unknown-short", [=] { return many_unknown_keys(many, 10, ""); }},
      {"keys/unknown-in-filesystem", [=] { return many_unknown_keys(many / 4, 64, "filesystem"); }},
      {"keys/unknown-in-limits", [=] { return many_unknown_keys(many / 4, 64, "limits"); }},
      {"keys/unknown-in-interface",
       [=] { return kInterfaceHeader + many_unknown_keys(many / 4, 64, "").substr(kHeader.size()); }},
      {"keys/unknown-attribute-fields", [=] {
         std::string s = kInterfaceHeader + "attributes:\n  access:\n";
         for (std::size_t i = 0; i < many / 4; ++i) s += "    summry" + std::to_string(i) + ": x\n";
         return s;
       }},
      {"keys/env-names-bad", [=] {
         std::string s = kHeader + "environment:\n";
         for (std::size_t i = 0; i < many; ++i) s += "  " + std::to_string(i) + "x-y: v\n";
         return s;
       }},
      // Many errors: each must be reported, and rendering them must not be quadratic.
      {"errors/one-line", [=] { return many_errors(2 * many, true); }},
      {"errors/one-per-line", [=] { return many_errors(2 * many, false); }},
      {"errors/plugs-bad-names", [=] { return kHeader + "plugs:\n" + repeat("  - Bad_Name\n", many); }},
      {"errors/seccomp-unknown", [=] { return kHeader + "seccomp:\n  allow:\n" + repeat("    - reed\n", many); }},
      {"errors/long-line-then-errors", [=] { return std::string(kMiB / 2, '#') + "\n" + many_errors(many, false); }},
      // Sequences at and past the node limit.
      {"seq/flow-99990-items", [] { return "schema: 1\nname: x\ncommand: [/x" + repeat(",a", 99990) + "]\n"; }},
      {"seq/flow-500k-items", [] { return "command: [" + repeat("a,", 500000) + "]\n"; }},
      {"seq/flow-empty-items", [] { return "command: [" + std::string(kMiB - 20, ',') + "]\n"; }},
      {"seq/block-200k-items", [] { return "command:\n" + repeat("- a\n", 200000); }},
      {"seq/flow-maps-100k", [] { return "command: [" + repeat("{}, ", 100000) + "]\n"; }},
      // Documents.
      {"docs/200k-separators", [] { return repeat("---\n", 200000); }},
      {"docs/200k-ends", [] { return repeat("...\n", 200000); }},
      {"docs/two-policies", [] { return kHeader + "---\n" + kHeader; }},
      {"docs/50k-policies", [] { return repeat(kHeader + "---\n", 20000); }},
      {"docs/directives-100k", [] { return repeat("%YAML 1.2\n", 100000) + "---\n"; }},
      {"docs/tag-directives-50k", [] { return repeat("%TAG !a! tag:x,2000:\n", 40000) + "---\n"; }},
      // NUL bytes and bad UTF-8: refused with their line and column before yaml-cpp sees them.
      {"nul/first-byte", [] { return with_byte_at(kHeader, 0, std::string_view("\0", 1)); }},
      {"nul/middle", [] { return with_byte_at(kHeader, 20, std::string_view("\0", 1)); }},
      {"nul/last-byte", [] { return kHeader + std::string(1, '\0'); }},
      {"nul/1MiB", [] { return std::string(kMiB, '\0'); }},
      {"nul/in-comment", [] { return kHeader + "# a" + std::string(1, '\0') + "b\n"; }},
      {"utf8/lone-continuation", [] { return with_byte_at(kHeader, 12, "\x80"); }},
      {"utf8/overlong-slash", [] { return with_byte_at(kHeader, 12, "\xc0\xaf"); }},
      {"utf8/overlong-nul", [] { return with_byte_at(kHeader, 12, "\xc0\x80"); }},
      {"utf8/surrogate", [] { return with_byte_at(kHeader, 12, "\xed\xa0\x80"); }},
      {"utf8/beyond-10ffff", [] { return with_byte_at(kHeader, 12, "\xf4\x90\x80\x80"); }},
      {"utf8/ff-fe", [] { return with_byte_at(kHeader, 12, "\xff\xfe"); }},
      {"utf8/truncated-at-eof", [] { return kHeader + "summary: \xe2\x82"; }},
      {"utf8/latin1", [] { return kHeader + "summary: caf\xe9\n"; }},
      {"utf8/five-byte-form", [] { return with_byte_at(kHeader, 12, "\xf8\x88\x80\x80\x80"); }},
      {"utf8/bad-after-1MiB-minus-1", [] { return std::string(kMiB - 1, ' ') + "\xff"; }},
      {"bom/utf8", [] { return "\xef\xbb\xbf" + kHeader; }},
      {"bom/utf8-twice", [] { return "\xef\xbb\xbf\xef\xbb\xbf" + kHeader; }},
      {"bom/utf8-mid-file", [] { return kHeader + "\xef\xbb\xbf" + "summary: x\n"; }},
      {"bom/utf16le", [] { return utf16(kHeader, false, true); }},
      {"bom/utf16be", [] { return utf16(kHeader, true, true); }},
      {"bom/utf16le-no-bom", [] { return utf16(kHeader, false, false); }},
      {"bom/utf32le", [] { return utf32(kHeader, false); }},
      {"bom/utf32be", [] { return utf32(kHeader, true); }},
      {"bom/utf16le-only", [] { return std::string("\xff\xfe"); }},
      // Tags and odd yaml-cpp corners.
      {"tag/binary", [] { return kHeader + "summary: !!binary " + std::string(kMiB - 200, 'A') + "\n"; }},
      {"tag/verbatim", [] { return kHeader + "summary: !<tag:yaml.org,2002:str> x\n"; }},
      {"tag/on-every-item", [] { return "command: [" + repeat("!!str a,", 100000) + "]\n"; }},
      {"yaml/complex-keys-50k", [] { return repeat("? a\n: b\n", 50000); }},
      {"yaml/tabs-indentation", [] { return "schema: 1\nfilesystem:\n\tread-only: [/x]\n"; }},
      {"yaml/block-indicator-9", [] { return kHeader + "summary: |9\n" + repeat("         x\n", 1000); }},
      {"yaml/cr-line-endings", [] {
         std::string s = kHeader;
         std::replace(s.begin(), s.end(), '\n', '\r');
         return s;
       }},
      {"yaml/empty", [] { return std::string(); }},
      {"yaml/only-bom", [] { return std::string("\xef\xbb\xbf"); }},
      {"junk/1MiB-random", [] { return fixed_junk(kMiB, 1); }},
      {"junk/1MiB-minus-1-random", [] { return fixed_junk(kMiB - 1, 2); }},
  };
  return f;
}

// ---------------------------------------------------------------------------------------------
// Generated inputs: the bulk of the 10,000.

std::string junk_bytes(Rng& rng, std::size_t max) {
  std::string s(rng.below(max + 1), '\0');
  const bool printable = rng.chance(50);  // half stay valid ASCII, so they get past the UTF-8 check
  for (char& c : s) c = static_cast<char>(printable ? 0x20 + rng.below(0x5f) : rng.next());
  if (printable)
    for (std::size_t i = 0; i < s.size() / 20; ++i) s[rng.below(s.size())] = '\n';
  return s;
}

std::string token_soup(Rng& rng) {
  std::string s = rng.chance(50) ? kHeader : "";
  const std::size_t n = rng.between(1, 400);
  for (std::size_t i = 0; i < n; ++i) {
    s += rng.pick(kTokens);
    if (rng.chance(30)) s += rng.chance(50) ? " " : "\n" + std::string(rng.below(8), ' ');
  }
  return s;
}

// A random tree in block and flow style, over the schema's own keys and values, near the depth limit.
void random_value(Rng& rng, std::string& out, std::size_t indent, int depth);

void random_mapping(Rng& rng, std::string& out, std::size_t indent, int depth) {
  // Top-level keys mostly from the schema's own top level, so that the section readers run.
  static const std::vector<std::string> top{"summary", "plugs", "filesystem", "environment", "limits", "seccomp",
                                            "health-check", "user", "slots", "attributes", "when", "devices"};
  const std::size_t n = rng.between(1, 6);
  for (std::size_t i = 0; i < n; ++i) {
    out.append(indent, ' ');
    out += (depth == 0 && rng.chance(80) ? rng.pick(top) : rng.pick(kKeys)) + ":";
    random_value(rng, out, indent + 2, depth + 1);
  }
}

void random_value(Rng& rng, std::string& out, std::size_t indent, int depth) {
  const std::size_t choice = depth > 36 ? 0 : rng.below(6);
  if (choice <= 1) {
    out += " " + rng.pick(kScalars) + "\n";
  } else if (choice == 2) {
    out += " [";
    const std::size_t n = rng.below(5);
    for (std::size_t i = 0; i < n; ++i) out += (i ? ", " : "") + rng.pick(kScalars);
    out += "]\n";
  } else if (choice == 3) {
    out += " {" + rng.pick(kKeys) + ": " + rng.pick(kScalars) + "}\n";
  } else if (choice == 4) {
    out += "\n";
    random_mapping(rng, out, indent, depth);
  } else {
    out += "\n";
    const std::size_t n = rng.between(1, 4);
    for (std::size_t i = 0; i < n; ++i) {
      out.append(indent, ' ');
      out += "-";
      random_value(rng, out, indent + 2, depth + 1);
    }
  }
}

std::string structured(Rng& rng) {
  std::string s;
  if (rng.chance(80)) s += rng.chance(70) ? "schema: 1\n" : "schema: " + rng.pick(kScalars) + "\n";
  if (rng.chance(60)) s += rng.chance(70) ? "name: fetch-url\n" : "name: " + rng.pick(kScalars) + "\n";
  if (rng.chance(30)) s += "interface: home\n";
  if (rng.chance(60)) s += "command: [/usr/bin/true]\n";
  random_mapping(rng, s, 0, 0);
  return s;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::stringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

// One mutation of `s`; returns its name for the report.
std::string mutate_once(Rng& rng, std::string& s, const std::vector<Seed>& seeds) {
  static const std::vector<std::string> interesting{
      std::string(1, '\0'), "\xff", "\x80", "\n", ":", "-", "[", "{", "]", "}", "&", "*", "!", "\"", "'", "#", "\t",
      " ", "|", ">", "%", "@", "`", "?", ",", "\r", "\xc3", "\\"};
  const std::size_t op = rng.below(10);
  const std::size_t pos = s.empty() ? 0 : rng.below(s.size());
  switch (op) {
    case 0:
      if (!s.empty()) s[pos] = static_cast<char>(s[pos] ^ (1 << rng.below(8)));
      return "bit-flip";
    case 1:
      if (!s.empty()) s.replace(pos, 1, rng.pick(interesting));
      return "byte";
    case 2:
      s.erase(pos, rng.between(1, 64));
      return "erase";
    case 3:
      s.insert(pos, rng.pick(kTokens));
      return "insert-token";
    case 4: {
      const std::string chunk = s.substr(rng.below(s.size() + 1), rng.between(1, 200));
      s.insert(pos, repeat(chunk, rng.between(1, 20)));
      return "duplicate-range";
    }
    case 5:
      s.resize(pos);
      return "truncate";
    case 6: {
      const Seed& other = rng.pick(seeds);
      s = s.substr(0, pos) + other.text.substr(rng.below(other.text.size() + 1));
      return "splice";
    }
    case 7: {
      auto lines = split_lines(s);
      if (lines.size() >= 2) std::swap(lines[rng.below(lines.size())], lines[rng.below(lines.size())]);
      s = join_lines(lines);
      return "swap-lines";
    }
    case 8: {
      auto lines = split_lines(s);
      if (!lines.empty()) {
        const std::size_t i = rng.below(lines.size());
        if (rng.chance(50)) lines[i].insert(0, rng.between(1, 6), ' ');
        else lines[i].erase(0, lines[i].find_first_not_of(' ') == std::string::npos ? 0 : rng.below(4));
      }
      s = join_lines(lines);
      return "reindent";
    }
    default: {
      auto lines = split_lines(s);
      if (!lines.empty()) {
        const std::size_t i = rng.below(lines.size());
        lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i), rng.between(1, 500), lines[i]);
      }
      s = join_lines(lines);
      return "repeat-line";
    }
  }
}

Input mutated(Rng& rng, const std::vector<Seed>& seeds) {
  // The catalogue is ten times the size of the other files: a twentieth of the picks keeps the run short.
  const Seed* seed = &seeds.back();
  if (seeds.size() == 1 || rng.below(20) != 0) seed = &seeds[rng.below(seeds.size() - 1)];
  Input in{"mutated/", seed->text};
  const std::size_t n = rng.between(1, 8);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string op = mutate_once(rng, in.text, seeds);
    if (i == 0) in.kind += op;
  }
  if (n > 1) in.kind += "+" + std::to_string(n - 1);
  return in;
}

Input generated(std::uint64_t seed, std::size_t index, const std::vector<Seed>& seeds) {
  Rng rng(seed ^ (0x9e3779b97f4a7c15ull * (index + 1)));
  const std::size_t pick = rng.below(100);
  if (pick < 45 && !seeds.empty()) return mutated(rng, seeds);
  if (pick < 65) return {"structured", structured(rng)};
  if (pick < 80) return {"token-soup", token_soup(rng)};
  if (pick < 95) return {"junk/random", junk_bytes(rng, 2048)};
  // Small bombs with random sizes, so that the limits are crossed at many places and not only at one.
  switch (rng.below(5)) {
    case 0: {
      const bool seq = rng.chance(50);
      return {"small-bomb/nesting", nested(seq ? "[" : "{a: ", seq ? "]" : "}", rng.between(25, 40), rng.chance(70))};
    }
    case 1: return {"small-bomb/aliases", alias_fan(rng.between(1, 50))};
    case 2: return {"small-bomb/duplicates", many_keys(rng.between(2, 300), true)};
    case 3: return {"small-bomb/documents", repeat(kHeader + "---\n", rng.between(1, 30))};
    default: return {"small-bomb/unknown-keys", many_unknown_keys(rng.between(1, 100), rng.between(1, 90), "")};
  }
}

// ---------------------------------------------------------------------------------------------
// Running one input.

struct Load {
  double seconds = 0;
  double parse_seconds = 0;
  bool loaded = false;
  std::string problem;  // empty when the load behaved
};

bool messages_present(const std::vector<policy::Diagnostic>& items) {
  for (const policy::Diagnostic& d : items)
    if (d.message.empty() || !messages_present(d.notes)) return false;
  return true;
}

template <typename Loader>
Load run_loader(Loader&& parse, const std::string& text, double limit) {
  const std::string file = "hostile.yaml";
  Load r;
  policy::Diagnostics diags;
  const auto start = Clock::now();
  try {
    r.loaded = parse(file, std::string_view(text), diags).has_value();
    r.parse_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    // What `cordon check` and `cordon check --json` print; --json dumps with nlohmann's strict UTF-8.
    const std::string as_text = policy::render_text(diags, {{file, text}});
    const std::string as_json = policy::render_json(diags).dump(2);
    if (!r.loaded && as_text.empty()) r.problem = "failed, and render_text printed nothing";
  } catch (const std::exception& e) {
    r.problem = std::string("threw: ") + e.what();
  } catch (...) {
    r.problem = "threw something that is not a std::exception";
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!r.problem.empty()) return r;
  if (!r.loaded && diags.error_count() == 0) r.problem = "returned nullopt without an error diagnostic";
  else if (r.loaded && diags.error_count() != 0) r.problem = "reported an error but returned a value";
  else if (!messages_present(diags.items())) r.problem = "a diagnostic has an empty message";
  else if (r.seconds > limit)
    r.problem = "took " + std::to_string(r.seconds) + " s (parse " + std::to_string(r.parse_seconds) +
                " s), over the " + std::to_string(limit) + " s limit";
  if (!r.problem.empty() && !diags.items().empty()) {
    const policy::Diagnostic& d = diags.items().front();
    r.problem += "; first diagnostic: " + std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": " +
                 d.message.substr(0, 160);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// A crash ends the run; name the input first so it can be rebuilt with --dump. Test-only state.

volatile sig_atomic_t g_current = -1;
const char* volatile g_current_loader = "";

void on_fatal_signal(int sig) {
  char buf[160];
  const int n = std::snprintf(buf, sizeof buf,
                              "\nhostile_inputs: signal %d on input #%d in %s; rebuild it with --dump %d\n", sig,
                              static_cast<int>(g_current), g_current_loader, static_cast<int>(g_current));
  if (n > 0) [[maybe_unused]] auto w = ::write(STDERR_FILENO, buf, static_cast<std::size_t>(n));
  // Back to the previous handler (the default one, or ASan's) for the real report and the core.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_crash_reporter() {
  static std::vector<char> alt(1 << 16);  // a stack overflow still gets its message out
  stack_t ss{};
  ss.ss_sp = alt.data();
  ss.ss_size = alt.size();
  ::sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::sigaction(sig, &sa, nullptr);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

std::string ms(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", seconds * 1000);
  return buf;
}

int usage() {
  std::cerr << "usage: hostile_inputs [--source DIR] [--count N] [--seed N] [--time-limit SECONDS]\n"
               "                      [--save-failures DIR] [--dump INDEX] [--only KIND_PREFIX]\n"
               "                      [CORPUS_DIR_OR_FILE...]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string source = CORDON_SOURCE_DIR;
  std::size_t count = 10000;
  std::uint64_t seed = 0xC0'4D'0Eull;
  // The issue's bound is 1 s per input on a normal build. Sanitizers slow yaml-cpp's callers several
  // times over, so there the limit scales unless it is given; the report says which one applied.
  std::optional<double> limit_arg;
  std::string save_dir;
  std::optional<long> dump;
  std::string only;  // run only the inputs whose kind starts with this, e.g. "bomb/" or "mutated/"
  std::vector<std::string> corpora;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    try {
      if (a == "--source") source = value();
      else if (a == "--count") count = std::stoul(value());
      else if (a == "--seed") seed = std::stoull(value(), nullptr, 0);
      else if (a == "--time-limit") limit_arg = std::stod(value());
      else if (a == "--save-failures") save_dir = value();
      else if (a == "--dump") dump = std::stol(value());
      else if (a == "--only") only = value();
      else if (a == "-h" || a == "--help") return usage();
      else if (!a.empty() && a[0] == '-') return usage();
      else corpora.push_back(a);
    } catch (const std::exception&) {
      return usage();
    }
  }
  const double limit = limit_arg ? *limit_arg : under_sanitizer() ? 60.0 : 20.0;

  const std::vector<Seed> seeds = load_seeds(source);
  if (seeds.empty()) {
    std::cerr << "hostile_inputs: no policy files under " << source << " (give --source)\n";
    return 2;
  }
  const std::size_t many = under_sanitizer() ? 12000 : 49000;
  const std::vector<Fixed> fixed = fixed_inputs(many);
  // Saved findings always run, like the fuzz corpus.
  corpora.insert(corpora.begin(), source + "/tests/data/hostile-regressions");
  std::vector<std::string> corpus_files;
  for (const std::string& c : corpora) {
    if (is_regular(c)) corpus_files.push_back(c);
    else
      for (std::string& f : files_in(c)) corpus_files.push_back(std::move(f));
  }

  // Inputs are numbered: fixed bombs first, then generated ones up to `count`, then corpus files.
  const std::size_t generated_count = count > fixed.size() ? count - fixed.size() : 0;
  const std::size_t fixed_count = std::min(count, fixed.size());
  const std::size_t total = fixed_count + generated_count + corpus_files.size();
  auto make = [&](std::size_t i) -> Input {
    if (i < fixed_count) return {fixed[i].kind, fixed[i].make()};
    if (i < fixed_count + generated_count) return generated(seed, i, seeds);
    const std::string& path = corpus_files[i - fixed_count - generated_count];
    return {"corpus:" + path.substr(path.find_last_of('/') + 1), slurp(path).value_or("")};
  };

  if (dump) {
    if (*dump < 0 || static_cast<std::size_t>(*dump) >= total) return usage();
    const Input in = make(static_cast<std::size_t>(*dump));
    std::cerr << "hostile_inputs: #" << *dump << " " << in.kind << ", " << in.text.size() << " bytes\n";
    std::cout.write(in.text.data(), static_cast<std::streamsize>(in.text.size()));
    return 0;
  }

  if (!save_dir.empty()) ::mkdir(save_dir.c_str(), 0755);  // an existing folder is fine
  install_crash_reporter();
  std::cout << "hostile_inputs: " << total << " inputs (" << fixed_count << " fixed bombs, " << generated_count
            << " generated from seed " << seed << " and " << seeds.size() << " policy files, "
            << corpus_files.size() << " corpus files) x parse_app, parse_interface; limit " << limit << " s per load"
            << (limit_arg ? "" : " (a blow-up detector; the loader's 1 s target shows in the p99 and max below)")
            << "; keys/ and errors/ bombs of " << many << " items\n"
            << std::flush;

  struct Slowest {
    double seconds = -1;
    double parse_seconds = 0;
    std::size_t index = 0;
    std::string kind, loader;
    std::size_t bytes = 0;
  };
  std::vector<Slowest> slowest;  // the five slowest loads, slowest first
  std::vector<double> times;
  times.reserve(total * 2);
  std::size_t passed = 0, failed = 0, loaded = 0, bytes_total = 0;
  std::map<std::string, std::pair<std::size_t, double>> by_group;  // "bomb", "mutated", ...: inputs, seconds
  const auto run_start = Clock::now();

  for (std::size_t i = 0; i < total; ++i) {
    const Input in = make(i);
    if (in.kind.compare(0, only.size(), only) != 0) continue;
    bytes_total += in.text.size();
    g_current = static_cast<sig_atomic_t>(i);
    std::vector<std::string> problems;
    const std::pair<const char*, std::function<Load()>> loaders[] = {
        {"parse_app", [&] { return run_loader(policy::parse_app, in.text, limit); }},
        {"parse_interface", [&] { return run_loader(policy::parse_interface, in.text, limit); }},
    };
    for (const auto& [name, run] : loaders) {
      g_current_loader = name;
      const Load r = run();
      times.push_back(r.seconds);
      auto& group = by_group[in.kind.substr(0, in.kind.find_first_of("/:"))];
      group.first += name == loaders[0].first;
      group.second += r.seconds;
      loaded += r.loaded;
      if (slowest.size() < 5 || r.seconds > slowest.back().seconds) {
        if (slowest.size() == 5) slowest.pop_back();
        const Slowest entry{r.seconds, r.parse_seconds, i, in.kind, name, in.text.size()};
        slowest.insert(std::upper_bound(slowest.begin(), slowest.end(), entry,
                                        [](const Slowest& a, const Slowest& b) { return a.seconds > b.seconds; }),
                       entry);
      }
      if (!r.problem.empty()) problems.push_back(std::string(name) + " " + r.problem);
    }
    if (problems.empty()) {
      ++passed;
      continue;
    }
    ++failed;
    if (failed <= 30) {
      std::cout << "FAIL #" << i << " " << in.kind << " (" << in.text.size() << " bytes)\n";
      for (const std::string& p : problems) std::cout << "    " << p << "\n";
    }
    if (!save_dir.empty()) {
      std::string name = in.kind;
      std::replace_if(name.begin(), name.end(), [](char c) { return c == '/' || c == ':' || c == ' '; }, '-');
      std::ofstream(save_dir + "/" + std::to_string(i) + "-" + name + ".yaml", std::ios::binary) << in.text;
    }
  }
  if (failed > 30) std::cout << "... and " << failed - 30 << " more failures\n";

  const double wall = std::chrono::duration<double>(Clock::now() - run_start).count();
  std::cout << "inputs: " << passed + failed << ", " << bytes_total / 1024 << " KiB; loads: " << times.size() << " ("
            << loaded
            << " returned a value), " << wall << " s in all\n";
  for (std::size_t k = 0; k < slowest.size(); ++k) {
    const Slowest& s = slowest[k];
    std::cout << (k == 0 ? "slowest: " : "         ") << "#" << s.index << " " << s.kind << " (" << s.bytes
              << " bytes) in " << s.loader << ": " << ms(s.seconds) << " (parse " << ms(s.parse_seconds)
              << ", render " << ms(s.seconds - s.parse_seconds) << ")\n";
  }
  std::cout << "time per load: p50 " << ms(percentile(times, 0.50)) << ", p99 " << ms(percentile(times, 0.99))
            << ", max " << ms(times.empty() ? 0 : *std::max_element(times.begin(), times.end())) << "\n";
  std::cout << "time by kind:";
  for (const auto& [group, stat] : by_group)
    std::cout << " " << group << " " << stat.first << " in " << std::fixed << std::setprecision(2) << stat.second
              << " s;";
  std::cout << std::defaultfloat << "\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
