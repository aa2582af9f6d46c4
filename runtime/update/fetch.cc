// Fetcher (fetch.h): one bounded byte stream from a directory or from libcurl, into a sink that
// counts, hashes and stops at the declared size.
#include "update/fetch.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>

#include "package/digest.h"
#include "package/io.h"
#include "util/unique_fd.h"

#ifndef CORDON_VERSION
#error "CORDON_VERSION must be defined by the build"
#endif

namespace cordon::update {

namespace {

constexpr std::size_t kChunk = std::size_t{256} * 1024;
constexpr long kConnectTimeoutS = 20;
// Slower than kLowSpeedBytesPerS for kStallTimeoutS: the transfer has stalled, or is being dripped
// to hold the refresh (and its lock) for ever. 1 KiB/s is below any link a device refreshes over.
constexpr long kStallTimeoutS = 60;
constexpr long kLowSpeedBytesPerS = 1024;
constexpr long kIndexTimeoutS = 120;  // the whole index, however slow the link

// Where the bytes of one transfer go. Refuses (and makes the transfer stop) past `limit`.
struct Sink {
  std::uint64_t limit = 0;
  std::uint64_t received = 0;
  bool over = false;                                  // more than `limit` arrived
  std::optional<Error> failed;                        // writing them failed
  std::function<Result<void>(std::string_view)> take; // the bytes, in order

  bool add(std::string_view bytes) {
    if (bytes.size() > limit - received) {
      over = true;
      return false;
    }
    received += bytes.size();
    if (auto r = take(bytes); !r) {
      failed = r.error();
      return false;
    }
    return true;
  }
};

constexpr std::string_view kFailed = "fetch";  // neither the network's fault nor a refusal: cordon's or the setup's

Error unreachable(const std::string& what) { return fail(kUnreachable, what); }
Error refused(const std::string& what) { return fail(kRefused, what); }

}  // namespace

// libcurl's functions, resolved from libcurl.so.4 at run time. The handle stays open for the
// object's life; the pointers are typed from curl.h, so a call is checked as if linked.
class CurlLibrary {
 public:
  static Result<std::unique_ptr<CurlLibrary>> load() {
    void* handle = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      return fail(kFailed, std::string("load libcurl.so.4 for http and https sources (Debian: apt install libcurl4): ") +
                                ::dlerror());
    auto lib = std::unique_ptr<CurlLibrary>(new CurlLibrary(handle));
    if (!lib->resolve()) return fail(kFailed, "load libcurl.so.4: a function is missing; libcurl 7.85 or newer is needed");
    return lib;
  }
  CurlLibrary(const CurlLibrary&) = delete;
  CurlLibrary& operator=(const CurlLibrary&) = delete;
  ~CurlLibrary() { ::dlclose(handle_); }

  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;

