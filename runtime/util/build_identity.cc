#include "util/build_identity.h"

#include <sys/stat.h>

namespace cordon {

namespace {

std::string read_identity() {
  struct stat st {};
  if (::stat("/proc/self/exe", &st) != 0) return {};
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + " " +
         std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
}

}  // namespace

const std::string& executable_identity() {
  static const std::string identity = read_identity();  // constant for the process's life
  return identity;
}

}  // namespace cordon
