// Categories: the rooms of the forum, arranged by admins.
#include "core/text.h"
#include "forum/forum.h"
#include "forum/guardian.h"
#include "forum/validation.h"

namespace kindred::forum {

Result<std::vector<store::CategoryRow>> Forum::Categories(const Viewer& viewer, bool include_archived) {
  return store_.ListCategories(include_archived && viewer.is_admin());
}

Result<store::CategoryRow> Forum::CategoryBySlug(std::string_view slug) {
  auto category = store_.FindCategoryBySlug(slug);
  if (!category && category.error().code == ErrorCode::kNotFound) {
    return Error::NotFound("category_not_found", "We could not find that category.");
  }
  return category;
}

Result<store::CategoryRow> Forum::CreateCategory(const Viewer& viewer, const CategoryInput& input) {
  KINDRED_TRY(Guardian::CanManageCategories(viewer));
  auto name = ValidateCategoryName(input.name);
  if (!name) return std::move(name).error();
  auto description = ValidateCategoryDescription(input.description);
  if (!description) return std::move(description).error();
  std::string slug = Slugify(*name);
  if (slug.empty()) slug = "category";
  auto created = store_.CreateCategory({slug, *name, *description, false});
  if (!created && created.error().code == ErrorCode::kConflict) {
    return Error::Conflict("category_exists", "There is already a category called " + *name + ".", "name");
  }
  return created;
}

Result<store::CategoryRow> Forum::UpdateCategory(const Viewer& viewer, CategoryId id, const CategoryInput& input) {
  KINDRED_TRY(Guardian::CanManageCategories(viewer));
  auto category = store_.FindCategoryById(id);
  if (!category) return std::move(category).error();
  auto name = ValidateCategoryName(input.name);
  if (!name) return std::move(name).error();
  auto description = ValidateCategoryDescription(input.description);
  if (!description) return std::move(description).error();
  // The slug stays: links people saved keep working after a rename.
  category->name = *name;
  category->description = *description;
  auto updated = store_.UpdateCategory(*category);
  if (!updated && updated.error().code == ErrorCode::kConflict) {
    return Error::Conflict("category_exists", "There is already a category called " + *name + ".", "name");
  }
  return updated;
}

Result<store::CategoryRow> Forum::SetCategoryArchived(const Viewer& viewer, CategoryId id, bool archived) {
  KINDRED_TRY(Guardian::CanManageCategories(viewer));
  auto category = store_.FindCategoryById(id);
  if (!category) return std::move(category).error();
  category->archived = archived;
  return store_.UpdateCategory(*category);
}

Result<void> Forum::MoveCategory(const Viewer& viewer, CategoryId id, int direction) {
  KINDRED_TRY(Guardian::CanManageCategories(viewer));
  auto categories = store_.ListCategories(true);
  if (!categories) return std::move(categories).error();
  auto& list = *categories;
  std::size_t index = 0;
  while (index < list.size() && list[index].id != id) ++index;
  if (index == list.size()) return Error::NotFound("category_not_found", "We could not find that category.");
  std::size_t other = direction < 0 ? index - 1 : index + 1;
  if ((direction < 0 && index == 0) || other >= list.size()) return Ok();  // already at the end
  std::swap(list[index], list[other]);
  // Renumber everything so equal or gapped positions from older data settle into a clean order.
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].position != static_cast<int>(i)) {
      list[i].position = static_cast<int>(i);
      KINDRED_TRY(store_.UpdateCategory(list[i]));
    }
  }
  return Ok();
}

}  // namespace kindred::forum
