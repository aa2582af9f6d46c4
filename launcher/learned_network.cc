#include "launcher/learned_network.h"

#include <string>
#include <vector>

#include "policy/suggest.h"

namespace cordon::launcher {

namespace {

constexpr std::uint16_t kDns = 53;  // cordon adds it itself to a port filter (DNS over TCP)
constexpr std::size_t kMaxPorts = 256;  // an app trying every port must not grow the launcher

std::vector<std::string> port_list(const std::set<std::uint16_t>& ports) {
  std::vector<std::string> out;
  for (std::uint16_t p : ports) out.push_back(std::to_string(p));
  return out;
}

}  // namespace

// A connect to the app's own loopback reaches the app's own listeners: only one to a port it did
// not bind itself needed the host (the host's 127.0.0.1 is another namespace's). That is decided
// in suggest(), when every bind is known.
void LearnedNetwork::note(const sandbox::AddressUse& use) {
  if (use.port == 0) return;  // bind: an ephemeral port, a client's; connect: nothing to say
  auto keep = [](std::set<std::uint16_t>& set, std::uint16_t port) {
    if (set.size() < kMaxPorts) set.insert(port);
  };
  if (use.syscall == "bind") {
    keep(bound_here_, use.port);
    if (!use.loopback && use.stream) keep(served_, use.port);
    return;
  }
  if (use.port == kDns) return;
  if (!use.stream) {
    // Only a datagram sent counts: connect() on a UDP socket sends nothing, and getaddrinfo()
    // connects one to each address it sorts (RFC 6724), to "::" even.
    if (use.syscall != "sendto" || use.any) return;
    if (use.loopback) keep(udp_loopback_, use.port);
    else udp_out_ = true;
    if (udp_example_ == 0) udp_example_ = use.port;
    return;
  }
  keep(use.loopback ? tcp_loopback_ : tcp_out_, use.port);
}

void LearnedNetwork::suggest(const plan::Plan& plan, policy::Amendment& add) const {
  if (plan.network != plan::NetworkMode::none) return;
  auto not_bound_here = [&](std::uint16_t p) { return !bound_here_.count(p); };
  bool needs_host = !tcp_out_.empty() || !served_.empty();
  for (std::uint16_t p : tcp_loopback_) needs_host = needs_host || not_bound_here(p);
  bool udp = udp_out_;
  for (std::uint16_t p : udp_loopback_) udp = udp || not_bound_here(p);
  // With the plug, the app's sockets are the host's, its own loopback connections included: each
  // port it connected to joins the filter.
  std::set<std::uint16_t> tcp = tcp_out_;
  if (needs_host) tcp.insert(tcp_loopback_.begin(), tcp_loopback_.end());
  if (udp) {  // the network without a filter: binding any port comes with it
    add.plugs.push_back({"network", {}, "sent UDP to port " + std::to_string(udp_example_) + ": a port filter is TCP only"});
    return;
  }
  if (!tcp.empty())
    add.plugs.push_back({"network", {{"connect-ports", policy::AddedValue(port_list(tcp), true)}},
                         "connected to TCP " + std::string(tcp.size() > 1 ? "ports " : "port ") + policy::join(port_list(tcp))});
  if (!served_.empty())
    add.plugs.push_back({"network-bind", {{"bind-ports", policy::AddedValue(port_list(served_), true)}},
                         "served on TCP " + std::string(served_.size() > 1 ? "ports " : "port ") + policy::join(port_list(served_))});
}

}  // namespace cordon::launcher
