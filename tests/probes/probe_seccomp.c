// Tries what the seccomp filter must stop, each once, and prints what happened. Run outside the
// sandbox it is the positive control: the same calls get past (or fail for another reason).
#include "probe_common.h"

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void report(const char* what, long rc) { printf("%s=%s\n", what, rc < 0 ? errno_name(errno) : "ok"); }

// Runs `fn` in a child and says how the child ended: "ok", an errno name, or "killed:SIGNAME".
static void in_child(const char* what, long (*fn)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    long rc = fn();
    _exit(rc < 0 ? (errno & 0x7f) : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) printf("%s=killed:%s\n", what, sigabbrev_np(WTERMSIG(status)));
  else printf("%s=%s\n", what, WEXITSTATUS(status) ? errno_name(WEXITSTATUS(status)) : "ok");
}

static long int80_getpid(void) {  // the i386 ABI: eax=20 (getpid) through int 0x80
  long ret = 20;
  __asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
  return ret < 0 ? (errno = (int)-ret, -1) : 0;
}
static long x32_getpid(void) { return syscall(0x40000000 | SYS_getpid); }
static long new_user_ns(void) {
  long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, 0);
  return pid;
}
static long unshare_user(void) { return unshare(CLONE_NEWUSER); }
static void* nothing(void* arg) { return arg; }

static void report_socket(const char* what, int family, int type, int protocol) {
  int fd = socket(family, type | SOCK_CLOEXEC, protocol);
  report(what, fd);
  if (fd >= 0) close(fd);
}

// io_setup: in no default set; the async-io interface grants it.
static long aio_context(void) {
  aio_context_t ctx = 0;
  long rc = syscall(SYS_io_setup, 1, &ctx);
  if (rc == 0) syscall(SYS_io_destroy, ctx);
  return rc;
}

int main(void) {
  char c = 'x';
  report("tiocsti", syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI, &c));  // EPERM by the filter, EBADF without
  report("tiocsti_high", syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI | (1ul << 32), &c));
  report("fionread", syscall(SYS_ioctl, -1, (unsigned long)FIONREAD, &c));  // allowed: EBADF in both
  report("clone3", syscall(SYS_clone3, NULL, 0));  // ENOSYS by the filter, EINVAL without
  pthread_t t;
  int err = pthread_create(&t, NULL, nothing, NULL);  // glibc falls back to clone when clone3 is ENOSYS
  if (err == 0) pthread_join(t, NULL);
  printf("thread=%s\n", errno_name(err));
  in_child("clone_newuser", new_user_ns);
  in_child("unshare_user", unshare_user);
  in_child("int80", int80_getpid);
  in_child("x32", x32_getpid);
  report_socket("netlink_route", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);  // getifaddrs: the app's own namespace
  report_socket("netlink_audit", AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);  // host-wide: refused
  report_socket("inet", AF_INET, SOCK_DGRAM, 0);                        // the app's own loopback
  report_socket("inet6", AF_INET6, SOCK_STREAM, 0);
  report_socket("packet", AF_PACKET, SOCK_DGRAM, 0);                    // EPERM unfiltered too, unless root
  report_socket("inet_packet", AF_INET, SOCK_PACKET, 0);                // AF_PACKET by another spelling
  report_socket("inet_proto2", AF_INET, SOCK_STREAM, 2);                // not TCP, UDP or ping: EPROTONOSUPPORT unfiltered
  report_socket("unix", AF_UNIX, SOCK_STREAM, 0);
  int pair[2];
  report("socketpair_packet", socketpair(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair));  // the family rule covers socketpair
  report("socketpair_inet", socketpair(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, pair));      // only AF_UNIX makes pairs
  report("aio", aio_context());  // a call only a plug grants (async-io)
  report("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));  // denied to every app
  struct io_uring_params params = {0};
  report("io_uring", syscall(SYS_io_uring_setup, 1, &params));
  void* wx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  report("mmap_wx", wx == MAP_FAILED ? -1 : 0);  // denied only under memory-deny-write-execute
  report("personality_exec", personality(READ_IMPLIES_EXEC));  // last: outside it changes this probe
  FILE* f = fopen("/proc/1/status", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "Seccomp:", 8) == 0) printf("pid1_seccomp=%d\n", atoi(line + 8));
  if (f) fclose(f);
  return 0;
}
