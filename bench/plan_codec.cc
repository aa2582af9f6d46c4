// Micro-benchmark of the Plan cache's encoding (docs/performance.md "Plan cache encoding"): how
// long encoding and decoding a real Plan takes with the field-visitor binary codec the cache uses
// (the whole Plan, and the launch section alone), and, for the record of why, parsing nlohmann's
// CBOR and JSON text of the same Plan (into a json value only, before any conversion to a Plan).
//
//   build-ci/tests/plan_codec_bench [ROUNDS]     (examples/*.yaml against the source tree's policies)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/plan_for.h"
#include "cache/plan_codec.h"
#include "plan/plan_json.h"

namespace {

using Clock = std::chrono::steady_clock;

// Median microseconds of `rounds` calls of `f`.
template <class F>
double median_us(int rounds, F&& f) {
  std::vector<double> t;
  t.reserve(rounds);
  for (int i = 0; i < rounds; ++i) {
    const auto start = Clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

cordon::policy::SearchPaths source_paths(const std::string& src) {
  cordon::policy::SearchPaths p;
  p.app_dirs = {src + "/examples"};
  p.interface_dirs = {src + "/policies/interfaces"};
  p.syscall_sets = src + "/policies/syscall-sets.yaml";
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 2000;
  const std::string src = CORDON_SOURCE_DIR;
  std::size_t sink = 0;  // keeps the parses from being optimised away
  std::printf("%-10s %7s %8s %9s %10s %8s %10s %10s\n", "app", "bytes", "enc µs", "dec µs", "launch µs", "cbor B",
              "cbor µs", "json µs");
  for (const char* app : {"counter", "fetch-url", "notes", "shell"}) {
    cordon::policy::Diagnostics diags;
    cordon::policy::SourceTexts sources;
    auto plan = cordon::app::plan_for(app, source_paths(src), {}, diags, sources);
    if (!plan) return 1;
    std::string bytes;
    const double enc = median_us(rounds, [&] {
      cordon::cache::Writer w;
      cordon::cache::encode_plan(w, *plan);
      bytes = w.bytes();
    });
    auto decode = [&](cordon::cache::PlanPart part) {
      return median_us(rounds, [&] {
        cordon::cache::Reader r(bytes);
        if (!cordon::cache::decode_plan(r, part)) std::abort();
      });
    };
    const double dec = decode(cordon::cache::PlanPart::whole);
    const double dec_launch = decode(cordon::cache::PlanPart::launch);
    // nlohmann: only parsing into a json value, before any conversion into a Plan.
    const std::vector<std::uint8_t> cbor = nlohmann::json::to_cbor(cordon::plan::to_json(*plan));
    const std::string text = cordon::plan::to_json(*plan).dump();
    const double cbor_dec = median_us(rounds / 4 + 1, [&] { sink += nlohmann::json::from_cbor(cbor).size(); });
    const double json_dec = median_us(rounds / 4 + 1, [&] { sink += nlohmann::json::parse(text).size(); });
    std::printf("%-10s %7zu %8.1f %9.1f %10.1f %8zu %10.1f %10.1f\n", app, bytes.size(), enc, dec, dec_launch, cbor.size(),
                cbor_dec, json_dec);
  }
  return sink == 0;  // never: every Plan has members
}
