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
// several pages (the pager, the topic list) are rendered on their own and passed into the outer
// template as an already-escaped HTML string ({{{topic_list}}}).
//
// The big piece goes around the engine instead: a template with one top-level {{{content}}}
// (kSlot: the layout, the topic page) is also kept as the two halves around it, and
// RenderHalves renders those, so the caller joins halves and content once. Passed as data, a
// topic page's 30 KB of posts was copied into the data tree, out of it, through a string stream
// and back about eight times, a tenth of a signed-in page's time.
//
// Thread-safety: Render may be called from any thread at once.
#pragma once

#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
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

  // The slot a template may hold once, at its top level (not inside a {{#section}}).
  static constexpr std::string_view kSlot = "{{{content}}}";

  // `name` is the file name without ".mustache" ("topic").
  Result<std::string> Render(std::string_view name, const Data& data) const;
  // The template rendered in two: what comes before its kSlot and what comes after. kInternal
  // for a template without the slot.
  Result<std::pair<std::string, std::string>> RenderHalves(std::string_view name, const Data& data) const;
  bool HasSlot(std::string_view name) const;

  bool Has(std::string_view name) const;
  // "name: message" for each template that failed to parse.
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  using Parsed = std::map<std::string, kainjow::mustache::mustache, std::less<>>;

  std::unique_ptr<Parsed> Borrow() const;
  void GiveBack(std::unique_ptr<Parsed> copy) const;
  // Renders master_[name] on the borrowed `set`.
  Result<std::string> RenderOn(Parsed& set, std::string_view name, const Data& data) const;

  Parsed master_;  // never rendered, only copied: stays pristine
  std::vector<std::string> errors_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Parsed>> pool_;  // GUARDED_BY(mutex_)
};

}  // namespace kindred::web::internal
