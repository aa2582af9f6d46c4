// A tiny length-prefixed binary encoding for cordon's cache files. Native byte order: a cache file
// never leaves the machine that wrote it. The reader never reads past its input; a malformed file
// only makes ok() false.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace cordon::cache {

class Writer {
 public:
  void u64(std::uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void str(const std::string& s) {
    u64(s.size());
    out_ += s;
  }
  void strs(const std::vector<std::string>& v) {
    u64(v.size());
    for (const std::string& s : v) str(s);
  }
  void raw(const std::string& bytes) { out_ += bytes; }  // no length: the reader knows where it ends
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    if (pos_ + sizeof v > in_.size()) return fail();
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string str() {
    const std::uint64_t n = u64();
    if (!ok_ || n > in_.size() - pos_) return fail(), std::string();
    std::string s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // Steps over a string without copying it.
  void skip_str() {
    const std::uint64_t n = u64();
    if (!ok_ || n > in_.size() - pos_) return (void)fail();
    pos_ += n;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count());
    for (std::string& s : v) s = str();
    return v;
  }
  // Marks the input malformed: a value that decoded but is out of range.
  void poison() { fail(); }
  std::size_t count() {
    const std::uint64_t n = u64();
    if (n > in_.size()) return fail(), 0;  // a count can never exceed the bytes left
    return static_cast<std::size_t>(n);
  }

 private:
  std::uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  const std::string& in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace cordon::cache
