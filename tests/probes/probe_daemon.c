// Leaves a daemonised grandchild behind (setsid, parent exits): it must not outlive the sandbox.
#include "probe_common.h"

#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc > 1) for (;;) pause();  // the daemon itself
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    if (fork() == 0) {
      // Argument marks it so the test can look for it on the host.
      execl(argv[0], argv[0], "--sleeping", (char*)NULL);
      for (;;) pause();
    }
    _exit(0);
  }
  printf("daemon=started\n");
  return 0;
}
