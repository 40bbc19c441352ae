#include "app/demo.h"

#include <sstream>
#include <string_view>
#include <utility>

#include "app/import.h"
#include "forum/passwords.h"
#include "core/embedded_files.h"

KINDRED_DECLARE_EMBEDDED_FILES(kindred::app::demo_files)

namespace kindred::app {

constexpr std::string_view kDemoAdminName = "admin";

Result<DemoCreated> AddDemoContent(
    store::Store& store, forum::Forum& forum, const Clock& clock,
    const std::function<void(const std::string& name, const std::string& password)>& on_admin_made) {
  if (!store.FindUserByName(kDemoAdminName).ok()) {
    // 20 characters from the token alphabet: easy to copy, far beyond guessing.
    std::string password = forum::NewToken().substr(0, 20);
    auto admin = forum.CreateAdmin(kDemoAdminName, password);
    if (!admin) return std::move(admin).error();
    on_admin_made(admin->username, password);
  }
  DemoCreated created;
  for (int i = 0; i < demo_files::kEmbeddedFileCount; ++i) {
    if (demo_files::kEmbeddedFiles[i].first != "demo_threads.jsonl") continue;
    std::istringstream input{std::string(demo_files::kEmbeddedFiles[i].second)};
    ImportOptions options;
    options.demo = true;
    options.spread_times_until = clock.Now();
    ImportReport report = ImportThreads(store, clock, input, options);
    if (report.stopped) return Error::Internal("The demo content did not import: " + *report.stopped);
    if (!report.problems.empty()) return Error::Internal("The demo content did not import: " + report.problems.front());
    created.threads = report.threads_imported;
  }
  return created;
}

Result<void> RemoveDemoContent(store::Store& store) { return store.DeleteDemoContent(); }

}  // namespace kindred::app
