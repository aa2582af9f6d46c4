// Learn mode's network half (`cordon run --complain --suggest`, docs/seccomp.md "Learn mode"): an
// app whose Plan has no network (its own namespace, loopback only) that connects to an address
// outside it, or serves on one, gets the network plug it needed suggested, narrowed to the TCP
// ports it used (`network: {connect-ports: [...]}`, `network-bind: {bind-ports: [...]}`), or plain
// `network` when it sent UDP elsewhere than to DNS.
#pragma once

#include <cstdint>
#include <set>

#include "plan/plan.h"
#include "policy/amend.h"
#include "sandbox/address_use.h"

namespace cordon::launcher {

class LearnedNetwork {
 public:
  void note(const sandbox::AddressUse& use);
  // Nothing when the Plan already has the network (`host`): its ports are Landlock's to refuse.
  void suggest(const plan::Plan& plan, policy::Amendment& add) const;
  bool empty() const { return tcp_out_.empty() && tcp_loopback_.empty() && udp_loopback_.empty() && served_.empty() && !udp_out_; }

 private:
  std::set<std::uint16_t> tcp_out_, tcp_loopback_, udp_loopback_;  // ports connected to (not DNS's)
  std::set<std::uint16_t> served_;      // TCP ports bound on an address other than loopback
  std::set<std::uint16_t> bound_here_;  // every port the app bound itself
  bool udp_out_ = false;                // a datagram (not DNS) to an address outside the app's loopback
  std::uint16_t udp_example_ = 0;       // the first such datagram's port, for the suggestion's words
};

}  // namespace cordon::launcher
