// The app's /etc/hosts: the host's, with the app's hostname added. Inside, gethostname() is the
// app's name (plan.hostname), which the host's file does not list; programs that resolve their own
// name (Java's InetAddress.getLocalHost, CPython's tests, Erlang's node names) would then fail where
// bubblewrap, which keeps the host's name, has them succeed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cordon::sandbox {

// `hosts` with a line `127.0.1.1 NAME` added (Debian's address for the machine's own name, on
// loopback), or nothing when a line already names it.
std::optional<std::string> hosts_with_name(std::string_view hosts, std::string_view hostname);

}  // namespace cordon::sandbox
