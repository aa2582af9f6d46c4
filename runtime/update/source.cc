// Update source files (source.h): read under the trusted-folder rules, parsed as strictly as policies.
#include "update/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "package/io.h"
#include "package/store.h"
#include "policy/fields.h"
#include "update/index.h"
#include "util/unique_fd.h"

namespace cordon::update {

namespace {

constexpr std::string_view kStep = "update";
constexpr std::size_t kMaxSourceBytes = 64 * 1024;
const std::vector<std::string> kSourceKeys{"schema", "url", "directory", "index-key", "apps", "repository"};

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// http:// or https://, a host, no spaces, quotes or control characters; the path is made to end
// with '/' so that "index.json" and package names go below it.
bool read_url(const policy::Reader& r, const policy::YamlNode& n, std::string& out) {
  auto url = r.string(n, "url");
  if (!url) return false;
  const bool http = url->rfind("http://", 0) == 0, https = url->rfind("https://", 0) == 0;
  const std::size_t host_at = https ? 8 : 7;
  bool clean = true;
  for (unsigned char c : *url) clean = clean && c > ' ' && c < 0x7f && c != '"' && c != '\\';
  if (!(http || https) || url->size() <= host_at || (*url)[host_at] == '/' || !clean || url->size() > 2048 ||
      url->find('?') != std::string::npos || url->find('#') != std::string::npos) {
    r.error(n, "url must be an http:// or https:// address of the repository's folder (no spaces, query or "
               "fragment), found '" + *url + "'");
    return false;
  }
  out = *url + (url->back() == '/' ? "" : "/");
  return true;
}

bool read_directory(const policy::Reader& r, const policy::YamlNode& n, std::string& out) {
  auto dir = r.string(n, "directory");
  if (!dir) return false;
  if (dir->empty() || (*dir)[0] != '/' || dir->find('\0') != std::string::npos) {
    r.error(n, "directory must be an absolute path, found '" + *dir + "'");
    return false;
  }
  out = dir->size() > 1 && dir->back() == '/' ? dir->substr(0, dir->size() - 1) : *dir;
  return true;
}

bool read_index_key(const policy::Reader& r, const policy::YamlNode& n, const std::string& sources_dir, uid_t owner,
                    bool read_key, package::PublicKey& out) {
  auto path = r.string(n, "index-key");
  if (!path) return false;
  // A file of the sources folder itself: that folder's rules (root's or the owner's, writable by
  // them alone) then hold for the key too, which they could not for a folder elsewhere.
  if (path->empty() || path->find('/') != std::string::npos || (*path)[0] == '.') {
    r.error(n, "index-key must be the name of a .pub file in the sources folder (" + sources_dir + "), found '" + *path + "'");
    return false;
  }
  const std::string full = sources_dir + "/" + *path;
  if (!read_key) {
    out.file = full;
    return true;
  }
  auto key = package::read_trusted_key_file(full, owner);
  if (!key) {
    r.error(n, "cannot use the index key: " + key.error().to_string());
    return false;
  }
  out = std::move(*key);
  return true;
}

// `apps: [NAME, ...]`: app names, at least one (an empty list would read as "any app").
void read_apps(const policy::Reader& r, const policy::YamlNode& n, std::vector<std::string>& out) {
  if (!r.sequence(n, "apps")) return;
  if (n.items.empty()) r.error(n, "apps lists the apps this source serves; leave it out to serve any app");
  for (const policy::YamlNode& item : n.items)
    if (auto name = r.name(item, "an app name in apps")) out.push_back(std::move(*name));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

// `repository: ID`: as `cordon publish` prints it, 32 lowercase hex digits.
void read_repository(const policy::Reader& r, const policy::YamlNode& n, std::string& out) {
  auto id = r.string(n, "repository");
  if (!id) return;
  const bool hex = id->size() == kRepositoryIdHex &&
                   std::all_of(id->begin(), id->end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!hex) return r.error(n, "repository must be the id `cordon publish` printed: 32 lowercase hex digits, found '" + *id + "'");
  out = *id;
}

// The source file, opened without following a link and checked like a trusted key file.
Result<std::string> read_source_file(int dir_fd, const std::string& name, const std::string& shown, uid_t owner) {
  auto fd = package::open_trusted_file(dir_fd, name, shown, owner, "a source");
  if (!fd) return fd.error();
  return package::read_bounded(fd->get(), shown, kMaxSourceBytes);
}

}  // namespace

bool parse_source(const std::string& file, const std::string& text, const std::string& sources_dir, uid_t owner_uid,
                  bool read_key, Source& out, policy::Diagnostics& diags) {
  const policy::Reader r{file, diags};
  const std::size_t errors_before = diags.error_count();
  auto root = policy::read_document(r, text, "update source", kSourceKeys);
  if (!root) return false;
  const policy::YamlNode* url = root->find("url");
  const policy::YamlNode* directory = root->find("directory");
  if (url && directory)
    diags.error(r.at(*directory), "an update source has url or directory, not both");
  else if (url)
    read_url(r, *url, out.url);
  else if (directory)
    read_directory(r, *directory, out.directory);
  else if (diags.error_count() == errors_before)  // else an unknown key said it better ("did you mean")
    diags.error(r.at(*root), "an update source needs url (http:// or https://) or directory (a local folder)");
  if (const policy::YamlNode* key = r.required(*root, "index-key", "update source"))
    read_index_key(r, *key, sources_dir, owner_uid, read_key, out.index_key);
  if (const policy::YamlNode* apps = root->find("apps")) read_apps(r, *apps, out.apps);
  if (const policy::YamlNode* repo = root->find("repository")) read_repository(r, *repo, out.repository);
  out.file = file;
  return diags.error_count() == errors_before;
}

Result<LoadedSources> load_sources(const std::string& dir, uid_t owner_uid) {
  LoadedSources out;
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() && errno == ENOENT) return out;
  if (!fd.valid()) return sys_fail(kStep, "open " + dir);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_fail(kStep, "stat " + dir);
  if (auto owned = package::check_trusted_owner(st, dir, owner_uid); !owned) {
    out.diags.error({dir, 0, 0}, "cannot use the sources in it: " + owned.error().to_string());
    return out;
  }
  auto names = package::names_in(fd.get(), dir);
  if (!names) return names.error();
  for (const std::string& name : *names) {
    const std::string shown = dir + "/" + name;
    if (ends_with(name, ".yml")) {  // never a silent skip of what someone meant as a source
      out.diags.error({shown, 0, 0}, "a source file's name ends in .yaml; this one is not read (rename it)");
      continue;
    }
    if (!ends_with(name, ".yaml")) continue;  // the index keys (.pub) and anything else beside the sources
    Source source;
    source.name = name.substr(0, name.size() - 5);
    if (!package::valid_app_name(source.name)) {
      out.diags.error({shown, 0, 0}, "a source's file name is NAME.yaml, NAME of lowercase letters, digits and '-'");
      continue;
    }
    auto text = read_source_file(fd.get(), name, shown, owner_uid);
    if (!text) {  // a source that cannot be trusted is a source error (exit 1), like one that does not parse
      out.diags.error({shown, 0, 0}, "cannot use it: " + text.error().to_string());
      continue;
    }
    out.texts[shown] = *text;
    if (parse_source(shown, *text, dir, owner_uid, true, source, out.diags)) out.sources.push_back(std::move(source));
  }
  return out;
}

}  // namespace cordon::update
