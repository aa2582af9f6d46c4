// Compiled twice: with CORDON_FAULT_INJECTION (test builds) and without (test_seams.h).
#include "util/test_seams.h"

#include <cstdlib>

namespace cordon::test_seams {

#ifdef CORDON_FAULT_INJECTION
bool enabled() { return true; }
const char* variable(const char* name) { return std::getenv(name); }
#else
bool enabled() { return false; }
const char* variable(const char*) { return nullptr; }
#endif

}  // namespace cordon::test_seams
