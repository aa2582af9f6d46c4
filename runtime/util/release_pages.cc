#include "util/release_pages.h"

#include <link.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace cordon {

namespace {

// The main program's loadable segments that are not writable: never written, so dropping their
// page-table entries loses nothing (MADV_DONTNEED on a clean private file mapping).
int drop_read_only_segments(dl_phdr_info* info, size_t, void*) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W)) continue;
    const std::uintptr_t start = (info->dlpi_addr + ph.p_vaddr) & ~(page - 1);
    const std::uintptr_t end = (info->dlpi_addr + ph.p_vaddr + ph.p_memsz + page - 1) & ~(page - 1);
    ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
  }
  return 1;  // the first entry is the main program: stop there
}

}  // namespace

void release_startup_pages() {
  ::dl_iterate_phdr(drop_read_only_segments, nullptr);
  ::malloc_trim(0);
}

}  // namespace cordon
