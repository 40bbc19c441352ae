#include "web/static_files.h"

#include <array>
#include <cstdint>
#include <utility>
#include "core/embedded_files.h"

KINDRED_DECLARE_EMBEDDED_FILES(kindred::web::static_files)

namespace kindred::web::internal {
namespace {

// FNV-1a, 64 bits: not for security, only to tell one version of a file from the next.
std::uint64_t Fnv1a(std::string_view data) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// 12 hex digits (48 bits) keep URLs short; a clash between two versions of one file is
// negligible at that width.
constexpr int kVersionDigits = 12;

std::string VersionOf(std::string_view content) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t hash = Fnv1a(content);
  std::string out(kVersionDigits, '0');
  for (int i = kVersionDigits - 1; i >= 0; --i) {
    out[i] = kHex[hash & 15];
    hash >>= 4;
  }
  return out;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kTypes{{
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webmanifest", "application/manifest+json"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (name.ends_with(extension)) return type;
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles() {
  for (int i = 0; i < static_files::kEmbeddedFileCount; ++i) {
    auto [name, content] = static_files::kEmbeddedFiles[i];
    files_.push_back({name, content, ContentTypeFor(name), VersionOf(content)});
  }
}

const StaticFile* StaticFiles::Find(std::string_view name) const {
  for (const auto& file : files_) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

std::string StaticFiles::Url(std::string_view name) const {
  const StaticFile* file = Find(name);
  std::string url = "/static/" + std::string(name);
  if (file) url += "?v=" + file->version;
  return url;
}

}  // namespace kindred::web::internal
