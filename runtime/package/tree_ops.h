// Whole-folder operations for the store: copying an app's data into a snapshot and back, swapping
// two folders in one step, and deleting a folder so that no half-deleted one is ever seen under
// its name. The data copied is the app's own, so the app may have shaped it against us: nothing
// here follows a symbolic link, crosses into another filesystem, or recurses without a bound.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"

namespace cordon::package {

struct CopyStats {
  std::uint64_t files = 0, bytes = 0;
  // Entries left out: sockets and device nodes (not data), and what cordon could not read (a file
  // the app made unreadable, a tree deeper than 256, a file swapped while it was copied).
  std::uint64_t skipped = 0;
  std::vector<std::string> notes;  // the first 20 of them, "PATH: why"
};

// Copies the folder `from` to the new folder `to` (which must not exist; its parent must):
// regular files (holes kept, a multiply-linked file copied once and linked), folders, symbolic
// links (as links) and FIFOs, with their modes, owners (when root) and modification times. Files
// are cloned where the filesystem can (FICLONE), else copied with copy_file_range. Synced (syncfs)
// before it returns. What cannot be read, lies deeper than 256 folders or on another filesystem is
// left out and counted in `skipped` (an app must not block its own refresh); only a failure to
// write the copy is an error.
Result<CopyStats> copy_tree(const std::string& from, const std::string& to);

// renameat2(RENAME_EXCHANGE): `a` and `b` trade places in one step; both must exist.
Result<void> exchange(const std::string& a, const std::string& b);

// Renames `path` to a hidden name beside it, syncs the parent, then deletes it: a crash leaves
// either the whole folder or a hidden leftover that the next cleanup removes. A missing path is no
// error, and neither is what could not be deleted (an app still writing into its data): it stays
// hidden for the next cleanup. Never follows a link, never chmods by name.
Result<void> remove_tree(const std::string& path);

// A hidden name beside `base` for work in progress: ".KIND-BASE.RANDOM" (KIND: "new" or "trash").
std::string hidden_name(const std::string& kind, const std::string& base);

// Deletes the hidden leftovers of `base` in `dir` (".new-BASE.*", ".trash-BASE.*"): what a killed
// command left. `base` "*": every hidden leftover in `dir` (a folder that is one app's alone).
Result<void> remove_leftovers(const std::string& dir, const std::string& base);

// rename + fsync of the parent folder.
Result<void> rename_synced(const std::string& from, const std::string& to);

}  // namespace cordon::package
