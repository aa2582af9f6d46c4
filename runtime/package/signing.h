// Ed25519 signing and verification of a package's signed message (format.h): the private key
// pack signs with, and the check open makes before it trusts a byte of the body.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "package/keys.h"
#include "util/result.h"

namespace cordon::package {

class PrivateKey {  // owns an EVP_PKEY*; move-only RAII
 public:
  // A PEM private key (PKCS#8 "PRIVATE KEY"), Ed25519 only. A passphrase-protected key is refused
  // rather than prompted for: pack runs in scripts, and libcrypto's prompt would read the terminal.
  static Result<PrivateKey> load(const std::string& pem_path);
  PrivateKey(PrivateKey&& o) noexcept;
  PrivateKey& operator=(PrivateKey&& o) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  PublicKey public_key() const;  // its `file` is ""
  Result<std::array<unsigned char, 64>> sign(std::string_view message) const;

 private:
  explicit PrivateKey(EVP_PKEY* key) noexcept : key_(key) {}
  EVP_PKEY* key_ = nullptr;
};

bool verify_signature(const std::array<unsigned char, 32>& public_key, std::string_view message,
                      const std::array<unsigned char, 64>& signature);

// "cordon-package-v1" NUL | u64 LE body length | SHA-256(body): what the signature covers. The
// length and a purpose string are in it so a signature made for anything else never verifies here.
std::string signed_message(std::uint64_t body_size, const std::array<unsigned char, 32>& body_sha256);

// The same shape for another signed document: `purpose` NUL | u64 LE length | SHA-256. Each kind of
// document has its own purpose string ("cordon-index-v1" for update indexes), so a signature made
// for one kind never verifies as another.
std::string signed_message_for(std::string_view purpose, std::uint64_t body_size,
                               const std::array<unsigned char, 32>& body_sha256);

}  // namespace cordon::package
