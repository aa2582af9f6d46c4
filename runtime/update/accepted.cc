// The accepted-serial records (accepted.h).
#include "update/accepted.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <nlohmann/json.hpp>

#include "package/io.h"
#include "util/dirs.h"
#include "util/replace_file.h"
#include "util/unique_fd.h"

namespace cordon::update {

namespace {

using json = nlohmann::ordered_json;
constexpr std::string_view kStep = "update";

std::string record_name(const std::string& source) { return source + ".json"; }

Error unreadable(const std::string& path, const std::string& why) {
  return fail(kStep, path + ": " + why + "; this record is what refuses replayed older indexes, so cordon stops here "
                     "(remove it only if you accept that the next index from this source is trusted whatever its serial)");
}

}  // namespace

Result<Accepted> read_accepted(const std::string& state_dir, const std::string& source) {
  const std::string path = state_dir + "/" + record_name(source);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid() && errno == ENOENT) return Accepted{};
  if (!fd.valid()) return sys_fail(kStep, "open " + path);
  auto text = package::read_bounded(fd.get(), path, 64 * 1024);
  if (!text) return text.error();
  const json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return unreadable(path, "not a JSON object");
  Accepted a;
  const auto serial = doc.find("serial");
  const auto sha = doc.find("sha256");
  if (serial == doc.end() || !serial->is_number_unsigned() || sha == doc.end() || !sha->is_string())
    return unreadable(path, "no \"serial\" and \"sha256\"");
  a.serial = serial->get<std::uint64_t>();
  a.sha256 = sha->get<std::string>();
  if (auto e = doc.find("expires"); e != doc.end() && e->is_string()) a.expires = e->get<std::string>();
  if (auto w = doc.find("accepted"); w != doc.end() && w->is_string()) a.when = w->get<std::string>();
  if (auto r = doc.find("repository"); r != doc.end()) {
    if (!r->is_string()) return unreadable(path, "\"repository\" is not a string");
    a.repository = r->get<std::string>();
  }
  return a;
}

Result<void> record_accepted(const std::string& state_dir, const std::string& source, const VerifiedIndex& index,
                             std::time_t now) {
  CORDON_TRY(make_dirs(kStep, state_dir, 0700));
  UniqueFd dir(::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dir.valid()) return sys_fail(kStep, "open " + state_dir);
  const json record{{"serial", index.index.serial}, {"sha256", index.sha256}, {"repository", index.index.repository},
                    {"expires", utc_text(index.index.expires)}, {"accepted", utc_text(now)}};
  CORDON_TRY(replace_file_at(kStep, dir.get(), state_dir, record_name(source), record.dump(2) + "\n"));
  if (::fsync(dir.get()) != 0) return sys_fail(kStep, "fsync " + state_dir);
  return {};
}

}  // namespace cordon::update
