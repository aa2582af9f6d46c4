// The app's own network namespace comes up with loopback only (no plug, no host network).
#pragma once

#include "util/result.h"

namespace cordon::sandbox::network {

Result<void> bring_up_loopback();

}  // namespace cordon::sandbox::network
