// libFuzzer target for the Plan cache's decoder (cache/plan_codec.h): any bytes, decoded as a
// launch would (the launch section) and as a whole Plan. The decoder must never read past its
// input, never make an enum no enumerator has, and never allocate without bound; whatever it
// accepts must encode back to the very bytes it came from (one field list, both directions).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cache/plan_codec.h"

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_plan_cache: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (auto part : {cordon::cache::PlanPart::launch, cordon::cache::PlanPart::whole}) {
    cordon::cache::Reader r(bytes);
    auto plan = cordon::cache::decode_plan(r, part);
    if (!plan || part != cordon::cache::PlanPart::whole) continue;
    cordon::cache::Writer w;
    cordon::cache::encode_plan(w, *plan);
    if (w.bytes() != bytes) broken("a decoded Plan does not encode back to its bytes");
  }
  return 0;
}
