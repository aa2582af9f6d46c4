// Which plug would grant a denied call: the words of the denial diagnostics and of --suggest.
#include <doctest/doctest.h>

#include "app/grants.h"
#include "support.h"

TEST_CASE("the grant index names the plugs that add a syscall or a socket family") {
  const auto index = cordon::app::GrantIndex::build(cordon::test::shipped_paths());
  CHECK(index.plugs_for_family("AF_UNIX").empty());     // every app has it already
  CHECK(index.plugs_for_family("AF_INET").empty());     // base has it (the app's own loopback)
  CHECK(index.plugs_for_syscall("io_setup") == std::vector<std::string>{"async-io"});
  CHECK(index.plugs_for_family("AF_PACKET").empty());   // no interface grants it
  CHECK(index.plugs_for_syscall("getppid").empty());    // in the base already
  CHECK(index.denied_to_all("unshare").has_value());
  CHECK_FALSE(index.denied_to_all("ptrace").has_value());
  CHECK(index.in_some_set("ptrace"));
}

TEST_CASE("learn mode: the grant index names the plug that would show a file or a device") {
  using Plug = cordon::app::GrantIndex::PathPlug;
  const auto index = cordon::app::GrantIndex::build(cordon::test::shipped_paths());
  auto plug = [&](const std::string& path, bool write) { return index.plug_for_path(path, write, "/home/u"); };
  auto named = [](const std::optional<Plug>& p) { return p ? p->plug : std::string("none"); };
  CHECK(named(plug("/home/u/notes.txt", false)) == "home");
  CHECK(plug("/home/u/notes.txt", false)->attributes.empty());  // read-only is home's default
  REQUIRE(plug("/home/u/notes.txt", true));
  CHECK(plug("/home/u/notes.txt", true)->attributes == std::vector<std::pair<std::string, std::string>>{{"access", "read-write"}});
  CHECK(named(plug("/home/u/.ssh/id_rsa", false)) == "none");  // home hides it: no plug grants it
  CHECK(named(plug("/home/other/notes.txt", false)) == "none");
  CHECK(named(plug("/media/usb/photo.jpg", false)) == "removable-media");
  CHECK(plug("/media/usb/photo.jpg", false)->attributes == std::vector<std::pair<std::string, std::string>>{{"access", "read-only"}});
  CHECK(plug("/media/usb/photo.jpg", true)->attributes.empty());  // read-write is its default
  // Device templates: the attribute values come out of the path, and only a path the attribute's
  // pattern takes matches.
  REQUIRE(plug("/dev/ttyUSB0", true));
  CHECK(plug("/dev/ttyUSB0", true)->plug == "serial-port");
  CHECK(plug("/dev/ttyUSB0", true)->attributes == std::vector<std::pair<std::string, std::string>>{{"path", "/dev/ttyUSB0"}});
  CHECK(named(plug("/dev/sda", true)) == "none");
  CHECK(named(plug("/dev/pts/3", true)) == "none");
  REQUIRE(plug("/dev/spidev0.1", true));
  CHECK(plug("/dev/spidev0.1", true)->attributes ==
        std::vector<std::pair<std::string, std::string>>{{"bus", "0"}, {"chip-select", "1"}});
  CHECK(named(plug("/dev/i2c-3", true)) == "i2c");
  CHECK(named(plug("/srv/data.txt", false)) == "none");
}
