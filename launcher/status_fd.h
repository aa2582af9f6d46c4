// `cordon run --status-fd N`: JSON lines on descriptor N for a supervisor, as bwrap's
// --json-status-fd gives them — the sandbox's pid and namespaces once the app runs, each denied
// call, and how the app ended — on a channel of their own, never the app's stdout or stderr
// (docs/json.md "Run status").
#pragma once

#include <optional>
#include <string>

#include "sandbox/context.h"
#include "util/result.h"

namespace cordon::launcher {

class StatusChannel final : public sandbox::LaunchEvents {
 public:
  // Checks that `fd` is open for writing, above stderr and not one of the `listen_fds` sockets the
  // app is handed (3..), and keeps it from the app (close-on-exec; the sandbox closes it anyway).
  // Called before cordon opens anything, so that N cannot name a descriptor of cordon's own.
  static Result<StatusChannel> open(int fd, std::string app, int listen_fds);
  void name_app(std::string app) { app_ = std::move(app); }

  void sandbox_started(pid_t init) override;
  void event(const std::string& json_line);  // one JSON object, without its newline
  void exited(int status);  // cordon's exit status: the app's, or 128+N for signal N
  void failed(const std::string& why);

 private:
  StatusChannel(int fd, std::string app) : fd_(fd), app_(std::move(app)) {}
  int fd_;
  std::string app_;
};

}  // namespace cordon::launcher
