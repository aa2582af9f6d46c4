// Which session keyring the process has (its serial number): cordon gives the app a new one.
#include "probe_common.h"

#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
  if (id < 0) printf("session=%s\n", errno_name(errno));
  else printf("session=%ld\n", id);
  return 0;
}
