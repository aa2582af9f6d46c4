#!/bin/bash
# A multi-file C project built with make -j2 and gcc: compiler, assembler, linker, ar, parallel
# recipes (make switches ids around each one), a static library, and the result runs.
. "$(dirname "$0")/lib.sh"
mkdir -p proj/src && cd proj
step "write sources"
cat > src/util.h <<'C'
int add(int, int);
int mul(int, int);
const char *greet(void);
C
echo '#include "util.h"
int add(int a, int b) { return a + b; }' > src/add.c
echo '#include "util.h"
int mul(int a, int b) { int r = 0; for (int i = 0; i < b; i++) r = add(r, a); return r; }' > src/mul.c
echo '#include "util.h"
const char *greet(void) { return "hello"; }' > src/greet.c
cat > src/main.c <<'C'
#include <stdio.h>
#include <pthread.h>
#include "util.h"
static void *work(void *p) { *(int *)p = mul(6, 7); return NULL; }
int main(void) {
  int r = 0; pthread_t t;
  if (pthread_create(&t, NULL, work, &r) || pthread_join(t, NULL)) return 2;
  printf("%s %d\n", greet(), r);
  return r == 42 ? 0 : 1;
}
C
cat > Makefile <<'M'
CFLAGS = -O2 -Wall -Werror -MMD
OBJ = build/add.o build/mul.o build/greet.o
app: build/main.o build/libutil.a
	$(CC) -o $@ $^ -pthread
build/libutil.a: $(OBJ)
	$(AR) rcs $@ $^
build/%.o: src/%.c | build
	$(CC) $(CFLAGS) -c -o $@ $<
build:
	mkdir -p $@
-include build/*.d
M
step "make -j2"
make -j2 -s
step "run the program"
[ "$(./app)" = "hello 42" ] || fail "app printed $(./app)"
step "touch a header, make rebuilds"
sleep 1; touch src/util.h; make -j2 -s; ./app >/dev/null
step "make clean build with -j2 again"
rm -rf build app && make -j2 -s && ./app >/dev/null
echo "ok: built and ran a 4-file C project with make -j2"
