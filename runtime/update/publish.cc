// cordon publish (publish.h): packages in first, the index last.
#include "update/publish.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "package/digest.h"
#include "package/io.h"
#include "package/lifecycle.h"
#include "package/open.h"
#include "package/signing.h"
#include "package/store.h"
#include "util/dirs.h"
#include "update/fetch.h"
#include "util/unique_fd.h"

namespace cordon::update {

namespace {

constexpr std::string_view kStep = "publish";
constexpr std::size_t kChunk = std::size_t{256} * 1024;

// A new repository's id: 128 bits from the kernel's random source, as hex.
Result<std::string> new_repository_id() {
  unsigned char bytes[kRepositoryIdHex / 2];
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) return sys_fail(kStep, "getrandom");
  return package::to_hex(bytes, sizeof bytes);
}

// The repository's current index, verified with the publisher's key; an empty one when there is none.
Result<Index> current_index(int repo, const std::string& repo_path, const package::PublicKey& key) {
  const std::string path = repo_path + "/" + std::string(kIndexFile);
  UniqueFd fd(::openat(repo, std::string(kIndexFile).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid() && errno == ENOENT) return Index{};
  if (!fd.valid()) return sys_fail(kStep, "open " + path);
  auto text = package::read_bounded(fd.get(), path, kMaxIndexBytes);
  if (!text) return text.error();
  auto verified = verify_index(*text, key, path);
  if (!verified)
    return fail(kRefused, verified.error().op + "; `cordon publish` keeps a repository under the one index key that "
                                             "signed its index (key rotation is not built yet)");
  return std::move(verified->index);
}

Result<std::string> sha256_of_fd(int fd, const std::string& shown) {
  package::Sha256 hash;
  std::string buf(kChunk, '\0');
  for (;;) {
    auto got = package::read_some(fd, buf.data(), buf.size(), shown);
    if (!got) return got.error();
    if (*got == 0) break;
    hash.update(std::string_view(buf.data(), *got));
  }
  return package::to_hex(hash.finish());
}

// What one package given to publish turns into, decided before anything is written.
struct Candidate {
  package::OpenedPackage pkg;
  IndexEntry entry;
  bool already = false;     // the index offers exactly this file: nothing to do
  bool file_there = false;  // REPO/entry.file exists with these very bytes (a publish that died before its index)
  std::string old_key;      // the signer the index had for this app, when it differs
};

Result<bool> same_file_there(int repo, const std::string& repo_path, const IndexEntry& entry) {
  const std::string shown = repo_path + "/" + entry.file;
  UniqueFd existing(::openat(repo, entry.file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!existing.valid() && errno == ENOENT) return false;
  if (!existing.valid()) return sys_fail(kStep, "open " + shown);
  struct stat st {};
  if (::fstat(existing.get(), &st) != 0) return sys_fail(kStep, "stat " + shown);
  if (S_ISREG(st.st_mode)) {
    auto sha = sha256_of_fd(existing.get(), shown);
    if (!sha) return sha.error();
    if (*sha == entry.sha256) return true;
  }
  return fail(kRefused, shown + " exists with other contents; a published file is never overwritten (a device may "
                        "be downloading it): publish the change under a new version");
}

// Opens and judges one package against the index and the packages before it in this publish.
Result<Candidate> judge(int repo, const PublishInput& input, const std::string& path, const package::PublicKey& index_key,
                        const Index& index, const std::vector<Candidate>& batch) {
  auto pkg = package::open_package_any_signer(path, input.repo);
  if (!pkg) return fail(pkg.error().sys_errno ? kStep : kRefused, pkg.error().to_string());
  if (pkg->key.id == index_key.id)
    return fail(kRefused, path + ": signed by the index key itself; the key that signs packages and the key that signs "
                          "the index are separate roles, so that stealing one is not enough (sign packages with the "
                          "vendor key, the index with its own)");
  const std::string name = pkg->manifest.name;  // a copy: pkg is moved into the candidate below
  if (!package::valid_app_name(name)) return fail(kRefused, path + ": '" + name + "' is not an app name");
  for (const Candidate& c : batch)
    if (c.entry.name == name)
      return fail(kRefused, "two versions of " + name + " in one publish (" + c.entry.version + " and " +
                            pkg->manifest.version + "): an index offers one version of each app; publish the newest");
  struct stat st {};
  if (::fstat(pkg->copy.get(), &st) != 0) return sys_fail(kStep, "stat the private copy of " + path);
  Candidate c{std::move(*pkg), {}, false, false, ""};
  c.entry = IndexEntry{name, c.pkg.manifest.version, package_file_name(name, c.pkg.manifest.version),
                       static_cast<std::uint64_t>(st.st_size), c.pkg.sha256, c.pkg.key.id};
  if (const IndexEntry* offered = index.find(name)) {
    if (offered->sha256 == c.entry.sha256) {
      c.already = true;
      return c;
    }
    if (!package::version_newer(c.entry.version, offered->version))
      return fail(kRefused, path + ": " + name + " " + c.entry.version + " is not newer than " + offered->version +
                            ", which the index offers; devices never go down a version (to withdraw a release, "
                            "publish a higher one)");
    if (offered->key != c.entry.key) c.old_key = offered->key;
  }
  auto there = same_file_there(repo, input.repo, c.entry);
  if (!there) return there.error();
  c.file_there = *there;
  return c;
}

// Copies the verified package (its private copy) into the repository as entry.file: a new unnamed
// file, synced, then linked, which fails rather than replace a file that appeared meanwhile.
Result<void> place_package(int repo, const std::string& repo_path, const Candidate& c) {
  const std::string& name = c.entry.file;
  const std::string shown = repo_path + "/" + name;
  UniqueFd out(::openat(repo, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644));
  if (!out.valid()) return sys_fail(kStep, "open " + repo_path + " O_TMPFILE (the copy of " + name + ")");
  if (::fchmod(out.get(), 0644) != 0) return sys_fail(kStep, "chmod 0644 the copy of " + name);
  std::string buf(kChunk, '\0');
  for (std::uint64_t at = 0;;) {
    const ssize_t n = ::pread(c.pkg.copy.get(), buf.data(), buf.size(), static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_fail(kStep, "read the private copy of " + c.pkg.display);
    if (n == 0) break;
    CORDON_TRY(package::write_all(out.get(), std::string_view(buf.data(), static_cast<std::size_t>(n)), shown));
    at += static_cast<std::uint64_t>(n);
  }
  if (::fsync(out.get()) != 0) return sys_fail(kStep, "fsync " + shown);
  const std::string proc = "/proc/self/fd/" + std::to_string(out.get());
  if (::linkat(AT_FDCWD, proc.c_str(), repo, name.c_str(), AT_SYMLINK_FOLLOW) != 0)
    return sys_fail(kStep, "link " + shown);
  return {};
}

void put_entry(Index& index, const IndexEntry& entry) {
  auto at = std::lower_bound(index.apps.begin(), index.apps.end(), entry.name,
                             [](const IndexEntry& e, const std::string& n) { return e.name < n; });
  if (at != index.apps.end() && at->name == entry.name) *at = entry;
  else index.apps.insert(at, entry);
}

Result<void> write_index(int repo, const std::string& repo_path, const std::string& text) {
  const std::string tmp = "." + std::string(kIndexFile) + "." + std::to_string(::getpid()) + ".new";
  const std::string shown = repo_path + "/" + std::string(kIndexFile);
  UniqueFd fd(::openat(repo, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return sys_fail(kStep, "create " + repo_path + "/" + tmp);
  auto written = package::write_all(fd.get(), text, shown);
  if (written && (::fchmod(fd.get(), 0644) != 0 || ::fsync(fd.get()) != 0)) written = sys_fail(kStep, "write " + shown);
  if (written && ::renameat(repo, tmp.c_str(), repo, std::string(kIndexFile).c_str()) != 0)
    written = sys_fail(kStep, "mv " + tmp + " " + shown);
  if (!written) {
    ::unlinkat(repo, tmp.c_str(), 0);
    return written.error();
  }
  if (::fsync(repo) != 0) return sys_fail(kStep, "fsync " + repo_path);
  return {};
}

}  // namespace

Result<Published> publish(const PublishInput& input) {
  auto key = package::PrivateKey::load(input.key_pem);
  if (!key) return key.error();
  package::PublicKey index_key = key->public_key();
  index_key.file = input.key_pem;
  CORDON_TRY(make_dirs(kStep, input.repo, 0755));
  UniqueFd repo(::open(input.repo.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!repo.valid()) return sys_fail(kStep, "open " + input.repo);
  // One publish at a time per repository, from reading the index to replacing it: two at once
  // would both write the next serial, and one's packages would vanish from the index.
  if (::flock(repo.get(), LOCK_EX) != 0) return sys_fail(kStep, "flock " + input.repo);
  auto index = current_index(repo.get(), input.repo, index_key);
  if (!index) return index.error();
  if (index->repository.empty()) {  // the first publish into this folder names the repository
    auto id = new_repository_id();
    if (!id) return id.error();
    index->repository = *id;
  }
  // Every package judged before one is copied: a refusal leaves the repository as it was.
  std::vector<Candidate> batch;
  for (const std::string& path : input.packages) {
    auto c = judge(repo.get(), input, path, index_key, *index, batch);
    if (!c) return c.error();
    batch.push_back(std::move(*c));
  }
  Published out;
  for (const Candidate& c : batch) {
    if (c.already) {
      out.already.push_back(c.entry);
      continue;
    }
    if (!c.file_there) CORDON_TRY(place_package(repo.get(), input.repo, c));
    put_entry(*index, c.entry);
    out.added.push_back(c.entry);
    if (!c.old_key.empty()) out.new_signers.push_back({c.entry, c.old_key});
  }
  if (index->serial >= kMaxSerial) return fail(kStep, "raise the serial of " + input.repo + ": it is at its maximum");
  index->serial += 1;
  index->published = input.now;
  index->expires = input.now + input.valid_for_s;
  auto text = signed_index_file(*index, *key);
  if (!text) return text.error();
  CORDON_TRY(write_index(repo.get(), input.repo, *text));
  out.index = std::move(*index);
  return out;
}

}  // namespace cordon::update
