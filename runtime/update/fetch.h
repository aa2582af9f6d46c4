// Fetching from an update source: the index (small, bounded) and packages (exactly the size the
// index declares, hashed on the way, refused the moment one byte too many arrives). A URL source
// goes through libcurl, loaded when a refresh first needs it (dlopen), so that `cordon run` never
// pays for loading libcurl and its two dozen libraries; a directory source is read directly.
//
// Errors say what kind of failure it was in their `step`, which the launcher maps to exit codes:
//   kUnreachable  the source could not be reached, did not have the file, or the transfer broke off
//                 (network down, DNS, refused connection, timeout, HTTP 4xx or 5xx, a missing
//                 folder): nothing changed; try again later
//   kRefused      what arrived is not what the index declared (size or hash): an attack or a
//                 broken mirror; nothing is installed from it
//   anything else cordon failed (libcurl missing, a file it cannot write)
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "update/source.h"
#include "util/result.h"

namespace cordon::update {

inline constexpr std::string_view kUnreachable = "network";
inline constexpr std::string_view kRefused = "update";

// Called as bytes arrive: received so far, of `total`.
using Progress = std::function<void(std::uint64_t received, std::uint64_t total)>;

struct Downloaded {
  std::uint64_t size = 0;
  std::string sha256;  // lowercase hex
};

class CurlLibrary;  // fetch.cc

class Fetcher {
 public:
  // For a URL source, loads libcurl (an error names the Debian package when it is missing).
  static Result<Fetcher> for_source(const Source& source);
  Fetcher(Fetcher&&) noexcept;
  Fetcher& operator=(Fetcher&&) noexcept;
  ~Fetcher();

  // The whole of `file_name`, at most `max_bytes` (more is refused without reading further).
  Result<std::string> fetch_text(const std::string& file_name, std::size_t max_bytes) const;

  // `file_name` appended to `out_fd` (a fresh, empty file): exactly `size` bytes whose SHA-256 is
  // `sha256`, else refused. Stops reading at size + 1 bytes.
  Result<Downloaded> fetch_package(const std::string& file_name, std::uint64_t size, const std::string& sha256,
                                   int out_fd, const Progress& progress) const;

 private:
  explicit Fetcher(const Source& source);
  const Source* source_;
  std::unique_ptr<CurlLibrary> curl_;  // null for a directory source
};

}  // namespace cordon::update
