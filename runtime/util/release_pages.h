// A long-lived process (the supervisor, the sandbox's init) need not keep the pages launch setup
// touched: cordon's code and read-only data are clean file pages that the kernel can fetch again
// from the page cache if they are ever needed, and freed heap can go back. Dropping them makes a
// running app's overhead a few hundred KB instead of MBs (docs/performance.md). Called only once
// the app has run for a while, so a short app's exit never refaults them.
#pragma once

namespace cordon {

void release_startup_pages();

// How long the app must have run before its supervisor and init release their pages.
constexpr int kReleasePagesAfterMs = 200;

}  // namespace cordon
