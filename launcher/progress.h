// A progress line for long work (many filters to compile, a large package to pack): on stderr, only
// when stderr is a terminal (not with TERM=dumb), redrawn in place and erased when the work is
// done, so that a pipe, a log or --json output never carries it.
#pragma once

#include <string>

namespace cordon::launcher {

class ProgressLine {
 public:
  ProgressLine();  // on when stderr is a terminal
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine() { clear(); }

  // Redraws the line as `text` (cut to the terminal's width); nothing when it is unchanged.
  void show(const std::string& text);
  // Erases the line, so that what is printed next starts on a clean line.
  void clear();

 private:
  bool on_ = false;
  std::string shown_;
};

}  // namespace cordon::launcher
