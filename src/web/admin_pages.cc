// Pages: managing categories (admins) and moderating topics (moderators and admins).
// Permission comes from the forum's guardian: these pages only decide what to show.
#include "forum/guardian.h"
#include "web/pages.h"
#include "web/pages_internal.h"

namespace kindred::web {
namespace {

const PageInfo kAdminPage{"Categories", "admin", "", 200};

// A category form that failed, to be shown again with what the admin typed.
struct FailedCategoryForm {
  std::int64_t category_id = 0;  // 0: the "Add a category" form
  std::string name;
  std::string description;
  Error error;
};

Result<Data> AdminData(const Site& site, const forum::Viewer& viewer, const FailedCategoryForm* failed) {
  auto categories = site.forum.Categories(viewer, true);
  if (!categories.ok()) return std::move(categories).error();
  Data data = site.Base(viewer);
  Data list{Data::type::list};
  for (std::size_t i = 0; i < categories->size(); ++i) {
    const store::CategoryRow& category = (*categories)[i];
    Data item;
    item.set("id", ToString(category.id.value));
    item.set("name", category.name);
    item.set("slug", category.slug);
    item.set("count_text", Plural(category.topic_count, "question", "questions"));
    item.set("archived", category.archived);
    item.set("first", i == 0);
    item.set("last", i + 1 == categories->size());
    item.set("archive_value", category.archived ? "0" : "1");
    item.set("archive_label", category.archived ? "Bring back" : "Archive");
    bool failed_here = failed && failed->category_id == category.id.value;
    item.set("form_name", failed_here ? failed->name : category.name);
    item.set("form_description", failed_here ? failed->description : category.description);
    if (failed_here) ShowFormError(item, failed->error, {"name", "description"}, "item_", std::nullopt);
    list.push_back(item);
  }
  data.set("categories", list);
  data.set("has_categories", !categories->empty());
  if (failed && failed->category_id == 0) {
    data.set("new_name", failed->name);
    data.set("new_description", failed->description);
    ShowFormError(data, failed->error, {"name", "description"}, "new_", "new-");
  } else {
    data.set("new_name", "");
    data.set("new_description", "");
  }
  return data;
}

Result<http::Response> AdminPage(const Site& site, const forum::Viewer& viewer, const FailedCategoryForm* failed) {
  auto data = AdminData(site, viewer, failed);
  if (!data.ok()) return std::move(data).error();
  if (failed) return site.RenderFailedForm(viewer, kAdminPage, "admin_categories", *data, failed->error);
  return site.Render(viewer, kAdminPage, "admin_categories", *data);
}

http::Response BackToCategory(CategoryId id) {
  return http::Response::Redirect("/admin/categories#c" + ToString(id.value));
}

}  // namespace

Result<http::Response> Pages::AdminCategories(const http::Request& request, const forum::Viewer& viewer) const {
  if (!viewer.signed_in()) return SignInFirst(request);
  auto may = forum::Guardian::CanManageCategories(viewer);
  if (!may.ok()) return std::move(may).error();
  return AdminPage(*impl_, viewer, nullptr);
}

Result<http::Response> Pages::CreateCategory(const http::Request& request, const forum::Viewer& viewer) const {
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  forum::CategoryInput input{form->Get("name"), TextareaValue(*form, "description")};
  auto created = forum_.CreateCategory(viewer, input);
  if (created.ok()) return BackToCategory(created->id);
  if (!IsFormError(created.error().code)) return std::move(created).error();
  FailedCategoryForm failed{0, input.name, input.description, std::move(created).error()};
  return AdminPage(*impl_, viewer, &failed);
}

Result<http::Response> Pages::UpdateCategory(const http::Request& request, const forum::Viewer& viewer) const {
  CategoryId id(request.IdParam("id"));
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  forum::CategoryInput input{form->Get("name"), TextareaValue(*form, "description")};
  auto updated = forum_.UpdateCategory(viewer, id, input);
  if (updated.ok()) return BackToCategory(id);
  if (!IsFormError(updated.error().code)) return std::move(updated).error();
  FailedCategoryForm failed{id.value, input.name, input.description, std::move(updated).error()};
  return AdminPage(*impl_, viewer, &failed);
}

Result<http::Response> Pages::MoveCategory(const http::Request& request, const forum::Viewer& viewer) const {
  CategoryId id(request.IdParam("id"));
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  const std::string& direction = form->Get("direction");
  if (direction != "up" && direction != "down") {
    return Error::Invalid("direction", "unknown_direction", "Please choose to move the category up or down.");
  }
  auto moved = forum_.MoveCategory(viewer, id, direction == "up" ? -1 : 1);
  if (!moved.ok()) return std::move(moved).error();
  return BackToCategory(id);
}

Result<http::Response> Pages::ArchiveCategory(const http::Request& request, const forum::Viewer& viewer) const {
  CategoryId id(request.IdParam("id"));
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  auto changed = forum_.SetCategoryArchived(viewer, id, form->Get("archived") == "1");
  if (!changed.ok()) return std::move(changed).error();
  return BackToCategory(id);
}

Result<http::Response> Pages::ModerateTopic(const http::Request& request, const forum::Viewer& viewer) const {
  TopicId id(request.IdParam("id"));
  auto form = http::Params::Parse(request.body);
  if (!form.ok()) return std::move(form).error();
  // Checkboxes: present with "1" when ticked, absent when not, so absence means false.
  forum::TopicStateInput input;
  input.pinned = form->Get("pinned") == "1";
  input.closed = form->Get("closed") == "1";
  if (long long category = form->GetInt("category_id", 0); category > 0) input.category_id = CategoryId(category);
  input.reason = form->Get("reason");
  auto moderated = forum_.ModerateTopic(viewer, id, input);
  if (!moderated.ok()) return std::move(moderated).error();
  return http::Response::Redirect("/t/" + ToString(id.value));
}

}  // namespace kindred::web
