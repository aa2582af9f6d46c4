// The test builds' seams (CORDON_FAIL_AT, CORDON_KILL_AT, CORDON_LANDLOCK_ABI,
// CORDON_TEST_WRITABLE_BIND): variables a test sets to make a launch step fail, hang or see less of
// the kernel. Their code is in every build, but only a test build can switch it on: this file is
// compiled twice (runtime/CMakeLists.txt), once as `cordon_seams_on` that reads the variables and
// once as `cordon_seams_off` that never does. The cordon that is installed and packaged links the
// second, so no variable of the caller's can change what it does.
#pragma once

namespace cordon::test_seams {

// Whether this binary honours the seams (a test build).
bool enabled();

// The seam variable `name` (one of the four above) in a test build; nullptr otherwise.
const char* variable(const char* name);

}  // namespace cordon::test_seams
