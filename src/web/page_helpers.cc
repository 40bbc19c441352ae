// Helpers shared by the page files: forms, links, counts, excerpts, pagers.
#include <algorithm>
#include <optional>

#include "core/text.h"
#include "forum/limits.h"
#include "web/pages_internal.h"

namespace kindred::web {

bool IsFormError(ErrorCode code) {
  return code == ErrorCode::kInvalidInput || code == ErrorCode::kConflict || code == ErrorCode::kRateLimited;
}

void ShowFormError(Data& data, const Error& error, std::initializer_list<std::string_view> fields,
                   std::string_view prefix, std::optional<std::string_view> field_id_prefix) {
  std::string message = error.message.empty() ? "Something in the form needs another look." : error.message;
  if (error.code == ErrorCode::kInternal || error.code == ErrorCode::kUnavailable) {
    // Internal messages are for logs; the person needs to know their words are safe.
    message = "We could not save this just now. Your text is still here: please try again in a moment.";
  }
  bool beside_field = !error.field.empty() && std::find(fields.begin(), fields.end(), error.field) != fields.end();
  // The summary above the form is what a screen reader hears first (role="alert"); when the
  // problem is one field's, it links there, and the field carries the message too.
  data.set(std::string(prefix) + "form_error", message);
  if (!beside_field) return;
  data.set(std::string(prefix) + error.field + "_error", message);
  if (field_id_prefix) data.set(std::string(prefix) + "form_error_for", std::string(*field_id_prefix) + error.field);
}

void ShowMoreFieldErrors(Data& data, const Error& error, const std::vector<Error>& more,
                         std::initializer_list<std::string_view> fields) {
  // A wait, or a problem that is no field's, is what the person needs to read first.
  if (error.field.empty() || error.code == ErrorCode::kRateLimited) return;
  std::vector<std::string_view> marked;
  if (!error.field.empty()) marked.push_back(error.field);
  for (const Error& other : more) {
    if (other.field.empty() || std::find(fields.begin(), fields.end(), other.field) == fields.end() ||
        std::find(marked.begin(), marked.end(), other.field) != marked.end()) {
      continue;
    }
    data.set(other.field + "_error", other.message);
    marked.push_back(other.field);
  }
  if (marked.size() > 1) {
    data.set("form_error", "A few things need another look: " + std::to_string(marked.size()) +
                               " fields, each marked below.");
  }
}

void SetIfPresent(Data& data, const std::string& name, const std::string& value) {
  if (!value.empty()) data.set(name, value);
}

std::string PathAndQuery(const http::Request& request) {
  return request.query.empty() ? request.path : request.path + "?" + request.query;
}

http::Response SignInFirst(const http::Request& request) {
  return http::Response::Redirect("/login?next=" + http::UrlEncode(PathAndQuery(request)));
}

bool IsLocalPath(std::string_view next) {
  if (next.size() < 1 || next[0] != '/') return false;
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return false;
  return std::none_of(next.begin(), next.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\'; });
}

std::string ToString(std::int64_t value) { return std::to_string(value); }

std::string HumanDate(std::string_view iso_date) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto digits = [&](std::size_t from, std::size_t count) {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (iso_date[i] < '0' || iso_date[i] > '9') return -1;
      value = value * 10 + (iso_date[i] - '0');
    }
    return value;
  };
  if (iso_date.size() != 10 || iso_date[4] != '-' || iso_date[7] != '-') return std::string(iso_date);
  int year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return std::string(iso_date);
  return ToString(day) + " " + std::string(kMonths[month - 1]) + " " + ToString(year);
}

std::string Plural(std::int64_t count, std::string_view one, std::string_view many) {
  return ToString(count) + " " + std::string(count == 1 ? one : many);
}

std::string Excerpt(std::string_view text, std::size_t max_codepoints) {
  std::string flat;
  flat.reserve(std::min(text.size(), max_codepoints * 4));
  std::size_t codepoints = 0;
  bool last_space = true;  // also drops leading white space
  std::size_t i = 0;
  for (; i < text.size() && codepoints < max_codepoints; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\t' || c == ' ') {
      if (!last_space) {
        flat.push_back(' ');
        ++codepoints;
      }
      last_space = true;
      continue;
    }
    last_space = false;
    flat.push_back(static_cast<char>(c));
    if ((c & 0xC0) != 0x80) ++codepoints;  // count lead bytes only
  }
  // Finish a multi-byte character that the count stopped inside of.
  while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) flat.push_back(text[i++]);
  if (Trim(text.substr(i)).empty()) return std::string(Trim(flat));
  // Cut back to the last word boundary when it is not too far (a fifth of the length).
  std::size_t space = flat.rfind(' ');
  if (space != std::string::npos && space > flat.size() * 4 / 5) flat.resize(space);
  return std::string(Trim(flat)) + "…";
}

std::string TextareaValue(const http::Params& form, std::string_view name) { return NormalizeNewlines(form.Get(name)); }

std::string PlainTextOfHtml(std::string_view html) {
  // Only cmark-gfm's safe output comes here: well-formed tags, no comments or scripts, and
  // the five entities it writes. Inline tags vanish; every other tag separates words.
  static constexpr std::string_view kInline[] = {"a", "em", "strong", "code", "del", "s", "sup", "sub"};
  std::string text;
  text.reserve(html.size());
  for (std::size_t i = 0; i < html.size();) {
    char c = html[i];
    if (c == '<') {
      std::size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;
      std::string_view tag = html.substr(i + 1, end - i - 1);
      if (!tag.empty() && tag.front() == '/') tag.remove_prefix(1);
      tag = tag.substr(0, tag.find_first_of(" />"));
      if (std::find(std::begin(kInline), std::end(kInline), tag) == std::end(kInline)) text.push_back(' ');
      i = end + 1;
    } else if (c == '&') {
      static constexpr std::pair<std::string_view, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
      bool decoded = false;
      for (const auto& [entity, character] : kEntities) {
        if (html.substr(i, entity.size()) == entity) {
          text.push_back(character);
          i += entity.size();
          decoded = true;
          break;
        }
      }
      if (!decoded) text.push_back(html[i++]);
    } else {
      text.push_back(c);
      ++i;
    }
  }
  return text;
}

Result<int> PageParam(const http::Request& request) {
  auto query = http::Params::Parse(request.query);
  if (!query.ok()) return std::move(query).error();
  long long page = query->GetInt("page", 1);
  return static_cast<int>(std::clamp<long long>(page, 1, forum::kMaxPage));
}

Data PagerData(std::string_view base, const forum::Page& page) {
  Data data;
  if (page.count <= 1) return data;
  data.set("multiple", true);
  data.set("page", ToString(page.number));
  data.set("count", ToString(page.count));
  std::string separator = base.find('?') == std::string_view::npos ? "?" : "&";
  auto url = [&](int number) {
    return number == 1 ? std::string(base) : std::string(base) + separator + "page=" + ToString(number);
  };
  if (page.number > 1) data.set("prev_url", url(std::min(page.number - 1, page.count)));
  if (page.number < page.count) data.set("next_url", url(page.number + 1));
  return data;
}

}  // namespace kindred::web
