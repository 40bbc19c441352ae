// TemplateSet: every embedded mustache template of the pages, parsed once, rendered by name.
//
// Why a pool of copies: kainjow's basic_mustache::render is not const. In the version we build
// against it does not change the parsed tree while rendering, but it writes its error_message_
// member when a partial or lambda fails, and nothing in the library promises that a shared
// parsed template may be rendered from two threads at once. So each render borrows a private
// copy of the whole set from a pool (copied from the master on first need). The pool grows to
// the number of renders that ever ran at once (at most the server's worker count), and a borrow
// costs one short mutex lock; the copy is paid once per extra concurrent renderer, not per page.
//
// We use no mustache partials: kainjow re-parses a partial on every render. Pieces shared by
// several pages (the layout, the pager, the topic list) are rendered on their own and passed
// into the outer template as an already-escaped HTML string ({{{content}}}).
//
// Thread-safety: Render may be called from any thread at once.
#pragma once

#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kindred::web::internal {

using Data = kainjow::mustache::data;

class TemplateSet {
 public:
  // Parses the templates embedded from src/web/templates/. A template that fails to parse is
  // remembered, not thrown: Render of it returns kInternal, and errors() lists it (a unit test
  // checks that the list is empty, so a broken template fails the build's tests, not a request).
  TemplateSet();
  ~TemplateSet();
  TemplateSet(const TemplateSet&) = delete;
  TemplateSet& operator=(const TemplateSet&) = delete;

  // `name` is the file name without ".mustache" ("topic").
  Result<std::string> Render(std::string_view name, const Data& data) const;

  bool Has(std::string_view name) const;
  // "name: message" for each template that failed to parse.
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  using Parsed = std::map<std::string, kainjow::mustache::mustache, std::less<>>;

  std::unique_ptr<Parsed> Borrow() const;
  void GiveBack(std::unique_ptr<Parsed> copy) const;

  Parsed master_;  // never rendered, only copied: stays pristine
  std::vector<std::string> errors_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Parsed>> pool_;  // GUARDED_BY(mutex_)
};

}  // namespace kindred::web::internal
