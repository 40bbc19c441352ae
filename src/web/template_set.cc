#include "web/template_set.h"

#include <utility>
#include "core/embedded_files.h"

KINDRED_DECLARE_EMBEDDED_FILES(kindred::web::templates)

namespace kindred::web::internal {
namespace {

constexpr std::string_view kTemplateSuffix = ".mustache";

// The halves' names: ':' is in no template file's name.
std::string BeforeSlot(std::string_view name) { return std::string(name) + ":before"; }
std::string AfterSlot(std::string_view name) { return std::string(name) + ":after"; }

}  // namespace

TemplateSet::TemplateSet() {
  for (int i = 0; i < templates::kEmbeddedFileCount; ++i) {
    auto [file_name, text] = templates::kEmbeddedFiles[i];
    if (!file_name.ends_with(kTemplateSuffix)) continue;
    std::string name(file_name.substr(0, file_name.size() - kTemplateSuffix.size()));
    kainjow::mustache::mustache parsed{std::string(text)};
    if (!parsed.is_valid()) {
      errors_.push_back(name + ": " + parsed.error_message());
      continue;
    }
    // The halves parse on their own only when the slot is at the top level; one inside a
    // section would leave each half with an unclosed tag.
    if (std::size_t at = text.find(kSlot); at != std::string_view::npos) {
      kainjow::mustache::mustache before{std::string(text.substr(0, at))};
      kainjow::mustache::mustache after{std::string(text.substr(at + kSlot.size()))};
      if (text.find(kSlot, at + 1) != std::string_view::npos || !before.is_valid() || !after.is_valid()) {
        errors_.push_back(name + ": " + std::string(kSlot) + " must be there once, outside any section");
      } else {
        master_.emplace(BeforeSlot(name), std::move(before));
        master_.emplace(AfterSlot(name), std::move(after));
      }
    }
    master_.emplace(std::move(name), std::move(parsed));
  }
}

TemplateSet::~TemplateSet() = default;

bool TemplateSet::Has(std::string_view name) const { return master_.find(name) != master_.end(); }

std::unique_ptr<TemplateSet::Parsed> TemplateSet::Borrow() const {
  {
    std::lock_guard lock(mutex_);
    if (!pool_.empty()) {
      auto copy = std::move(pool_.back());
      pool_.pop_back();
      return copy;
    }
  }
  return std::make_unique<Parsed>(master_);  // outside the lock: copying takes a while
}

void TemplateSet::GiveBack(std::unique_ptr<Parsed> copy) const {
  std::lock_guard lock(mutex_);
  pool_.push_back(std::move(copy));
}

bool TemplateSet::HasSlot(std::string_view name) const { return Has(BeforeSlot(name)); }

Result<std::string> TemplateSet::RenderOn(Parsed& set, std::string_view name, const Data& data) const {
  auto& tmpl = set.find(name)->second;
  std::string html;
  try {
    // Through a handler, not render(data): that builds a std::ostringstream (and its locale) per
    // call and copies the page out of it, a fifth of the rendering on a signed-in topic page.
    tmpl.render(data, [&html](const std::string& piece) { html += piece; });
  } catch (const std::exception& e) {  // std::bad_alloc and friends: the library's, not ours
    return Error::Internal(std::string("Rendering the page failed: ") + e.what());
  }
  if (!tmpl.is_valid()) {
    return Error::Internal("Rendering the page \"" + std::string(name) + "\" failed: " + tmpl.error_message());
  }
  return html;
}

Result<std::string> TemplateSet::Render(std::string_view name, const Data& data) const {
  if (!Has(name)) return Error::Internal("The page template \"" + std::string(name) + "\" is missing.");
  std::unique_ptr<Parsed> set = Borrow();
  auto html = RenderOn(*set, name, data);
  // Only a partial or lambda can fail at render time, and we pass neither; a failed copy is
  // dropped rather than kept with its error_message_ set.
  if (html.ok()) GiveBack(std::move(set));
  return html;
}

Result<std::pair<std::string, std::string>> TemplateSet::RenderHalves(std::string_view name, const Data& data) const {
  if (!HasSlot(name)) {
    return Error::Internal("The page template \"" + std::string(name) + "\" has no " + std::string(kSlot) + ".");
  }
  std::unique_ptr<Parsed> set = Borrow();
  auto before = RenderOn(*set, BeforeSlot(name), data);
  if (!before.ok()) return std::move(before).error();
  auto after = RenderOn(*set, AfterSlot(name), data);
  if (!after.ok()) return std::move(after).error();
  GiveBack(std::move(set));
  return std::pair{std::move(before).value(), std::move(after).value()};
}

}  // namespace kindred::web::internal
