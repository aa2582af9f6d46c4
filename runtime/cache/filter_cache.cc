#include "cache/filter_cache.h"

#include "cache/codec.h"
#include "cache/private_file.h"
#include "util/dirs.h"

namespace cordon::cache {

namespace {

constexpr std::uint64_t kMagic = 0x31504246434f52ull;  // "ROCFBP1": bump when the layout changes
constexpr std::size_t kMaxInstructions = 4096;         // BPF_MAXINSNS: the kernel loads no more

std::string path_for(const std::string& dir, const std::string& key) { return dir + "/" + hashed_name(key) + ".bpf"; }

std::string encode(const std::string& key, const seccomp::Filters& f) {
  Writer w;
  w.u64(kMagic);
  w.str(key);
  w.u64(f.programs.size());
  for (const seccomp::Program& p : f.programs)
    w.str(std::string(reinterpret_cast<const char*>(p.code.data()), p.code.size() * sizeof(sock_filter)));
  return w.bytes();
}

std::optional<std::vector<seccomp::Program>> decode(const std::string& bytes, const std::string& key) {
  Reader r(bytes);
  if (r.u64() != kMagic || r.str() != key) return std::nullopt;
  std::vector<seccomp::Program> programs(r.count());
  for (seccomp::Program& p : programs) {
    const std::string code = r.str();
    if (code.empty() || code.size() % sizeof(sock_filter) != 0 || code.size() / sizeof(sock_filter) > kMaxInstructions)
      return std::nullopt;
    p.code.resize(code.size() / sizeof(sock_filter));
    std::memcpy(p.code.data(), code.data(), code.size());
  }
  if (!r.ok() || programs.empty()) return std::nullopt;
  return programs;
}

}  // namespace

std::optional<std::vector<seccomp::Program>> load_filters(const std::string& dir, uid_t uid, const std::string& key) {
  if (dir.empty() || dir[0] != '/' || !trusted_chain(dir, uid)) return std::nullopt;
  auto bytes = read_private(path_for(dir, key), uid);
  if (!bytes) return std::nullopt;
  return decode(*bytes, key);
}

Result<seccomp::Filters> filters_for(const plan::Plan& plan, seccomp::Denials denials, const std::string& dir, uid_t uid) {
  const std::string key = seccomp::filter_key(plan, denials);
  if (auto cached = load_filters(dir, uid, key)) return seccomp::Filters{std::move(*cached), denials};
  auto compiled = seccomp::compile(plan, denials);
  if (!compiled) return compiled.error();
  if (!dir.empty() && dir[0] == '/' && make_dirs("cache", dir, 0700) && trusted_chain(dir, uid))
    write_private(path_for(dir, key), encode(key, *compiled));
  return compiled;
}

}  // namespace cordon::cache