 private:
  explicit CurlLibrary(void* handle) : handle_(handle) {}
  template <typename F>
  bool find(F& out, const char* name) {
    out = reinterpret_cast<F>(::dlsym(handle_, name));
    return out != nullptr;
  }
  bool resolve() {
    return find(easy_init, "curl_easy_init") && find(easy_setopt, "curl_easy_setopt") &&
           find(easy_perform, "curl_easy_perform") && find(easy_cleanup, "curl_easy_cleanup") &&
           find(easy_getinfo, "curl_easy_getinfo") && find(easy_strerror, "curl_easy_strerror") &&
           find(slist_append, "curl_slist_append") && find(slist_free_all, "curl_slist_free_all");
  }
  void* handle_;
};

namespace {

extern "C" std::size_t write_to_sink(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  return sink->add(std::string_view(data, n)) ? n : 0;  // 0 makes libcurl stop: CURLE_WRITE_ERROR
}

// A curl error as a failure of the right kind. An HTTP error is the source's: a server that is
// down (5xx) or that does not have the file (4xx: a wrong url, or a mirror that lags behind) is a
// source this refresh could not use, like one it could not reach; nothing is refused for it.
Error curl_error(CURLcode code, long http_status, const std::string& address, const char* detail, bool is_index) {
  const std::string why = address + ": " + detail;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return unreachable("cannot reach " + why);
    case CURLE_SSL_CONNECT_ERROR:  // nothing was fetched: as unreachable as a server that is down
      return unreachable("cannot reach " + why + " (the TLS handshake failed: does the server speak https on that port?)");
    case CURLE_PEER_FAILED_VERIFICATION:
      return unreachable("cannot reach " + why + " (the server's certificate could not be verified: a wrong host name, "
                         "an expired or self-signed certificate, or someone in between)");
    case CURLE_HTTP_RETURNED_ERROR: {
      std::string hint;
      if (http_status == 404 || http_status == 403)
        hint = is_index ? " (is the url the repository's folder, the one that holds index.json?)"
                        : " (the index names a file the server does not have: a publisher uploads the packages "
                          "before index.json, and a mirror may lag behind)";
      return unreachable("cannot fetch " + address + ": the server answered HTTP " + std::to_string(http_status) + hint);
    }
    case CURLE_UNSUPPORTED_PROTOCOL:  // a redirect to file://, ftp://, or from https to http
    case CURLE_TOO_MANY_REDIRECTS:
      return refused("cannot fetch " + why + ": a source is read over http or https only, and an https source "
                     "over https only, with at most 5 redirects");
    default:
      return fail(kFailed, "cannot fetch " + why);
  }
}

class EasyHandle {  // RAII for one transfer's handle and header list
 public:
  explicit EasyHandle(const CurlLibrary& lib) : lib_(lib), handle_(lib.easy_init()) {}
  EasyHandle(const EasyHandle&) = delete;
  EasyHandle& operator=(const EasyHandle&) = delete;
  ~EasyHandle() {
    if (handle_) lib_.easy_cleanup(handle_);
    if (headers_) lib_.slist_free_all(headers_);
  }
  CURL* get() const { return handle_; }
  curl_slist*& headers() { return headers_; }

 private:
  const CurlLibrary& lib_;
  CURL* handle_;
  curl_slist* headers_ = nullptr;
};

// The transfer options every fetch shares. false when libcurl refused one (too old a libcurl).
bool set_common_options(const CurlLibrary& lib, EasyHandle& easy, const std::string& url, Sink& sink,
                        char* error_buffer, bool is_index) {
  CURL* h = easy.get();
  bool ok = lib.easy_setopt(h, CURLOPT_URL, url.c_str()) == CURLE_OK;
  // Only http and https, redirects included: a redirect to file:// or another scheme is refused.
  ok = ok && lib.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
  // An https source is not redirected to plain http: what a device fetches stays private.
  const bool https = url.rfind("https://", 0) == 0;
  ok = ok && lib.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https") == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_MAXREDIRS, 5L) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_FAILONERROR, 1L) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutS) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerS) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, kStallTimeoutS) == CURLE_OK;
  if (is_index) ok = ok && lib.easy_setopt(h, CURLOPT_TIMEOUT, kIndexTimeoutS) == CURLE_OK;
  // A declared Content-Length above the limit is refused before the body is read.
  ok = ok && lib.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(sink.limit)) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_USERAGENT, "cordon/" CORDON_VERSION) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_WRITEFUNCTION, &write_to_sink) == CURLE_OK;
  ok = ok && lib.easy_setopt(h, CURLOPT_WRITEDATA, &sink) == CURLE_OK;
  if (is_index) {  // a cache between us and the publisher must not hand out a stale index
    easy.headers() = lib.slist_append(easy.headers(), "Cache-Control: no-cache");
    ok = ok && easy.headers() && lib.easy_setopt(h, CURLOPT_HTTPHEADER, easy.headers()) == CURLE_OK;
  }
  return ok;  // proxies: libcurl reads http_proxy, https_proxy, all_proxy and no_proxy itself
}

