// Request decoding for the JSON API (internal to api/): a JSON body read once, with typed access
// to its fields, and the page number of a query string. Every failure is an Error that names the
// field, with one of the keys below so ErrorJson can answer 400 (the request could not be read)
// rather than 422 (it was read, and the forum found a value it cannot accept).
// nlohmann::json exceptions stop here: nothing in this file lets one escape.
// Thread-safety: plain values; a JsonBody may be read from many threads at once.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/result.h"

namespace kindred::api {

// The keys of errors about the shape of a request rather than its values.
inline constexpr std::string_view kMalformedJsonKey = "malformed_json";
inline constexpr std::string_view kMissingFieldKey = "missing_field";
inline constexpr std::string_view kWrongTypeKey = "wrong_type";
inline constexpr std::string_view kMalformedQueryKey = "malformed_query";

// True for the keys above: ErrorJson answers them with 400.
bool IsRequestShapeError(const Error& error);

class JsonBody {
 public:
  // The body as a JSON object. An empty body, text that is not JSON (or not UTF-8), and JSON
  // that is not an object ([], "x", 3) are all "malformed_json".
  static Result<JsonBody> Parse(std::string_view body);

  // A string field; "missing_field" when absent or null, "wrong_type" when not a string.
  Result<std::string> RequiredString(std::string_view field) const;
  // nullopt when absent or null.
  Result<std::optional<std::string>> OptionalString(std::string_view field) const;
  Result<std::optional<bool>> OptionalBool(std::string_view field) const;
  // An array of strings; "wrong_type" when it is not one (or holds anything but strings).
  Result<std::optional<std::vector<std::string>>> OptionalStringList(std::string_view field) const;
  // A whole number that fits an int (0 and negatives included: the forum checks the range);
  // "wrong_type" for 1.5, "3" or anything larger.
  Result<std::optional<int>> OptionalInt(std::string_view field) const;

  // Ids are positive whole numbers; 0, -1, 1.5 and "3" are "wrong_type".
  template <typename Tag>
  Result<Id<Tag>> RequiredId(std::string_view field) const {
    auto value = OptionalIdValue(field);
    if (!value.ok()) return std::move(value).error();
    if (!value.value()) return MissingField(field);
    return Id<Tag>(*value.value());
  }
  template <typename Tag>
  Result<std::optional<Id<Tag>>> OptionalId(std::string_view field) const {
    auto value = OptionalIdValue(field);
    if (!value.ok()) return std::move(value).error();
    if (!value.value()) return std::optional<Id<Tag>>();
    return std::optional<Id<Tag>>(Id<Tag>(*value.value()));
  }

  static Error MissingField(std::string_view field);
  static Error WrongType(std::string_view field, std::string_view expected);

 private:
  explicit JsonBody(nlohmann::json object) : object_(std::move(object)) {}

  // The field's value, or nullptr when it is absent or JSON null (both mean "not given").
  const nlohmann::json* Find(std::string_view field) const;
  Result<std::optional<std::int64_t>> OptionalIdValue(std::string_view field) const;

  nlohmann::json object_;
};

// ?page=N: 1 when absent or not a positive number (a link with a stale or mistyped page still
// shows something), "malformed_query" when the query string itself cannot be decoded.
// Numbers past forum::kMaxPage are passed on as kMaxPage + 1 so the forum refuses them in its
// own words, without the value overflowing an int on the way.
Result<int> PageFromQuery(std::string_view query);

}  // namespace kindred::api
