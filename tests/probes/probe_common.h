// Probes print what they saw as key=value lines and exit 0: 125-127 are cordon's own exit codes,
// so a probe's status never carries its finding (STYLE.md 6).
#pragma once
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

static inline const char* errno_name(int e) {
  if (e == 0) return "ok";
  const char* n = strerrorname_np(e);
  return n ? n : "unknown";
}
