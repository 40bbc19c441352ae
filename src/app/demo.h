// Demo: a small community written to show Kindred, marked as demo content so one command
// removes it, and an admin account for the person trying it out.
// Thread-safety: run from one thread, before or beside a server on the same store.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "forum/forum.h"
#include "store/store.h"

namespace kindred::app {

struct DemoCreated {
  int threads = 0;
  std::string admin_name;      // empty when an admin existed already
  std::string admin_password;  // shown once, never stored in the clear
};

// Adds the demo threads (with their categories and authors) and, when the store has no admin yet,
// makes one with a random password.
Result<DemoCreated> AddDemoContent(store::Store& store, forum::Forum& forum, const Clock& clock);

// Removes every demo category, thread and author.
Result<void> RemoveDemoContent(store::Store& store);

}  // namespace kindred::app
