// Helpers for the package tests: temporary folders, generated Ed25519 keys, hand-built bodies.
#pragma once

#include <sys/types.h>

#include <string>

#include "package/format.h"
#include "package/keys.h"

namespace cordon::test {

// A fresh folder under /tmp, removed with everything in it (read-only trees too) at scope exit.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// A new Ed25519 key pair as DIR/NAME.pem (private, PKCS#8) and DIR/NAME.pub (public); returns the
// private key's path.
std::string make_key(const std::string& dir, const std::string& name);

void write_bytes(const std::string& path, const std::string& bytes, mode_t mode = 0644);
std::string read_bytes(const std::string& path);

// header || manifest || payload
std::string body_of(const std::string& manifest, const std::string& payload);
// body || trailer signed with the key in `pem_path`.
std::string sign_body(const std::string& body, const std::string& pem_path);

// {"mode":420,"path":"policy.yaml","sha256":...,"size":...,"type":"file"} for `content`.
std::string file_entry(const std::string& path, const std::string& content, unsigned mode = 0644);
// {"count":count,"files":[entries],"format":1,"name":"t","version":"1"}
std::string manifest_of(const std::string& entries, unsigned long long count);

}  // namespace cordon::test
