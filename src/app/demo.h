// Demo: a small community written to show Kindred, marked as demo content so one command
// removes it, and an admin account for the person trying it out.
// Thread-safety: run from one thread, before or beside a server on the same store.
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "forum/forum.h"
#include "store/store.h"

namespace kindred::app {

struct DemoCreated {
  int threads = 0;
};

// Makes the demo's admin account with a random password when there is none, and calls
// `on_admin_made(name, password)` at once, before the threads: a first run cut short (Ctrl-C, a
// full disk) has then still made, and shown, the account its next run will not make again. Then
// adds the demo threads (with their categories and authors).
Result<DemoCreated> AddDemoContent(
    store::Store& store, forum::Forum& forum, const Clock& clock,
    const std::function<void(const std::string& name, const std::string& password)>& on_admin_made);

// Removes every demo category, thread and author.
Result<void> RemoveDemoContent(store::Store& store);

}  // namespace kindred::app
