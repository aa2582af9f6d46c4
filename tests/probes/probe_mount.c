// Tries to make the root writable again and to mount a new tmpfs: both must fail inside cordon.
#include "probe_common.h"

#include <sys/mount.h>

int main(void) {
  int remount = mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL) == 0 ? 0 : errno;
  int tmpfs = mount("x", "/tmp", "tmpfs", 0, NULL) == 0 ? 0 : errno;
  printf("remount_rw=%s\nmount_tmpfs=%s\n", errno_name(remount), errno_name(tmpfs));
  return 0;
}
