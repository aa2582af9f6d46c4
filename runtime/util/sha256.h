// SHA-256 of a byte string, as lowercase hex (libcrypto).
#pragma once

#include <string>
#include <string_view>

namespace cordon {

std::string sha256_hex(std::string_view data);

}  // namespace cordon
