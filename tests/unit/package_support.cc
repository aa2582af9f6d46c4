#include "package_support.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "package/digest.h"
#include "package/signing.h"
#include "util/sha256.h"

namespace cordon::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string templ = "/tmp/cordon-package-test-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp");
  path_ = templ;
}

TempDir::~TempDir() {
  // Unpacked trees are read-only; as an unprivileged user their folders must be made writable first.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0700);
  fs::remove_all(path_, ec);
}

std::string make_key(const std::string& dir, const std::string& name) {
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &key) != 1)
    throw std::runtime_error("Ed25519 keygen");
  EVP_PKEY_CTX_free(ctx);
  const std::string pem = dir + "/" + name + ".pem";
  const std::string pub = dir + "/" + name + ".pub";
  FILE* f = std::fopen(pem.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  f = std::fopen(pub.c_str(), "w");
  PEM_write_PUBKEY(f, key);
  std::fclose(f);
  EVP_PKEY_free(key);
  ::chmod(pub.c_str(), 0644);
  return pem;
}

void write_bytes(const std::string& path, const std::string& bytes, mode_t mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  ::chmod(path.c_str(), mode);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string body_of(const std::string& manifest, const std::string& payload) {
  return package::encode_header(manifest.size()) + manifest + payload;
}

std::string sign_body(const std::string& body, const std::string& pem_path) {
  auto key = package::PrivateKey::load(pem_path);
  if (!key) throw std::runtime_error(key.error().to_string());
  package::Sha256 hash;
  hash.update(body);
  auto sig = key->sign(package::signed_message(body.size(), hash.finish()));
  if (!sig) throw std::runtime_error(sig.error().to_string());
  return body + package::encode_trailer(package::Trailer{key->public_key().raw, *sig, body.size()});
}

std::string file_entry(const std::string& path, const std::string& content, unsigned mode) {
  return R"({"mode":)" + std::to_string(mode) + R"(,"path":")" + path + R"(","sha256":")" + sha256_hex(content) +
         R"(","size":)" + std::to_string(content.size()) + R"(,"type":"file"})";
}

std::string manifest_of(const std::string& entries, unsigned long long count) {
  return R"({"count":)" + std::to_string(count) + R"(,"files":[)" + entries +
         R"(],"format":1,"name":"t","version":"1"})";
}

}  // namespace cordon::test
