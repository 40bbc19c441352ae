#include "web/template_set.h"

#include <utility>
#include "core/embedded_files.h"

KINDRED_DECLARE_EMBEDDED_FILES(kindred::web::templates)

namespace kindred::web::internal {
namespace {

constexpr std::string_view kTemplateSuffix = ".mustache";

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

Result<std::string> TemplateSet::Render(std::string_view name, const Data& data) const {
  if (!Has(name)) return Error::Internal("The page template \"" + std::string(name) + "\" is missing.");
  std::unique_ptr<Parsed> set = Borrow();
  auto& tmpl = set->find(name)->second;
  std::string html;
  try {
    html = tmpl.render(data);
  } catch (const std::exception& e) {  // std::bad_alloc and friends: the library's, not ours
    GiveBack(std::move(set));
    return Error::Internal(std::string("Rendering the page failed: ") + e.what());
  }
  if (!tmpl.is_valid()) {
    // Only a partial or lambda can fail at render time, and we pass neither; drop the copy
    // rather than return one whose error_message_ is now set.
    return Error::Internal("Rendering the page \"" + std::string(name) + "\" failed: " + tmpl.error_message());
  }
  GiveBack(std::move(set));
  return html;
}

}  // namespace kindred::web::internal
