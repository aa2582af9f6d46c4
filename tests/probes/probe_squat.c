// Binds the abstract Unix socket name argv[1] and listens, as an app squatting a host service's
// name would (X11's @/tmp/.X11-unix/X7). Prints bind=..., then waits until a client connects
// (accepted=yes, data=what it sent) or until stdin closes (accepted=no).
#include "probe_common.h"

#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  const size_t len = strlen(argv[1]);
  if (len + 1 > sizeof addr.sun_path) return 2;
  memcpy(addr.sun_path + 1, argv[1], len);  // sun_path[0] == 0: the abstract namespace
  const int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  // Listening before saying so: the host's connect must find a listener, not a bound socket.
  const int bound = s >= 0 && bind(s, (struct sockaddr*)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) == 0 &&
                    listen(s, 4) == 0;
  printf("bind=%s\n", bound ? "ok" : errno_name(errno));
  fflush(stdout);
  if (!bound) return 0;
  struct pollfd p[2] = {{s, POLLIN, 0}, {0, POLLIN, 0}};
  if (poll(p, 2, 20000) > 0 && (p[0].revents & POLLIN)) {
    const int c = accept(s, NULL, NULL);
    char buf[64] = "";
    const ssize_t n = c >= 0 ? read(c, buf, sizeof buf - 1) : -1;
    if (n > 0) buf[n] = 0;
    printf("accepted=yes\ndata=%s\n", buf);
  } else {
    printf("accepted=no\n");
  }
  return 0;
}
