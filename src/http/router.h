// Router: matches a method and a path against route patterns like "/t/{id}/reply".
// Literal segments must match exactly; "{name}" matches one non-empty segment and is captured.
// Thread-safety: built once at start, then only read, from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kindred::http {

template <typename Target>
class Router {
 public:
  void Add(std::string method, std::string_view pattern, Target target) {
    std::vector<std::string> segments;
    for (std::string_view segment : Split(pattern)) segments.emplace_back(segment);
    routes_.push_back({std::move(method), std::move(segments), std::move(target)});
  }

  struct Match {
    const Target* target = nullptr;
    std::unordered_map<std::string, std::string> params;
    // True when the path exists under another method: the answer is 405, not 404.
    bool path_known = false;
    // When there is no target: the methods the path does take, for 405's Allow header.
    std::vector<std::string> allowed;
  };

  Match Find(std::string_view method, std::string_view path) const {
    Match match;
    std::vector<std::string_view> segments = Split(path);
    for (const auto& route : routes_) {
      std::unordered_map<std::string, std::string> params;
      if (!Matches(route.segments, segments, params)) continue;
      if (route.method != method) {
        match.path_known = true;
        match.allowed.push_back(route.method);
        continue;
      }
      match.target = &route.target;
      match.params = std::move(params);
      return match;
    }
    return match;
  }

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Target target;
  };

  static std::vector<std::string_view> Split(std::string_view path) {
    std::vector<std::string_view> segments;
    std::size_t from = 0;
    while (from < path.size()) {
      if (path[from] == '/') {
        ++from;
        continue;
      }
      std::size_t end = path.find('/', from);
      if (end == std::string_view::npos) end = path.size();
      segments.push_back(path.substr(from, end - from));
      from = end;
    }
    return segments;
  }

  static bool Matches(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
                      std::unordered_map<std::string, std::string>& params) {
    if (pattern.size() != path.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      std::string_view expected = pattern[i];  // NOLINT: pattern outlives the loop
      if (expected.size() > 2 && expected.front() == '{' && expected.back() == '}') {
        params.emplace(std::string(expected.substr(1, expected.size() - 2)), std::string(path[i]));
      } else if (expected != path[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace kindred::http
