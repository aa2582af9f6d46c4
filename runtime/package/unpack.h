// Writing a verified package's tree into a folder. Does not choose or create the folder, move it
// into place or remove it on failure: that is the store's (it knows what "installed" means).
#pragma once

#include <string>

#include "package/open.h"
#include "util/result.h"

namespace cordon::package {

// Creates every entry beneath `dest_dir_fd` (an empty directory the caller made; any descriptor
// of it, O_PATH too): never following a symlink (openat with O_NOFOLLOW|O_EXCL, parents opened
// beneath with openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), writing each file's content from the
// copy while hashing it and refusing a mismatch with its manifest sha256 (naming the path),
// fsyncing every file and directory, and finally making the tree read-only: files 0444, or 0555
// when the manifest gives any execute bit; directories 0555, chmod'ed deepest first after their
// contents are written. Owner = the calling process (no chown). The folder itself keeps its mode.
// `dest_display` names the folder in errors. On failure the partial tree is left for the caller to
// remove; its folders are still 0700 then, unless the failure came in the final chmod pass.
Result<void> unpack(const OpenedPackage&, int dest_dir_fd, const std::string& dest_display);

}  // namespace cordon::package
