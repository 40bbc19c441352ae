#include "app/import.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time_format.h"
#include "forum/markdown.h"
#include "forum/validation.h"

namespace kindred::app {
namespace {

using nlohmann::json;

// Posts whose author is not given belong to this account, as on forums that keep the words of
// people who left.
constexpr std::string_view kUnknownAuthor = "former-member";

struct ParsedPost {
  std::string author;
  std::string body;
  std::optional<UnixSeconds> created_at;
};

struct ParsedThread {
  std::string category;
  std::string category_description;  // used only when the import makes the category
  std::string title;
  ParsedPost question;
  std::vector<ParsedPost> replies;
};

Result<std::string> RequiredString(const json& object, const char* field, const std::string& where) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null())
    return Error::Invalid(field, "missing", where + "\"" + field + "\" is missing");
  if (!it->is_string()) return Error::Invalid(field, "wrong_type", where + "\"" + field + "\" must be a string");
  return it->get<std::string>();
}

Result<ParsedPost> ParsePost(const json& object, const std::string& where) {
  ParsedPost post;
  auto body = RequiredString(object, "body", where);
  if (!body) return std::move(body).error();
  auto valid_body = forum::ValidateBody(*body);
  if (!valid_body) return Error::Invalid("body", "body", where + "body: " + valid_body.error().message);
  post.body = *valid_body;
  if (auto it = object.find("author"); it != object.end() && !it->is_null()) {
    if (!it->is_string()) return Error::Invalid("author", "wrong_type", where + "\"author\" must be a string");
    auto name = forum::ValidateUsername(it->get<std::string>());
    if (!name) return Error::Invalid("author", "author", where + "author: " + name.error().message);
    post.author = *name;
  } else {
    post.author = std::string(kUnknownAuthor);
  }
  if (auto it = object.find("created_at"); it != object.end() && !it->is_null()) {
    if (!it->is_string()) return Error::Invalid("created_at", "wrong_type", where + "\"created_at\" must be a string");
    auto at = ParseIso8601(it->get<std::string>());
    if (!at) {
      return Error::Invalid("created_at", "date",
                            where + "\"created_at\" is not an ISO 8601 date like 2024-05-01T10:30:00Z");
    }
    post.created_at = *at;
  }
  return post;
}

Result<ParsedThread> ParseLine(const std::string& line) {
  json object;
  try {
    object = json::parse(line);
  } catch (const json::parse_error& e) {
    return Error::Invalid("", "json", "this line is not valid JSON");
  }
  if (!object.is_object()) return Error::Invalid("", "json", "each line must be one JSON object");
  ParsedThread thread;
  auto category = RequiredString(object, "category", "");
  if (!category) return std::move(category).error();
  auto category_name = forum::ValidateCategoryName(*category);
  if (!category_name) return Error::Invalid("category", "category", "category: " + category_name.error().message);
  thread.category = *category_name;
  if (auto it = object.find("category_description"); it != object.end() && !it->is_null()) {
    if (!it->is_string())
      return Error::Invalid("category_description", "wrong_type", "\"category_description\" must be a string");
    auto description = forum::ValidateCategoryDescription(it->get<std::string>());
    if (!description)
      return Error::Invalid("category_description", "category", "category_description: " + description.error().message);
    thread.category_description = *description;
  }
  auto title = RequiredString(object, "title", "");
  if (!title) return std::move(title).error();
  auto valid_title = forum::ValidateTitle(*title);
  if (!valid_title) return Error::Invalid("title", "title", "title: " + valid_title.error().message);
  thread.title = *valid_title;
  auto question = ParsePost(object, "");
  if (!question) return std::move(question).error();
  thread.question = std::move(question).value();
  if (auto it = object.find("replies"); it != object.end() && !it->is_null()) {
    if (!it->is_array()) return Error::Invalid("replies", "wrong_type", "\"replies\" must be a list");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& reply = (*it)[i];
      std::string where = "reply " + std::to_string(i + 1) + ": ";
      if (!reply.is_object()) return Error::Invalid("replies", "wrong_type", where + "must be a JSON object");
      auto parsed = ParsePost(reply, where);
      if (!parsed) return std::move(parsed).error();
      thread.replies.push_back(std::move(parsed).value());
    }
  }
  return thread;
}

// Finds or makes the categories and authors lines name, remembering them across lines.
class Directory {
 public:
  Directory(store::Store& store, bool demo, UnixSeconds now) : store_(store), demo_(demo), now_(now) {}

  Result<CategoryId> Category(const std::string& name, const std::string& description) {
    std::string key = AsciiLower(name);
    if (auto it = categories_.find(key); it != categories_.end()) return it->second;
    auto existing = store_.ListCategories(true);
    if (!existing) return std::move(existing).error();
    for (const auto& category : *existing) {
      if (AsciiLower(category.name) == key) return categories_[key] = category.id;
    }
    std::string slug = Slugify(name);
    auto created = store_.CreateCategory({slug.empty() ? "category" : slug, name, description, demo_});
    if (!created) return std::move(created).error();
    return categories_[key] = created->id;
  }

