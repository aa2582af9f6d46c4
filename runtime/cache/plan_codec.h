// The Plan in the cache's binary encoding: a walk of plan/plan_fields.h, so every field the Plan
// has is stored, provenance included (a warm launch's explain and denial messages name the same
// plug a cold one does). Numbers are 8 bytes in native order (cache/codec.h): a cache file never
// leaves the machine that wrote it. The decoder never reads past its input and refuses an enum
// value no enumerator has; a malformed input yields nullopt.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cache/codec.h"
#include "plan/plan_fields.h"

namespace cordon::cache {

namespace codec_detail {

struct Encoder {
  Writer& w;

  void operator()(const std::string& s) const { w.str(s); }
  void operator()(bool b) const { w.u64(b ? 1 : 0); }
  void operator()(int i) const { w.u64(static_cast<std::uint64_t>(static_cast<std::int64_t>(i))); }
  void operator()(std::uint64_t v) const { w.u64(v); }
  template <class E>
    requires std::is_enum_v<E>
  void operator()(E e) const {
    w.u64(static_cast<std::uint64_t>(e));
  }
  void operator()(const std::pair<std::string, std::string>& p) const { w.str(p.first), w.str(p.second); }
  template <class T>
  void operator()(const std::vector<T>& list) const {
    w.u64(list.size());
    for (const T& item : list) (*this)(item);
  }
  template <class T>
    requires requires { sizeof(plan::Fields<T>); }
  void operator()(const T& record) const {
    plan::Fields<T>::each(record, *this);
  }
};

struct Decoder {
  Reader& r;

  void operator()(std::string& s) const { s = r.str(); }
  void operator()(bool& b) const { b = r.u64() != 0; }
  void operator()(int& i) const { i = static_cast<int>(static_cast<std::int64_t>(r.u64())); }
  void operator()(std::uint64_t& v) const { v = r.u64(); }
  template <class E>
    requires std::is_enum_v<E>
  void operator()(E& e) const {
    const std::uint64_t v = r.u64();
    if (v > static_cast<std::uint64_t>(plan::kLastOf<E>)) return r.poison();
    e = static_cast<E>(v);
  }
  void operator()(std::pair<std::string, std::string>& p) const { p.first = r.str(), p.second = r.str(); }
  template <class T>
  void operator()(std::vector<T>& list) const {
    list.resize(r.count());  // count() is bounded by the bytes left, so a forged count cannot exhaust memory
    for (T& item : list) (*this)(item);
  }
  template <class T>
    requires requires { sizeof(plan::Fields<T>); }
  void operator()(T& record) const {
    plan::Fields<T>::each(record, *this);
  }
};

}  // namespace codec_detail

inline void encode_plan(Writer& w, const plan::Plan& p) { codec_detail::Encoder{w}(p); }

// The Plan is the last thing in a cache file: bytes left after it make the file malformed.
inline std::optional<plan::Plan> decode_plan(Reader& r) {
  plan::Plan p;
  codec_detail::Decoder{r}(p);
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return p;
}

}  // namespace cordon::cache
