// Lowering the CPU priority of the calling thread alone, for background work that should yield
// to the threads serving people. Linux keeps a nice value per thread, named by its thread id.
// Thread-safety: affects only the calling thread.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

namespace kindred {

// Best effort: raising niceness needs no privilege, and a failure leaves the thread as it was.
inline void LowerThisThreadPriority(int niceness) {
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), niceness);
}

}  // namespace kindred
