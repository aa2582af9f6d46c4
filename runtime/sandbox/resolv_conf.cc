#include "sandbox/resolv_conf.h"

#include <sstream>

namespace cordon::sandbox {

std::string resolv_conf_over_tcp(std::string_view conf) {
  std::istringstream lines{std::string(conf)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string word;
    if (!(words >> word) || word != "options") continue;
    while (words >> word)
      if (word == "use-vc" || word == "usevc" || word == "tcp") return std::string(conf);
  }
  std::string out(conf);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + "# cordon: names are resolved over TCP (the app's network is TCP ports only)\noptions use-vc\n";
}

}  // namespace cordon::sandbox
