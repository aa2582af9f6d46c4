// Does PATH exist, could it be written (W_OK as the effective user; nothing is written) and can
// it be opened for reading (a hidden file is /dev/null on a nodev mount: EACCES)?
#include "probe_common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    struct stat st;
    int exists = lstat(argv[i], &st) == 0 ? 0 : errno;
    int writable = faccessat(AT_FDCWD, argv[i], W_OK, AT_EACCESS) == 0 ? 0 : errno;
    int fd = open(argv[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int readable = fd >= 0 ? 0 : errno;
    if (fd >= 0) close(fd);
    printf("exists %s=%s\nwrite %s=%s\nread %s=%s\n", argv[i], errno_name(exists), argv[i], errno_name(writable),
           argv[i], errno_name(readable));
  }
  return 0;
}
