// Who the app is: uid, gid, capability sets, no_new_privs, hostname, pid, descriptors above 2.
#include "probe_common.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

static void status_lines(void) {
  FILE* f = fopen("/proc/self/status", "r");
  if (!f) { printf("status=%s\n", errno_name(errno)); return; }
  char line[256];
  while (fgets(line, sizeof line, f)) {
    static const char* keys[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; ++i)
      if (strncmp(line, keys[i], strlen(keys[i])) == 0) {
        char* v = line + strlen(keys[i]);
        while (*v == ' ' || *v == '\t') ++v;
        v[strcspn(v, "\n")] = 0;
        printf("%.*s=%s\n", (int)strlen(keys[i]) - 1, keys[i], v);
      }
  }
  fclose(f);
}

static void extra_fds(void) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) { printf("fds=%s\n", errno_name(errno)); return; }
  int self = dirfd(d), count = 0;
  struct dirent* e;
  while ((e = readdir(d))) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] != '.' && fd > 2 && fd != self) ++count;
  }
  closedir(d);
  printf("extra_fds=%d\n", count);
}

int main(void) {
  char host[256] = "";
  gethostname(host, sizeof host);
  printf("uid=%u\ngid=%u\nhostname=%s\npid=%d\n", getuid(), getgid(), host, getpid());
  status_lines();
  extra_fds();
  return 0;
}
