// Host-wide kernel budgets an app could exhaust. `aio`: one io_setup (fs.aio-max-nr is shared by
// the whole host). `inotify N [HOLD_SECONDS]`: inotify_init1 up to N times, prints how many it got
// and what stopped it, then (with HOLD_SECONDS) keeps them open that long, so the test can check
// from outside that the user's budget is still usable meanwhile.
#include "probe_common.h"

#include <linux/aio_abi.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

static void aio(void) {
  aio_context_t ctx = 0;
  long r = syscall(SYS_io_setup, 1, &ctx);
  printf("aio=%s\n", errno_name(r == 0 ? 0 : errno));
  if (r == 0) syscall(SYS_io_destroy, ctx);
}

static void inotify(int n, int hold) {
  int got = 0, stop = 0;
  for (; got < n; ++got)
    if (inotify_init1(IN_CLOEXEC) < 0) {
      stop = errno;
      break;
    }
  printf("inotify_count=%d\ninotify_stop=%s\n", got, errno_name(stop));
  fflush(stdout);
  if (hold > 0) sleep((unsigned)hold);
}

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "aio") == 0) aio();
  if (argc >= 3 && strcmp(argv[1], "inotify") == 0) inotify(atoi(argv[2]), argc >= 4 ? atoi(argv[3]) : 0);
  return 0;
}
