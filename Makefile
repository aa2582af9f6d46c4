# The newcomer's entry point. Everything real lives in CMake (CMakePresets.json); this file only
# chains install, build and run so that one command does each job.
.PHONY: demo test check build deps asan fuzz compat clean

JOBS ?= $(shell nproc)
export CMAKE_BUILD_PARALLEL_LEVEL = $(JOBS)

deps:
	@scripts/install-deps.sh
	@tests/compat/install-deps.sh

build: deps
	cmake --preset ci >/dev/null
	cmake --build --preset ci -j $(JOBS)

# Builds cordon and shows what it makes of a real example app (README, first command).
demo: build
	@scripts/demo.sh build-ci/bin/cordon

# Fast loop for developers: the build with warnings as errors, then every ctest test.
check: build
	@scripts/ensure-test-user.sh
	ctest --preset ci
	@scripts/show-skips.sh build-ci

asan: deps
	@scripts/ensure-test-user.sh
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan
	@scripts/show-skips.sh build-asan

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	tests/fuzz/run_fuzz.sh 60

# The whole compatibility suite (docs/compat.md): every workload unconfined, under bwrap and under
# cordon, as root and as the test user; `make check` runs its CI subset.
compat: build
	@scripts/ensure-test-user.sh
	/usr/bin/python3 tests/compat/run_compat.py --cordon build-ci/bin/cordon --subset all --json build-ci/compat.json

# Everything CI runs (README, second command): tests, the ASan/UBSan run, 60 s of fuzzing.
test: check asan fuzz

clean:
	rm -rf build build-ci build-asan build-fuzz
