#include "launcher/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace cordon::launcher {

namespace {

void write_stderr(const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(STDERR_FILENO, s.data() + done, s.size() - done);
    if (n <= 0) return;  // a progress line is never worth failing for
    done += static_cast<std::size_t>(n);
  }
}

std::size_t terminal_width() {
  winsize ws{};
  return ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1 : 79;
}

}  // namespace

ProgressLine::ProgressLine() {
  const char* term = std::getenv("TERM");
  on_ = ::isatty(STDERR_FILENO) == 1 && !(term && std::strcmp(term, "dumb") == 0);
}

void ProgressLine::show(const std::string& text) {
  if (!on_) return;
  const std::string line = text.substr(0, terminal_width());
  if (line == shown_) return;
  write_stderr("\r\033[K" + line);
  shown_ = line;
}

void ProgressLine::clear() {
  if (!on_ || shown_.empty()) return;
  write_stderr("\r\033[K");
  shown_.clear();
}

}  // namespace cordon::launcher
