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
