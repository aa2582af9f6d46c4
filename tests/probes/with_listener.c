// Runs a command under a seccomp filter that already holds a listener, as a container runtime
// using SECCOMP_RET_USER_NOTIF would: the kernel allows one listener per filter chain, so cordon's
// own cannot be installed (EBUSY) and it must fall back to plain errno answers.
//   with_listener COMMAND [ARGS...]
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1000, 0, 1),  // a number nobody calls
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof code / sizeof code[0], code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 2;
  const long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  // Kept open across the exec, as a runtime holding it elsewhere would: the kernel forgets a
  // filter's listener once its last descriptor is closed.
  if (listener < 0 || fcntl((int)listener, F_SETFD, 0) != 0) {
    perror("with_listener: seccomp");
    return 2;
  }
  execv(argv[1], argv + 1);
  perror("with_listener: execv");
  return 2;
}
