// The app's /etc/hosts: the host's lines kept, the app's hostname added once.
#include <doctest/doctest.h>

#include "sandbox/hosts_file.h"

using cordon::sandbox::hosts_with_name;

TEST_CASE("hosts: the host's lines stay, the app's name is added on 127.0.1.1") {
  const std::string host = "127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\tlocalhost ip6-localhost\n";
  const auto out = hosts_with_name(host, "shell");
  REQUIRE(out);
  CHECK(out->rfind(host, 0) == 0);
  CHECK(out->find("\n127.0.1.1\tshell\t#") != std::string::npos);
  CHECK(hosts_with_name("127.0.0.1 localhost", "a")->find("localhost\n127.0.1.1\ta\t") != std::string::npos);  // no final newline
  CHECK(*hosts_with_name("", "a") == "127.0.1.1\ta\t# the app's hostname, added by cordon\n");
}

TEST_CASE("hosts: a name already listed is not added again; comments and prefixes do not count") {
  CHECK_FALSE(hosts_with_name("10.0.0.5 web shell\n", "shell"));
  CHECK_FALSE(hosts_with_name("  127.0.0.1\tshell # mine\n", "shell"));
  CHECK(hosts_with_name("# 127.0.0.1 shell\n", "shell"));
  CHECK(hosts_with_name("127.0.0.1 shell-2 myshell\n", "shell"));
  CHECK(hosts_with_name("shell\n", "shell"));  // an address alone names nothing
}
