// Cost of one socket(AF_INET, SOCK_DGRAM) + close, in µs: the median of many single calls (each
// timed alone, so a scheduler hiccup moves one sample, not the result). Under cordon's network
// plug, socket() goes to the supervisor, which creates it in the host's network namespace and
// hands it in (docs/sandbox.md "Network"). bench/network.sh runs it inside and outside.
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? atoi(argv[1]) : 20000;
  double* sample = malloc(sizeof(double) * (size_t)n);
  if (!sample) return 1;
  for (int i = 0; i < n; ++i) {
    const double t0 = now_us();
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const double t1 = now_us();
    if (fd < 0) {
      perror("socket");
      return 1;
    }
    close(fd);
    sample[i] = t1 - t0;
  }
  qsort(sample, (size_t)n, sizeof(double), cmp);
  printf("socket_us median=%.2f p10=%.2f p90=%.2f n=%d\n", sample[n / 2], sample[n / 10], sample[n * 9 / 10], n);
  return 0;
}
