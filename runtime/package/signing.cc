// Ed25519 through libcrypto's one-shot EVP_DigestSign/Verify (Ed25519 hashes the message itself,
// so no digest is named), and the signed message of format v1.
#include "package/signing.h"

#include <fcntl.h>
#include <openssl/pem.h>

#include <utility>

#include "package/bytes.h"
#include "package/io.h"
#include "package/openssl_ptr.h"
#include "util/unique_fd.h"

namespace cordon::package {

namespace {

constexpr std::string_view kStep = "package";
constexpr std::size_t kMaxPem = std::size_t{64} * 1024;

// Called by libcrypto for an encrypted key: answering "no passphrase" makes it fail at once.
int no_passphrase(char*, int, int, void*) { return -1; }

}  // namespace

Result<PrivateKey> PrivateKey::load(const std::string& pem_path) {
  UniqueFd fd(::open(pem_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return sys_fail(kStep, "open " + pem_path);
  auto pem = read_bounded(fd.get(), pem_path, kMaxPem);
  if (!pem) return pem.error();
  BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!key)
    return fail(kStep, pem_path + ": not an unencrypted PEM private key (" + crypto_reason() + ")");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519)
    return fail(kStep, pem_path + ": not an Ed25519 key; make one with: openssl genpkey -algorithm ed25519");
  return PrivateKey(key.release());
}

PrivateKey::PrivateKey(PrivateKey&& o) noexcept : key_(std::exchange(o.key_, nullptr)) {}

PrivateKey& PrivateKey::operator=(PrivateKey&& o) noexcept {
  if (this != &o) {
    EVP_PKEY_free(key_);
    key_ = std::exchange(o.key_, nullptr);
  }
  return *this;
}

PrivateKey::~PrivateKey() { EVP_PKEY_free(key_); }

PublicKey PrivateKey::public_key() const {
  std::array<unsigned char, 32> raw{};
  std::size_t len = raw.size();
  // Cannot fail for a loaded Ed25519 key: its public half is always there and 32 bytes long.
  EVP_PKEY_get_raw_public_key(key_, raw.data(), &len);
  return public_key_from_raw(raw);
}

Result<std::array<unsigned char, 64>> PrivateKey::sign(std::string_view message) const {
  std::array<unsigned char, 64> sig{};
  std::size_t len = sig.size();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      len != sig.size())
    return fail(kStep, "sign the package with Ed25519 (" + crypto_reason() + ")");
  return sig;
}

bool verify_signature(const std::array<unsigned char, 32>& public_key, std::string_view message,
                      const std::array<unsigned char, 64>& signature) {
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok = key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
                  EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                   reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  ERR_clear_error();  // a bad signature leaves a reason in the queue; the answer is the bool
  return ok;
}

std::string signed_message(std::uint64_t body_size, const std::array<unsigned char, 32>& body_sha256) {
  return signed_message_for("cordon-package-v1", body_size, body_sha256);
}

std::string signed_message_for(std::string_view purpose, std::uint64_t body_size,
                               const std::array<unsigned char, 32>& body_sha256) {
  std::string out(purpose);
  out += '\0';
  put_le64(out, body_size);
  out.append(reinterpret_cast<const char*>(body_sha256.data()), body_sha256.size());
  return out;
}

}  // namespace cordon::package
