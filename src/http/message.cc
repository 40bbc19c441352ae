#include "http/message.h"

#include <cctype>
#include <charconv>

#include "core/text.h"

namespace kindred::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const std::string kEmpty;

}  // namespace

std::optional<std::string> UrlDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<Params> Params::Parse(std::string_view encoded) {
  Params params;
  while (!encoded.empty()) {
    std::size_t amp = encoded.find('&');
    std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view{} : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto name = UrlDecode(pair.substr(0, eq), true);
    auto value = UrlDecode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!name || !value) {
      return Error::Invalid("", "malformed_form", "The form data could not be read. Please try sending it again.");
    }
    if (!IsValidUtf8(*name) || !IsValidUtf8(*value)) {
      return Error::Invalid(*name, "invalid_utf8", "Some of the text could not be read (it is not valid UTF-8).");
    }
    if (!params.Has(*name)) params.values_.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

const std::string& Params::Get(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return kEmpty;
}

bool Params::Has(std::string_view name) const {
  for (const auto& entry : values_) {
    if (entry.first == name) return true;
  }
  return false;
}

long long Params::GetInt(std::string_view name, long long fallback) const {
  const std::string& text = Get(name);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return fallback;
  return value;
}

std::string_view Request::Header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return value;
  }
  return {};
}

std::string Request::Cookie(std::string_view name) const {
  // RFC 6265 section 4.2: "name=value; name2=value2".
  std::string_view header = Header("cookie");
  while (!header.empty()) {
    std::size_t semi = header.find(';');
    std::string_view pair = Trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (Trim(pair.substr(0, eq)) == name) {
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return {};
}

const std::string& Request::Param(const std::string& name) const {
  auto it = route_params.find(name);
  return it == route_params.end() ? kEmpty : it->second;
}

long long Request::IdParam(const std::string& name) const {
  const std::string& text = Param(name);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return 0;
  return value;
}

Response Response::Html(std::string body, int status) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response Response::Json(std::string body, int status) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

Response Response::Redirect(std::string location) {
  Response response;
  response.status = 303;
  response.AddHeader("Location", std::move(location));
  return response;
}

Response Response::EventStream(std::function<void(std::shared_ptr<StreamSink>)> on_open) {
  Response response;
  response.content_type = "text/event-stream";  // always UTF-8 (HTML's SSE rules)
  response.AddHeader("Cache-Control", "no-store");
  // nginx would otherwise hold events back in its buffer until it filled.
  response.AddHeader("X-Accel-Buffering", "no");
  response.on_stream = std::move(on_open);
  return response;
}

Response Response::AnswerOn(Lane lane) {
  // Never sent as it is; should it ever be, it says to try again rather than show an empty answer.
  Response response = Json(R"({"error":{"code":"try_again","message":"Please try again in a moment."}})", 503);
  response.answer_on = lane;
  return response;
}

std::string SessionCookie(std::string_view token, bool secure, long long max_age_seconds) {
  std::string cookie = std::string(kSessionCookieName) + "=" + std::string(token) + "; Path=/; HttpOnly; SameSite=Lax";
  cookie += "; Max-Age=" + std::to_string(token.empty() ? 0 : max_age_seconds);
  if (secure) cookie += "; Secure";
  return cookie;
}

std::string PreferredCountry(const Request& request) {
  auto two_letters = [](std::string_view text) {
    std::string code;
    if (text.size() != 2) return code;
    for (char c : text) {
      if (!std::isalpha(static_cast<unsigned char>(c))) return std::string();
      code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return code;
  };
  if (std::string chosen = two_letters(request.Cookie(kCountryCookieName)); !chosen.empty()) return chosen;
  // "en-GB,en;q=0.9": the first language's region, if it names one.
  std::string_view languages = request.Header("accept-language");
  std::string_view first = languages.substr(0, languages.find_first_of(",;"));
  std::size_t dash = first.find('-');
  if (dash == std::string_view::npos) return {};
  return two_letters(Trim(first.substr(dash + 1)));
}

int StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kInvalidInput:
      return 422;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace kindred::http
