// SHA-256 over data that arrives in pieces (a package streamed from a pipe, a file copied while it
// is written), and hex for the digests the manifest and the records hold.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <string>
#include <string_view>

namespace cordon::package {

using Digest = std::array<unsigned char, 32>;

class Sha256 {
 public:
  Sha256();  // throws std::bad_alloc when libcrypto cannot allocate its context, as util/sha256 does
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256();
  void update(std::string_view data);
  Digest finish();  // once; the object is then spent

 private:
  EVP_MD_CTX* ctx_;
};

std::string to_hex(const unsigned char* data, std::size_t size);
inline std::string to_hex(const Digest& d) { return to_hex(d.data(), d.size()); }

}  // namespace cordon::package
