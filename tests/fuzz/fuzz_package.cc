// libFuzzer target for the package format's parsers (package/format.h): the header and manifest
// reader (parse_manifest) and the trailer (parse_trailer); and, on the same bytes after the first
// 8, the update index's body reader (update/index.h parse_index_body), whose accepted indexes must
// read back unchanged from the canonical writer. A trusted key can sign anything, so
// these must hold on any bytes: no read past the input, no allocation the limits do not bound, and
// whatever the reader accepts must survive the canonical writer (manifest_json) unchanged.
//
// Input: u64 LE payload size | header | manifest. The payload size says how long the (absent)
// payload is, so that body_size = input size - 8 + payload size, as open_package would pass it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "package/format.h"
#include "update/index.h"

namespace {

using namespace cordon::package;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_package: %s\n", what);
  std::abort();
}

std::uint64_t le64(std::string_view b) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[static_cast<std::size_t>(i)]);
  return v;
}

// Whatever parses must say the same after a trip through the writer, and keep its promises.
void check_accepted(const Manifest& m, std::uint64_t payload, const Limits& limits) {
  std::uint64_t end = 0;
  for (const Entry& e : m.entries) {
    if (!path_problem(e.path).empty()) broken("an accepted path breaks the path rules");
    if ((e.mode & ~0777u) != 0) broken("an accepted mode has more than permission bits");
    if (e.type == EntryType::file) {
      if (e.offset != end) broken("file offsets are not consecutive");
      end += e.size;
    }
  }
  if (end != payload) broken("accepted file sizes do not add up to the payload");
  const std::string json = manifest_json(m);
  const std::string again = encode_header(json.size()) + json;
  Limits roomier = limits;  // the canonical form may be longer (escapes): only the package limit could mind
  roomier.max_package_bytes = ~0ull;
  auto reread = parse_manifest(again, again.size() + payload, roomier);
  if (!reread) broken("the canonical form of an accepted manifest is refused");
  if (manifest_json(*reread) != json) broken("the canonical form does not read back to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::uint64_t payload = le64(input) % (1ull << 33);  // up to 8 GiB: past the 4 GiB limit too
  const std::string_view rest = input.substr(8);
  Limits limits;
  limits.max_files = 4096;  // smaller, so that the fuzzer reaches the bound

  auto as_given = parse_manifest(rest, rest.size() + payload, limits);
  if (as_given) check_accepted(*as_given, payload, limits);

  // The same with the header's manifest length made right, so mutations of the JSON reach the
  // JSON reader instead of failing the length check.
  if (rest.size() >= kHeaderSize) {
    std::string fixed = encode_header(rest.size() - kHeaderSize);
    fixed.replace(0, 16, rest.substr(0, 16));  // keep the fuzzed magic, version and reserved field
    fixed.append(rest.substr(kHeaderSize));
    auto parsed = parse_manifest(fixed, fixed.size() + payload, limits);
    if (parsed) check_accepted(*parsed, payload, limits);
  }

  if (size >= kTrailerSize) {
    const std::string_view last = input.substr(size - kTrailerSize);
    auto t = parse_trailer(last, payload);
    if (t && encode_trailer(*t) != last) broken("an accepted trailer does not encode back to its bytes");
  }

  // An index body: whatever is accepted must survive the canonical writer and read back the same.
  if (auto index = cordon::update::parse_index_body(rest, "fuzz")) {
    const std::string canonical = cordon::update::index_body_json(*index);
    auto again = cordon::update::parse_index_body(canonical, "fuzz");
    if (!again) broken("the canonical form of an accepted index is refused");
    if (cordon::update::index_body_json(*again) != canonical) broken("the canonical index does not read back to itself");
  }
  return 0;
}
