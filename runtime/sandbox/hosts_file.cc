#include "sandbox/hosts_file.h"

#include <sstream>

namespace cordon::sandbox {

namespace {

// Whether a hosts(5) line lists `name` as one of its names (after the address, before a comment).
bool names(std::string_view line, std::string_view name) {
  line = line.substr(0, line.find('#'));
  std::istringstream words{std::string(line)};
  std::string address, word;
  if (!(words >> address)) return false;
  while (words >> word)
    if (word == name) return true;
  return false;
}

}  // namespace

std::optional<std::string> hosts_with_name(std::string_view hosts, std::string_view hostname) {
  std::size_t start = 0;
  while (start < hosts.size()) {
    const std::size_t end = std::min(hosts.find('\n', start), hosts.size());
    if (names(hosts.substr(start, end - start), hostname)) return std::nullopt;
    start = end + 1;
  }
  std::string out(hosts);
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += "127.0.1.1\t" + std::string(hostname) + "\t# the app's hostname, added by cordon\n";
  return out;
}

}  // namespace cordon::sandbox
