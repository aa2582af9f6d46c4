// Memory an app can take beside its heap: files in its writable tmpfs mounts, a memfd, a shared
// anonymous mapping. Each attempt runs in a child of its own (a cgroup may OOM-kill it) and
// touches every page. Prints, per attempt, `NAME=ok` or what stopped it (an errno name, or
// SIGKILL / SIGBUS), and `NAME_mib=` how far it got.
//   probe_memory tmpfs MIB DIR...   MIB spread evenly over the directories, 1 MiB at a time
//   probe_memory memfd MIB
//   probe_memory shared MIB
#include "probe_common.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024L * 1024L)

struct outcome {
  long mib;
  int err;
};

static char chunk[MIB];

static struct outcome write_mib(int fd, long mib) {
  struct outcome o = {0, 0};
  for (; o.mib < mib; ++o.mib)
    if (write(fd, chunk, MIB) != MIB) {
      o.err = errno ? errno : ENOSPC;
      break;
    }
  return o;
}

static struct outcome tmpfs(long mib, int ndirs, char** dirs) {
  struct outcome total = {0, 0};
  for (int i = 0; i < ndirs && !total.err; ++i) {
    char path[4096];
    snprintf(path, sizeof path, "%s/probe-memory", dirs[i]);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return (struct outcome){total.mib, errno};
    struct outcome o = write_mib(fd, mib / ndirs);
    close(fd);
    total.mib += o.mib;
    total.err = o.err;
  }
  return total;
}

static struct outcome memfd(long mib) {
  int fd = memfd_create("probe", MFD_CLOEXEC);
  if (fd < 0) return (struct outcome){0, errno};
  return write_mib(fd, mib);
}

static struct outcome shared(long mib) {
  char* p = mmap(NULL, (size_t)(mib * MIB), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return (struct outcome){0, errno};
  struct outcome o = {0, 0};
  for (; o.mib < mib; ++o.mib) memset(p + o.mib * MIB, 1, MIB);
  return o;
}

static void report(const char* name, int fds[2], pid_t pid) {
  struct outcome o = {0, 0};
  close(fds[1]);
  ssize_t n = read(fds[0], &o, sizeof o);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    printf("%s=%s\n", name, sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "signal");
    printf("%s_mib=?\n", name);
    return;
  }
  printf("%s=%s\n%s_mib=%ld\n", name, n == sizeof o ? errno_name(o.err) : "lost", name, o.mib);
}

int main(int argc, char** argv) {
  if (argc < 3) return 0;
  memset(chunk, 1, sizeof chunk);
  const long mib = atol(argv[2]);
  int fds[2];
  if (pipe(fds) != 0) return 0;
  pid_t pid = fork();
  if (pid == 0) {
    // Under a memory cgroup the OOM killer should pick this child, not the probe or the sandbox's
    // init (tmpfs and memfd pages belong to no process, so it might pick any of them).
    int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (adj >= 0 && write(adj, "1000", 4) != 4) _exit(1);
    struct outcome o = {0, EINVAL};
    if (strcmp(argv[1], "tmpfs") == 0) o = tmpfs(mib, argc - 3, argv + 3);
    if (strcmp(argv[1], "memfd") == 0) o = memfd(mib);
    if (strcmp(argv[1], "shared") == 0) o = shared(mib);
    if (write(fds[1], &o, sizeof o) != sizeof o) _exit(1);
    _exit(0);
  }
  if (pid > 0) report(argv[1], fds, pid);
  if (strcmp(argv[1], "tmpfs") == 0)
    for (int i = 3; i < argc; ++i) {
      char path[4096];
      snprintf(path, sizeof path, "%s/probe-memory", argv[i]);
      unlink(path);
    }
  return 0;
}
