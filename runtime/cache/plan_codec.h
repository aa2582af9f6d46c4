// The Plan in the cache's binary encoding: a walk of plan/plan_fields.h, so every field the Plan
// has is stored, provenance included (a warm launch's messages name the plug a cold one names).
// Numbers are 8 bytes in native order (cache/codec.h): a cache file never leaves the machine that
// wrote it. The decoder never reads past its input and refuses an enum value no enumerator has;
// a malformed input yields nullopt.
//
// Two sections, one walk each: `launch` holds every field but those marked explain_only, and
// `explain` holds only those (in the same order, inside the elements the first section sized).
// A launch decodes the first and skips the second.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cache/codec.h"
#include "plan/plan_fields.h"

namespace cordon::cache {

// How much of a Plan to decode: what `cordon run` needs, or every field.
enum class PlanPart { launch, whole };

namespace codec_detail {

// launch: the fields not marked explain-only. explain: only the marked ones, found by walking the
// records and lists the launch section made. full: everything below a marked field.
enum class Pass { launch, explain, full };

template <class T>
concept Record = requires { sizeof(plan::Fields<T>); };

struct Encoder {
  Writer& w;
  Pass pass;

  bool values() const { return pass != Pass::explain; }  // whether plain values are written
  void operator()(const std::string& s) const { if (values()) w.str(s); }
  void operator()(bool b) const { if (values()) w.u64(b ? 1 : 0); }
  void operator()(int i) const { if (values()) w.u64(static_cast<std::uint64_t>(static_cast<std::int64_t>(i))); }
  void operator()(std::uint64_t v) const { if (values()) w.u64(v); }
  template <class E>
    requires std::is_enum_v<E>
  void operator()(E e) const {
    if (values()) w.u64(static_cast<std::uint64_t>(e));
  }
  void operator()(const std::pair<std::string, std::string>& p) const { (*this)(p.first), (*this)(p.second); }
  template <class T>
  void operator()(const std::vector<T>& list) const {
    if (pass == Pass::explain && !Record<T>) return;  // plain values: all written in the launch section
    if (values()) w.u64(list.size());
    for (const T& item : list) (*this)(item);
  }
  template <Record T>
  void operator()(const T& record) const {
    plan::Fields<T>::each(record, *this);
  }
  template <class T>
  void operator()(plan::ExplainOnly<T> marked) const {
    if (pass != Pass::launch) Encoder{w, Pass::full}(marked.field);
  }
};

struct Decoder {
  Reader& r;
  Pass pass;

  bool values() const { return pass != Pass::explain; }
  void operator()(std::string& s) const { if (values()) s = r.str(); }
  // Only what the encoder writes is accepted: one spelling per value, so decoding then encoding
  // gives back the same bytes (tests/fuzz/fuzz_plan_cache.cc checks it).
  void operator()(bool& b) const {
    if (!values()) return;
    const std::uint64_t v = r.u64();
    if (v > 1) return r.poison();
    b = v == 1;
  }
  void operator()(int& i) const {
    if (!values()) return;
    const auto v = static_cast<std::int64_t>(r.u64());
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) return r.poison();
    i = static_cast<int>(v);
  }
  void operator()(std::uint64_t& v) const { if (values()) v = r.u64(); }
  template <class E>
    requires std::is_enum_v<E>
  void operator()(E& e) const {
    if (!values()) return;
    const std::uint64_t v = r.u64();
    if (v > static_cast<std::uint64_t>(plan::kLastOf<E>)) return r.poison();
    e = static_cast<E>(v);
  }
  void operator()(std::pair<std::string, std::string>& p) const { (*this)(p.first), (*this)(p.second); }
  template <class T>
  void operator()(std::vector<T>& list) const {
    if (pass == Pass::explain && !Record<T>) return;
    // count() is bounded by the bytes left, so a forged count cannot make a huge allocation.
    if (values()) list.resize(r.count());
    for (T& item : list) (*this)(item);
  }
  template <Record T>
  void operator()(T& record) const {
    plan::Fields<T>::each(record, *this);
  }
  template <class T>
  void operator()(plan::ExplainOnly<T> marked) const {
    if (pass != Pass::launch) Decoder{r, Pass::full}(marked.field);
  }
};

}  // namespace codec_detail

inline void encode_launch_section(Writer& w, const plan::Plan& p) {
  codec_detail::Encoder{w, codec_detail::Pass::launch}(p);
}
inline std::string explain_section(const plan::Plan& p) {
  Writer w;
  codec_detail::Encoder{w, codec_detail::Pass::explain}(p);
  return w.bytes();
}

// The launch section, then the explain section with its length first (so a launch can skip it).
inline void encode_plan(Writer& w, const plan::Plan& p) {
  encode_launch_section(w, p);
  w.str(explain_section(p));
}

// The Plan is the last thing in a cache file: bytes left after it make the file malformed. For
// PlanPart::launch the explain section may be absent (a reader that did not read that far).
inline std::optional<plan::Plan> decode_plan(Reader& r, PlanPart part = PlanPart::whole) {
  plan::Plan p;
  codec_detail::Decoder{r, codec_detail::Pass::launch}(p);
  if (part == PlanPart::launch) {
    if (!r.at_end()) r.skip_str();
  } else {
    const std::string explain = r.str();
    Reader inner(explain);
    codec_detail::Decoder{inner, codec_detail::Pass::explain}(p);
    if (!inner.ok() || !inner.at_end()) return std::nullopt;
  }
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return p;
}

}  // namespace cordon::cache
