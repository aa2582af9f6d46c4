// Which network interfaces exist in the app's network namespace.
#include "probe_common.h"

int main(void) {
  FILE* f = fopen("/proc/net/dev", "r");
  if (!f) { printf("interfaces=%s\n", errno_name(errno)); return 0; }
  char line[512], names[4096] = "";
  int n = 0;
  while (fgets(line, sizeof line, f)) {
    if (++n <= 2) continue;  // headers
    char* colon = strchr(line, ':');
    if (!colon) continue;
    *colon = 0;
    char* name = line;
    while (*name == ' ') ++name;
    if (names[0]) strncat(names, ",", sizeof names - strlen(names) - 1);
    strncat(names, name, sizeof names - strlen(names) - 1);
  }
  fclose(f);
  printf("interfaces=%s\n", names);
  return 0;
}
