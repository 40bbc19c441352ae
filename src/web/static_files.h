// StaticFiles: the CSS, script and icons embedded from src/web/static/, each with its
// Content-Type and a short content hash. Pages link to "/static/kindred.css?v=HASH", and the
// files are served with a year-long immutable cache: a new binary with a changed file changes
// the hash, so browsers fetch it again while unchanged files stay cached.
// Thread-safety: immutable after construction; any thread may read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kindred::web::internal {

struct StaticFile {
  std::string_view name;  // "kindred.css"
  std::string_view content;
  std::string_view content_type;
  std::string version;  // 12 hex digits of a hash of the content
};

class StaticFiles {
 public:
  StaticFiles();

  // nullptr when there is no such file.
  const StaticFile* Find(std::string_view name) const;
  // "/static/NAME?v=VERSION", or "/static/NAME" for an unknown name.
  std::string Url(std::string_view name) const;

 private:
  std::vector<StaticFile> files_;
};

// The Content-Type for a file name by its extension ("application/octet-stream" when unknown).
std::string_view ContentTypeFor(std::string_view name);

}  // namespace kindred::web::internal
