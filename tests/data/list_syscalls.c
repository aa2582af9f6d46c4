// Prints every syscall name libseccomp knows for x86_64, one per line, sorted (byte order),
// so tests can check that policies/syscall-sets.yaml places each of them exactly once.
// Build: cc -o list_syscalls list_syscalls.c -lseccomp
// Names libseccomp knows only for other architectures (socketcall, _llseek, ...) resolve to
// negative pseudo-numbers on x86_64 and are not listed: they cannot reach this kernel's table.
#include <seccomp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// x86_64 numbers end near 460 today; the x32 range starts at 0x40000000 and is not asked for.
enum { kMaxSyscall = 1000, kMaxNames = kMaxSyscall + 1 };

static int by_name(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

int main(void) {
  char* names[kMaxNames];
  size_t count = 0;
  for (int nr = 0; nr <= kMaxSyscall; nr++) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
    if (name != NULL) names[count++] = name;
  }
  if (count == 0) {
    fputs("list_syscalls: libseccomp resolved no x86_64 syscall numbers\n", stderr);
    return 1;
  }
  qsort(names, count, sizeof names[0], by_name);
  for (size_t i = 0; i < count; i++) {
    if (printf("%s\n", names[i]) < 0) return 1;
    free(names[i]);
  }
  return fflush(stdout) == 0 ? 0 : 1;
}
