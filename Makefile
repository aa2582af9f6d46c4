# The newcomer's entry point. Everything real lives in CMake (CMakePresets.json); this file only
# chains install, build and run so that one command does each job. README.md says what each does.
.PHONY: demo test check integration compat-ci build deps asan fuzz compat deb clean
# One job at a time: the parallelism is inside each build (-j $(JOBS)), and the launch tests share
# /var/lib/cordon and the test user, so `make -j test` must not run two suites at once.
.NOTPARALLEL:

JOBS ?= $(shell nproc)
export CMAKE_BUILD_PARALLEL_LEVEL = $(JOBS)

# The Debian packages to build and test (apt-get, as root; nothing when all are there).
deps:
	@scripts/install-deps.sh
	@tests/compat/install-deps.sh

# Configure and build with warnings as errors; installs nothing (run `make deps` once first).
build:
	cmake --preset ci >/dev/null
	cmake --build --preset ci -j $(JOBS)

# Builds cordon and shows what it makes of a real example app (README, first command).
demo: deps build
	@scripts/demo.sh build-ci/bin/cordon

# The quick developer loop: the build, then the tests that launch no sandbox (unit, CLI, schema,
# hostile input, the syscall-set catalogue). No apt, no test user, no integration or compat suite.
check: build
	ctest --preset ci --label-exclude 'integration|compat'; status=$$?; scripts/show-skips.sh build-ci; exit $$status

# The sandbox tests: every integration test launched as root and as the test user (created here if
# missing), one ctest line each; a skip's reason is printed after the run.
integration: build
	@scripts/ensure-test-user.sh
	ctest --preset ci --label-regex integration; status=$$?; scripts/show-skips.sh build-ci; exit $$status

# The compatibility suite's CI subset (about 5 minutes): real programs under bwrap and
# under cordon, as root and as the test user (the unconfined control is `make compat`'s).
compat-ci: build
	@scripts/ensure-test-user.sh
	ctest --preset ci --label-regex compat

# Every test of the ci build again with ASan and UBSan (integration included, compat not). Two at a
# time: the integration tests still take turns (RESOURCE_LOCK cordon_host_state), while the
# hostile-input, CLI and unit tests run beside them (about 110 s less on 2 cores). The integration
# tests take turns, so their sum is this stage's time: here every concern runs as root, and as the
# test user only those whose code differs for a user — identity (one user namespace, no private
# ids), paths (homes, XDG state), launcher (the user's state folders, forget, the status fd) and
# cache (the user's cache). The other concerns run the same sandbox code for both (only the ids
# mapped differ); the ci stage runs every one of them in both modes, and under the sanitizers their
# user runs cost about 250 s that CI's 30 minutes do not have. The JSON Schema tests run no cordon
# code but the loader's verdicts (43 s under the sanitizers for schema_agrees_with_loader), which
# the ci stage checks already; the loader's memory is exercised here by the bad-file and
# hostile-input tests.
ASAN_USER_SKIP := connections|dbus|fault_injection|filesystem|interfaces|landlock|learn|lifecycle|limits|network|ports|seccomp|slots|updates|workloads
ASAN_SKIP := integration\.user\.($(ASAN_USER_SKIP))\.|^schema_
asan: deps
	@scripts/ensure-test-user.sh
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) -E '$(ASAN_SKIP)'; status=$$?; scripts/show-skips.sh build-asan; exit $$status

# 45 s of fuzzing the policy loader and, at the same time on the other core, the package reader;
# each after replaying every saved finding. Fails if either finds anything.
fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	tests/fuzz/run_fuzz.sh 45 fuzz_package & package=$$!; \
	  tests/fuzz/run_fuzz.sh 45 fuzz_policy; policy=$$?; wait $$package; package=$$?; \
	  test $$policy -eq 0 && test $$package -eq 0

# The whole compatibility suite (docs/compat.md): every workload unconfined, under bwrap and under
# cordon, as root and as the test user; `make test` runs its CI subset.
compat: deps build
	@scripts/ensure-test-user.sh
	/usr/bin/python3 tests/compat/run_compat.py --cordon build-ci/bin/cordon --subset all --json build-ci/compat.json

# The Debian package (build-ci/packages/cordon_VERSION_ARCH.deb): what `cmake --install` puts under
# /usr, with the cordon that has no test seams (docs/install.md).
deb: deps build
	cd build-ci && cpack -G DEB -B packages

# Everything CI runs (README, second command), in this order.
test: deps check integration compat-ci asan fuzz

clean:
	rm -rf build build-ci build-asan build-fuzz
