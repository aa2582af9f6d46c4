// cordon's exit codes (docs/exit-codes.md). 126 and 127 follow the shell's meaning for `run`.
#pragma once

namespace cordon::launcher {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;    // check/explain/interfaces: a policy or interface file is invalid
inline constexpr int kExitRefreshed = 2;   // refresh: some apps were refreshed (--list: some would be), none failed
inline constexpr int kExitRolledBack = 3;  // install: the new revision failed its health check; the old one is back
inline constexpr int kExitUnreachable = 4;  // refresh: a source could not be reached; nothing changed from it
inline constexpr int kExitCordon = 125;   // cordon itself failed, or was called wrongly
inline constexpr int kExitCannotExec = 126;
inline constexpr int kExitNotFound = 127;

}  // namespace cordon::launcher
