// The dbus plug's proxy: its command line and the bus addresses cordon accepts.
#include <doctest/doctest.h>

#include "sandbox/dbus_proxy.h"

namespace {

cordon::plan::DbusProxy proxy(const std::string& bus) {
  return cordon::plan::DbusProxy{bus, {"org.example.Talk", "org.mpris.MediaPlayer2.*"}, {"org.example.Mine"}, {}};
}

}  // namespace

TEST_CASE("xdg-dbus-proxy gets the bus, the socket, --filter and one option per name") {
  CHECK(cordon::sandbox::dbus_proxy_argv(proxy("session"), "unix:path=/run/user/1000/bus", "/tmp/x/bus") ==
        std::vector<std::string>{"xdg-dbus-proxy", "unix:path=/run/user/1000/bus", "/tmp/x/bus", "--filter",
                                 "--talk=org.example.Talk", "--talk=org.mpris.MediaPlayer2.*", "--own=org.example.Mine",
                                 "--fd=3"});
}

TEST_CASE("only a unix:path= session bus is proxied; the system bus is the system's") {
  cordon::sandbox::LaunchContext ctx;
  CHECK_FALSE(cordon::sandbox::dbus_bus_address(proxy("session"), ctx).ok());  // unset
  ctx.dbus_session_address = "unix:abstract=/tmp/dbus-XYZ";
  CHECK_FALSE(cordon::sandbox::dbus_bus_address(proxy("session"), ctx).ok());
  ctx.dbus_session_address = "unix:path=/run/user/1000/bus,guid=1;tcp:host=x";
  CHECK_FALSE(cordon::sandbox::dbus_bus_address(proxy("session"), ctx).ok());
  ctx.dbus_session_address = "unix:path=/run/user/1000/bus";
  CHECK(*cordon::sandbox::dbus_bus_address(proxy("session"), ctx) == "unix:path=/run/user/1000/bus");
  CHECK(*cordon::sandbox::dbus_bus_address(proxy("system"), ctx) == "unix:path=/run/dbus/system_bus_socket");
}
