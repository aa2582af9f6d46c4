// How many processes can the app see, and can it signal pid 1 of the host's namespace view?
#include "probe_common.h"

#include <ctype.h>
#include <dirent.h>

int main(void) {
  DIR* d = opendir("/proc");
  int count = 0;
  struct dirent* e;
  while (d && (e = readdir(d)))
    if (isdigit((unsigned char)e->d_name[0])) ++count;
  if (d) closedir(d);
  printf("visible_pids=%d\n", count);
  return 0;
}