Result<void> transfer_url(const CurlLibrary& lib, const std::string& url, Sink& sink, bool is_index) {
  EasyHandle easy(lib);
  if (!easy.get()) return fail(kFailed, "start a transfer of " + url + ": libcurl could not allocate");
  char error_buffer[CURL_ERROR_SIZE] = {};
  if (!set_common_options(lib, easy, url, sink, error_buffer, is_index))
    return fail(kFailed, "set up the transfer of " + url + ": libcurl refused an option (libcurl 7.85 or newer is needed)");
  const CURLcode code = lib.easy_perform(easy.get());
  if (code == CURLE_OK || sink.over) return {};
  if (sink.failed) return *sink.failed;
  if (code == CURLE_FILESIZE_EXCEEDED) {
    sink.over = true;
    return {};
  }
  long status = 0;
  lib.easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
  return curl_error(code, status, url, error_buffer[0] ? error_buffer : lib.easy_strerror(code), is_index);
}

Result<void> transfer_file(const std::string& path, Sink& sink) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid() && (errno == ENOENT || errno == ENOTDIR || errno == EACCES))
    return unreachable("cannot open " + path + ": " + std::strerror(errno) + " (is the source's medium mounted?)");
  if (!fd.valid() && errno == ELOOP)
    return refused("cannot use " + path + ": it is a symbolic link; a source's files are read as they are, never through a link");
  if (!fd.valid()) return sys_fail(kFailed, "open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_fail(kFailed, "stat " + path);
  if (!S_ISREG(st.st_mode)) return refused("cannot use " + path + ": not a regular file");
  std::string buf(kChunk, '\0');
  for (;;) {
    auto got = package::read_some(fd.get(), buf.data(), buf.size(), path);
    if (!got) return got.error();
    if (*got == 0 || !sink.add(std::string_view(buf.data(), *got))) break;
  }
  if (sink.failed) return *sink.failed;
  return {};
}

}  // namespace

Fetcher::Fetcher(const Source& source) : source_(&source) {}
Fetcher::Fetcher(Fetcher&&) noexcept = default;
Fetcher& Fetcher::operator=(Fetcher&&) noexcept = default;
Fetcher::~Fetcher() = default;

Result<Fetcher> Fetcher::for_source(const Source& source) {
  Fetcher f(source);
  if (!source.url.empty()) {
    auto lib = CurlLibrary::load();
    if (!lib) return lib.error();
    f.curl_ = std::move(*lib);
  }
  return f;
}

Result<std::string> Fetcher::fetch_text(const std::string& file_name, std::size_t max_bytes) const {
  std::string out;
  Sink sink;
  sink.limit = max_bytes;
  sink.take = [&](std::string_view bytes) -> Result<void> {
    out.append(bytes);
    return {};
  };
  const std::string address = source_->address_of(file_name);
  CORDON_TRY(curl_ ? transfer_url(*curl_, address, sink, true) : transfer_file(address, sink));
  if (sink.over) return refused(address + ": larger than the limit of " + std::to_string(max_bytes) + " bytes; not read further");
  return out;
}

Result<Downloaded> Fetcher::fetch_package(const std::string& file_name, std::uint64_t size, const std::string& sha256,
                                          int out_fd, const Progress& progress) const {
  const std::string address = source_->address_of(file_name);
  package::Sha256 hash;
  Sink sink;
  sink.limit = size;
  sink.take = [&](std::string_view bytes) -> Result<void> {
    hash.update(bytes);
    CORDON_TRY(package::write_all(out_fd, bytes, "the download of " + address));
    if (progress) progress(sink.received, size);
    return {};
  };
  CORDON_TRY(curl_ ? transfer_url(*curl_, address, sink, false) : transfer_file(address, sink));
  if (sink.over)
    return refused(address + ": more than the " + std::to_string(size) + " bytes the index declares; the download "
                   "stopped there");
  if (sink.received != size)  // the connection closed early, or the file is shorter: either way, try later
    return unreachable("cannot fetch " + address + ": it ended after " + std::to_string(sink.received) + " of the " +
                       std::to_string(size) + " bytes the index declares (the connection closed early, or the file "
                       "on the server is shorter)");
  Downloaded out{sink.received, package::to_hex(hash.finish())};
  if (out.sha256 != sha256)
    return refused(address + ": its SHA-256 is " + out.sha256 + ", not the " + sha256 + " the index declares");
  return out;
}

}  // namespace cordon::update
