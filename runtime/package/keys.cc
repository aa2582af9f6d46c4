// Public keys from PEM files, and the trusted-key folders with their ownership rules (keys.h).
#include "package/keys.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "package/io.h"
#include "package/openssl_ptr.h"
#include "util/sha256.h"
#include "util/strings.h"
#include "util/unique_fd.h"

namespace cordon::package {

namespace {

constexpr std::string_view kStep = "package";
constexpr std::size_t kMaxPem = std::size_t{64} * 1024;  // a PEM Ed25519 key is ~113 bytes; anything near this is not one

Result<PublicKey> parse_public_pem(const std::string& pem, const std::string& shown) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return fail(kStep, shown + ": not a PEM public key (" + crypto_reason() + ")");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519)
    return fail(kStep, shown + ": not an Ed25519 key; cordon packages are signed with Ed25519");
  std::array<unsigned char, 32> raw{};
  std::size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &len) != 1 || len != raw.size())
    return fail(kStep, shown + ": cannot read the Ed25519 key (" + crypto_reason() + ")");
  return public_key_from_raw(raw, shown);
}

}  // namespace

Result<void> check_trusted_owner(const struct stat& st, const std::string& shown, uid_t owner_uid) {
  if (st.st_uid != 0 && st.st_uid != owner_uid)
    return fail(kStep, shown + ": owned by uid " + std::to_string(st.st_uid) + ", not by root or uid " +
                           std::to_string(owner_uid) + "; what decides whom cordon trusts must be in their hands only");
  if ((st.st_mode & 022) != 0)
    return fail(kStep, shown + ": group or others may write it, and whoever can change it decides what cordon trusts "
                           "(chmod go-w " + shown + ")");
  return {};
}

Result<UniqueFd> open_trusted_file(int dir_fd, const std::string& name, const std::string& shown, uid_t owner_uid,
                                   const std::string& what) {
  // O_NOFOLLOW: the folder's owner vouches for what is in it, not for where a link points.
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid() && errno == ELOOP) return fail(kStep, shown + ": a symbolic link; " + what + " must be a file");
  if (!fd.valid()) return sys_fail(kStep, "open " + shown);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_fail(kStep, "stat " + shown);
  if (!S_ISREG(st.st_mode)) return fail(kStep, shown + ": not a regular file");
  CORDON_TRY(check_trusted_owner(st, shown, owner_uid));
  return fd;
}

namespace {

Result<std::vector<std::string>> pub_names(int dir_fd, const std::string& shown) {
  auto names = names_in(dir_fd, shown);
  if (!names) return names.error();
  std::erase_if(*names, [](const std::string& name) { return name.size() <= 4 || !ends_with(name, ".pub"); });
  return names;
}

// nullopt (with the reason in `skipped`) for a file whose content is not an Ed25519 public key: it
// trusts nothing, so skipping it weakens nothing, and one stray file must not stop every install.
// A file others could have written is an error all the same: that is a folder to fix, not to skip.
Result<std::optional<PublicKey>> read_trusted_file(int dir_fd, const std::string& name, const std::string& shown,
                                                   uid_t owner_uid, std::vector<std::string>* skipped) {
  auto fd = open_trusted_file(dir_fd, name, shown, owner_uid, "a trusted key");
  if (!fd) return fd.error();
  auto pem = read_bounded(fd->get(), shown, kMaxPem);
  if (!pem) return pem.error();
  auto key = parse_public_pem(*pem, shown);
  if (key) return std::optional<PublicKey>(std::move(*key));
  if (!skipped) return key.error();
  skipped->push_back(key.error().to_string());
  return std::optional<PublicKey>();
}

// The keys of one folder, appended to `keys` unless already there.
Result<void> load_dir(const std::string& dir, uid_t owner_uid, std::vector<PublicKey>& keys,
                      std::vector<std::string>* skipped) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() && errno == ENOENT) return {};
  if (!fd.valid()) return sys_fail(kStep, "open " + dir);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_fail(kStep, "stat " + dir);
  CORDON_TRY(check_trusted_owner(st, dir, owner_uid));
  auto names = pub_names(fd.get(), dir);
  if (!names) return names.error();
  for (const std::string& name : *names) {
    auto read = read_trusted_file(fd.get(), name, dir + "/" + name, owner_uid, skipped);
    if (!read) return read.error();
    if (!*read) continue;
    auto& key = *read;
    const bool known = std::any_of(keys.begin(), keys.end(), [&](const PublicKey& k) { return k.raw == key->raw; });
    if (!known) keys.push_back(std::move(*key));
  }
  return {};
}

}  // namespace

PublicKey public_key_from_raw(const std::array<unsigned char, 32>& raw, std::string file) {
  return PublicKey{raw, sha256_hex(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size())),
                   std::move(file)};
}

std::string short_id(const std::string& id) { return id.substr(0, 16); }

Result<std::vector<PublicKey>> load_trusted_keys(const std::vector<std::string>& dirs, uid_t owner_uid,
                                                 std::vector<std::string>* skipped) {
  std::vector<PublicKey> keys;
  for (const std::string& dir : dirs) CORDON_TRY(load_dir(dir, owner_uid, keys, skipped));
  return keys;
}

Result<PublicKey> read_trusted_key_file(const std::string& path, uid_t owner_uid) {
  auto key = read_trusted_file(AT_FDCWD, path, path, owner_uid, nullptr);
  if (!key) return key.error();
  return std::move(**key);  // without `skipped`, a file that holds no key is an error above
}

Result<PublicKey> read_public_key(const std::string& pem_path) {
  UniqueFd fd(::open(pem_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return sys_fail(kStep, "open " + pem_path);
  auto pem = read_bounded(fd.get(), pem_path, kMaxPem);
  if (!pem) return pem.error();
  return parse_public_pem(*pem, pem_path);
}

}  // namespace cordon::package
