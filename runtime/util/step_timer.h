// `cordon run --timing`: how long each launch step took, printed to stderr as it happens. Off by
// default; writes nothing and costs one branch per step when off.
#pragma once

#include <time.h>

#include <cstdio>

namespace cordon {

class StepTimer {
 public:
  explicit StepTimer(bool on, const char* side) : on_(on), side_(side) { ::clock_gettime(CLOCK_MONOTONIC, &last_); }
  void mark(const char* step) {
    if (!on_) return;
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const double ms = static_cast<double>(now.tv_sec - last_.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec - last_.tv_nsec) / 1e6;
    std::fprintf(stderr, "cordon: timing: %s %-28s %8.3f ms\n", side_, step, ms);
    last_ = now;
  }

 private:
  bool on_;
  const char* side_;
  timespec last_{};
};

}  // namespace cordon
