#include "sandbox/network.h"

#include <unistd.h>

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "util/unique_fd.h"

namespace cordon::sandbox::network {

Result<void> bring_up_loopback() {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return sys_fail("network", "socket AF_INET for ip link set lo up");
  struct ifreq req {};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) return sys_fail("network", "ip link show lo");
  req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &req) != 0) return sys_fail("network", "ip link set lo up");
  return {};
}

Result<void> set_hostname(const std::string& name) {
  if (::sethostname(name.c_str(), name.size()) != 0) return sys_fail("uts", "hostname " + name);
  return {};
}

}  // namespace cordon::sandbox::network
