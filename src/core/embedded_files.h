// Files built into the binary (migrations, templates, static files, lexicons, demo content):
// cmake/Embed.cmake turns a list of files into a table of (name, content) pairs in a namespace of
// the caller's choice, and KINDRED_DECLARE_EMBEDDED_FILES declares that table where it is read.
// Thread-safety: constant data.
#pragma once

#include <string_view>
#include <utility>

namespace kindred {

using EmbeddedFile = std::pair<std::string_view, std::string_view>;  // (name relative to its folder, content)

}  // namespace kindred

// Declares the table that kindred_embed(TARGET NAMESPACE ...) generated in namespace `ns`:
// `ns::kEmbeddedFiles[ns::kEmbeddedFileCount]`.
#define KINDRED_DECLARE_EMBEDDED_FILES(ns)                \
  namespace ns {                                          \
  extern const ::kindred::EmbeddedFile kEmbeddedFiles[]; \
  extern const int kEmbeddedFileCount;                    \
  }
