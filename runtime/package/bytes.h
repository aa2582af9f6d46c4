// Little-endian integers in the package's header and trailer, and the one way an error gets the
// name of the package or entry it is about. Internal to the package layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace cordon::package {

inline void put_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

inline void put_le64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// The caller has checked that `at + 4` (or `+ 8`) bytes are there.
inline std::uint32_t get_le32(std::string_view in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return v;
}

inline std::uint64_t get_le64(std::string_view in, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return v;
}

// "hello.cordon: " + the error's operation: the pure parsers do not know the file's name.
inline Error about(const std::string& what, Error e) {
  e.op = what + ": " + e.op;
  return e;
}

}  // namespace cordon::package
