// The app's /etc/resolv.conf when its network is filtered to TCP ports (plan.h PortFilter): the
// host's, with `options use-vc`, so that glibc's resolver asks its servers over TCP (port 53 joins
// the connect ports): UDP sockets are not made then, because Landlock cannot bound their ports.
#pragma once

#include <string>
#include <string_view>

namespace cordon::sandbox {

// `conf` with a line `options use-vc` added; the same text when an options line already says it.
std::string resolv_conf_over_tcp(std::string_view conf);

}  // namespace cordon::sandbox
