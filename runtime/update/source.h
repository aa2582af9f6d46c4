// Update sources: where a device fetches an index and its packages from, and the key the index
// must be signed by. One YAML file each, in /etc/cordon/sources (root's installs) or the user's
// $XDG_CONFIG_HOME/cordon/sources (a user's own), named NAME.yaml:
//
//   schema: 1
//   url: https://updates.example.com/stable/   # http or https; or instead:
//   # directory: /media/usb/cordon-repo        # a local folder (a USB stick, an NFS mount)
//   index-key: example-index.pub               # a file in the sources folder
//   apps: [sensor-reader]                      # optional: only these apps come from here
//   repository: 0f3c...(32 hex)                # optional: the repository id its index must carry
//
// Each file and its folder must be root's or the account's and writable by nobody else, as the
// trusted-key folders are: a source decides what gets installed. Unknown keys are errors at
// file:line:col, as in policies; so is a source that names neither or both of url and directory.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "package/keys.h"
#include "policy/diagnostics.h"
#include "util/result.h"

namespace cordon::update {

struct Source {
  std::string name;       // the file's name without .yaml: lowercase letters, digits, '-'
  std::string file;       // the YAML file it came from
  std::string url;        // with a trailing '/', or "" for a directory source
  std::string directory;  // absolute, or "" for a URL source
  package::PublicKey index_key;
  // `apps:`: the apps this source alone serves (sorted); empty: any app not bound elsewhere.
  std::vector<std::string> apps;
  // `repository:`: the id every index must carry; "" (unpinned): the one of the first index accepted.
  std::string repository;

  std::string location() const { return url.empty() ? directory : url; }
  // Where `file_name` (index.json, a package named by the index) is fetched from.
  std::string address_of(const std::string& file_name) const {
    return url.empty() ? directory + "/" + file_name : url + file_name;
  }
};

struct LoadedSources {
  std::vector<Source> sources;  // sorted by name
  policy::Diagnostics diags;    // errors of the YAML files, at file:line:col
  policy::SourceTexts texts;    // for rendering them
};

// Every NAME.yaml in `dir` (a missing folder has none). An error for a folder or file that breaks
// the ownership rule, is a link, or cannot be read; file content errors go to `diags`, and such a
// source is left out of `sources`, so that the caller refuses to go on (never a silent skip).
Result<LoadedSources> load_sources(const std::string& dir, uid_t owner_uid);

// One source from its text (for tests and the fuzzer: no ownership rules, and the index key is
// read with read_trusted_key_file only when `read_key`).
bool parse_source(const std::string& file, const std::string& text, const std::string& sources_dir, uid_t owner_uid,
                  bool read_key, Source& out, policy::Diagnostics& diags);

}  // namespace cordon::update
