// A directory under /tmp that exists for one test and is removed with everything in it after.
// Thread-safety: one owner.
#pragma once

#include <filesystem>

namespace kindred::testutil {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kindred::testutil
