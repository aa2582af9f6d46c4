#include "sandbox/cgroup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/write_text.h"

namespace cordon::sandbox {

namespace {

constexpr const char* kRoot = "/sys/fs/cgroup";

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Result<void> write_value(const std::string& path, const std::string& value) {
  return write_text("cgroup", path, value);
}

Result<void> make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return sys_fail("cgroup", "mkdir " + path);
  return {};
}

std::optional<std::uint64_t> limit_of(const std::vector<plan::Limit>& limits, const char* name) {
  for (const plan::Limit& l : limits)
    if (l.name == name) return l.value;
  return std::nullopt;
}

}  // namespace

Result<std::optional<AppCgroup>> AppCgroup::create(const std::string& app, const std::vector<plan::Limit>& limits) {
  const auto pids = limit_of(limits, "processes");
  const auto memory = limit_of(limits, "memory");
  if (!pids && !memory) return std::optional<AppCgroup>();
  AppCgroup cg;
  const std::string leaf = "cordon/" + app + "-" + std::to_string(::getpid());
  if (exists(std::string(kRoot) + "/cgroup.controllers")) {  // v2: one tree, controllers enabled on "cordon"
    CORDON_TRY(make_dir(std::string(kRoot) + "/cordon"));
    CORDON_TRY(write_value(std::string(kRoot) + "/cordon/cgroup.subtree_control", "+pids +memory"));
    const std::string dir = std::string(kRoot) + "/" + leaf;
    CORDON_TRY(make_dir(dir));
    cg.dirs_.push_back(dir);
    if (pids) CORDON_TRY(write_value(dir + "/pids.max", std::to_string(*pids)));
    if (memory) CORDON_TRY(write_value(dir + "/memory.max", std::to_string(*memory)));
    return std::optional<AppCgroup>(std::move(cg));
  }
  // v1: a hierarchy per controller, each with its own knob.
  auto v1 = [&](const char* controller, const char* knob, std::uint64_t value) -> Result<void> {
    const std::string base = std::string(kRoot) + "/" + controller;
    CORDON_TRY(make_dir(base + "/cordon"));
    const std::string dir = base + "/" + leaf;
    CORDON_TRY(make_dir(dir));
    cg.dirs_.push_back(dir);
    return write_value(dir + "/" + knob, std::to_string(value));
  };
  if (pids) CORDON_TRY(v1("pids", "pids.max", *pids));
  if (memory) CORDON_TRY(v1("memory", "memory.limit_in_bytes", *memory));
  return std::optional<AppCgroup>(std::move(cg));
}

Result<void> AppCgroup::add(pid_t pid) const {
  for (const std::string& dir : dirs_) CORDON_TRY(write_value(dir + "/cgroup.procs", std::to_string(pid)));
  return {};
}

AppCgroup::~AppCgroup() {
  for (const std::string& dir : dirs_) ::rmdir(dir.c_str());
}

}  // namespace cordon::sandbox
