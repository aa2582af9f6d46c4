// Per-syscall cost in ns: getppid (no argument rule: the kernel's seccomp action cache can skip
// the filter) and ioctl(-1, FIONREAD) (ioctl has argument rules, so the filter runs). bench/syscalls.sh
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
int main(void){
  const long n=2000000; int x;
  for(int rep=0;rep<3;rep++){
  double t0=now(); for(long i=0;i<n;i++) syscall(SYS_getppid); double t1=now();
  for(long i=0;i<n;i++) syscall(SYS_ioctl,-1,FIONREAD,&x); double t2=now();
  printf("getppid=%.1f ioctl=%.1f\n",(t1-t0)/n,(t2-t1)/n);}
  return 0;}