  Result<UserId> Author(const std::string& name) {
    std::string key = AsciiLower(name);
    if (auto it = authors_.find(key); it != authors_.end()) return it->second;
    auto existing = store_.FindUserByName(name);
    if (existing) return authors_[key] = existing->id;
    if (existing.error().code != ErrorCode::kNotFound) return std::move(existing).error();
    // No password: the account cannot sign in until an admin invites its owner.
    auto created = store_.CreateUser({name, "", "", store::Role::kMember, now_, demo_});
    if (!created) return std::move(created).error();
    return authors_[key] = created->id;
  }

 private:
  store::Store& store_;
  bool demo_;
  UnixSeconds now_;
  std::map<std::string, CategoryId> categories_;
  std::map<std::string, UserId> authors_;
};

// Writes one parsed thread with everything it needs; returns the number of posts written.
Result<int> WriteThread(store::Store& store, Directory& directory, const ParsedThread& thread, UnixSeconds default_time,
                        UnixSeconds reply_gap, bool demo) {
  auto category = directory.Category(thread.category, thread.category_description);
  if (!category) return std::move(category).error();
  auto asker = directory.Author(thread.question.author);
  if (!asker) return std::move(asker).error();
  UnixSeconds asked_at = thread.question.created_at.value_or(default_time);
  store::NewTopic topic{
      *category, *asker, thread.title, thread.question.body, forum::RenderMarkdown(thread.question.body),
      asked_at,  demo};
  std::vector<store::NewPost> replies;
  UnixSeconds previous = asked_at;
  for (const auto& reply : thread.replies) {
    auto author = directory.Author(reply.author);
    if (!author) return std::move(author).error();
    // Undated replies follow the one before; a reply is never older than its question.
    UnixSeconds at = std::max(asked_at, reply.created_at.value_or(previous + reply_gap));
    previous = at;
    replies.push_back({TopicId{}, *author, std::nullopt, reply.body, forum::RenderMarkdown(reply.body), at});
  }
  auto imported = store.ImportThread(topic, replies);
  if (!imported) return std::move(imported).error();
  return static_cast<int>(replies.size()) + 1;
}

// Made-up times for undated demo threads: one every 9 hours back from `until`, newest last,
// with replies 47 minutes apart, so the lists show a believable range of "ago"s.
constexpr UnixSeconds kDemoThreadSpacing = 9 * 3600;
constexpr UnixSeconds kDemoReplyGap = 47 * 60;

}  // namespace

ImportReport ImportThreads(store::Store& store, const Clock& clock, std::istream& input, const ImportOptions& options) {
  ImportReport report;
  const UnixSeconds now = clock.Now();
  Directory directory(store, options.demo, now);
  auto write = [&](int line_number, const ParsedThread& thread, UnixSeconds default_time) {
    UnixSeconds reply_gap = options.spread_times_until ? kDemoReplyGap : 0;
    auto written = WriteThread(store, directory, thread, default_time, reply_gap, options.demo);
    if (written) {
      ++report.threads_imported;
      report.posts_imported += *written;
      report.last_line_imported = line_number;
    } else if (written.error().code == ErrorCode::kUnavailable || written.error().code == ErrorCode::kInternal) {
      report.stopped = "line " + std::to_string(line_number) + ": " + written.error().message;
    } else {
      report.problems.push_back("line " + std::to_string(line_number) + ": " + written.error().message);
    }
  };

  // Spread times need the number of threads first; otherwise each thread is written as soon as it
  // is read, so a large file needs no more memory than one thread.
  std::vector<std::pair<int, ParsedThread>> held;
  std::string line;
  std::size_t bytes_read = 0;
  for (int number = 1; !report.stopped && std::getline(input, line); ++number) {
    bytes_read += line.size() + 1;
    if (!Trim(line).empty()) {
      if (!IsValidUtf8(line)) {
        report.problems.push_back("line " + std::to_string(number) + ": the text is not valid UTF-8");
      } else if (auto parsed = ParseLine(line); !parsed) {
        report.problems.push_back("line " + std::to_string(number) + ": " + parsed.error().message);
      } else if (options.spread_times_until) {
        held.emplace_back(number, std::move(parsed).value());
      } else {
        write(number, *parsed, now);
      }
    }
    if (options.on_progress) options.on_progress(bytes_read);
  }
  for (std::size_t i = 0; i < held.size() && !report.stopped; ++i) {
    UnixSeconds at = *options.spread_times_until - static_cast<UnixSeconds>(held.size() - i) * kDemoThreadSpacing;
    write(held[i].first, held[i].second, at);
  }
  return report;
}

}  // namespace kindred::app
