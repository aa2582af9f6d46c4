// The one version order (package/version.h): Debian's, so that what a publisher means by "newer"
// is what a device installs. Each pair is checked both ways round, so an order that answered
// "newer" for everything, or for nothing, fails.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "package/version.h"

namespace {

namespace package = cordon::package;

void check_below(const std::string& low, const std::string& high) {
  CAPTURE(low);
  CAPTURE(high);
  CHECK(package::compare_versions(low, high) < 0);
  CHECK(package::compare_versions(high, low) > 0);
  CHECK(package::version_newer(high, low));
  CHECK_FALSE(package::version_newer(low, high));
}

}  // namespace

TEST_CASE("versions sort as Debian sorts them: ~ first, numbers as numbers, letters before signs") {
  const std::vector<std::string> ascending = {"1.0~rc1", "1.0~rc2", "1.0", "1.0a", "1.0+b1", "1.0.1", "1.9", "1.10", "2"};
  for (std::size_t i = 0; i + 1 < ascending.size(); ++i) check_below(ascending[i], ascending[i + 1]);
  check_below("1.0~~", "1.0~");
  check_below("9", "10");
  check_below("1.99999999999999999999", "1.100000000000000000000");  // longer than any integer type
}

TEST_CASE("equal versions are neither newer nor older, leading zeros included") {
  for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{{"1.2", "1.2"}, {"1.05", "1.5"}, {"0", "00"}}) {
    CAPTURE(a);
    CHECK(package::compare_versions(a, b) == 0);
    CHECK_FALSE(package::version_newer(a, b));
    CHECK_FALSE(package::version_newer(b, a));
  }
}
