// The app's own network namespace comes up with loopback only; every app has one, with the network
// plug too (its IP sockets come from the host's namespace: socket_broker.h).
#pragma once

#include <string>

#include "util/result.h"

namespace cordon::sandbox::network {

Result<void> bring_up_loopback();

// The app's name is its host name, in its own UTS namespace.
Result<void> set_hostname(const std::string& name);

}  // namespace cordon::sandbox::network
