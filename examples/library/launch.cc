// A packaging tool's use of libcordon (docs/library.md): check a policy, resolve its Plan, and
// launch it confined from a worker thread that returns at once, then wait for the app from main.
//
//   g++ -std=c++20 launch.cc $(pkg-config --cflags --libs cordon) -o cordon-launch-example
//   ./cordon-launch-example POLICY.yaml [ARGS...]      # exits with the app's status
//   ./cordon-launch-example --abandon POLICY.yaml ...  # launches, then sleeps: kill it, the app goes too
//   ./cordon-launch-example --abandon-forked ...       # the same, after forking a worker that lives on
#include <cordon/cordon.h>

#include <unistd.h>

#include <cstring>
#include <iostream>
#include <optional>
#include <thread>

int main(int argc, char** argv) {
  const bool forked = argc > 1 && std::strcmp(argv[1], "--abandon-forked") == 0;
  const bool abandon = forked || (argc > 1 && std::strcmp(argv[1], "--abandon") == 0);
  const int first = abandon ? 2 : 1;
  if (argc <= first) {
    std::cerr << "usage: " << argv[0] << " [--abandon] POLICY.yaml [ARGS...]\n";
    return 2;
  }
  std::cout << "libcordon " << cordon::api::version() << " (API " << CORDON_API_VERSION << ")\n";

  const cordon::api::Report report = cordon::api::check({argv[first]});
  std::cerr << report.text;
  if (!report.ok) return 1;

  const cordon::api::Resolved resolved = cordon::api::resolve(argv[first]);
  if (!resolved.plan) return 1;
  std::cout << "app " << resolved.plan->app << ", command " << resolved.plan->command.at(0) << "\n";

  cordon::api::LaunchOptions options;
  options.app = argv[first];
  options.args.assign(argv + first + 1, argv + argc);

  // The thread that launches is gone long before the app ends: the sandbox must not go with it.
  std::optional<cordon::api::Sandbox> sandbox;
  std::thread([&] {
    cordon::api::Launched launched = cordon::api::launch(options);
    if (launched.sandbox) sandbox = std::move(launched.sandbox);
    else std::cerr << "launch failed: " << launched.error << "\n";
  }).join();
  if (!sandbox) return 125;
  std::cout << "launched, supervisor pid " << sandbox->supervisor_pid() << "; the launching thread has exited" << std::endl;

  if (abandon) {  // the test kills this process here: the sandbox must not outlive it
    if (forked && ::fork() == 0) {  // a pre-fork worker: a copy of this process, without exec
      ::sleep(30);
      ::_exit(0);
    }
    for (;;) ::pause();
  }
  const int status = sandbox->wait();
  std::cout << "the app exited with status " << status << "\n";
  return status;
}
