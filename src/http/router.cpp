#include "http/router.h"

#include <algorithm>

#include "http/problem.h"
#include "http/uri.h"

namespace limpide::http {
namespace {

bool IsParam(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// "/a/b/" gives {"a", "b", ""}: a trailing slash is significant.
void SplitPath(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), std::move(pattern), {}, std::move(handler)};
  std::vector<std::string_view> parts;
  SplitPath(route.pattern, parts);
  for (const auto part : parts) route.segments.emplace_back(part);
  routes_.push_back(std::move(route));
}

Response Router::Handle(const Request& request) const {
  // Match on the raw path split into segments, each decoded on its own, so that
  // "%2F" inside a {param} does not split it. Requests built by hand with only
  // `path` set (tests) are matched on `path`.
  const std::string_view raw = !request.target.empty() && request.target.front() != '*'
                                   ? internal::RawPath(request.target)
                                   : std::string_view{};
  const bool raw_ok = !raw.empty() && raw.front() == '/';
  thread_local std::vector<std::string_view> segments;
  SplitPath(raw_ok ? raw : std::string_view(request.path), segments);

  // Among the routes whose pattern matches, the most specific wins: at the
  // first segment where two differ, a literal beats a {param}. Ties go to the
  // route added first.
  const Route* best = nullptr;
  const Route* best_any_method = nullptr;
  auto more_specific = [](const Route& a, const Route& b) {
    for (size_t i = 0; i < a.segments.size(); ++i) {
      const bool pa = IsParam(a.segments[i]);
      const bool pb = IsParam(b.segments[i]);
      if (pa != pb) return !pa;
    }
    return false;
  };
  std::string decoded;
  auto path_matches = [&](const Route& route) {
    if (route.segments.size() != segments.size()) return false;
    for (size_t i = 0; i < segments.size(); ++i) {
      const std::string& want = route.segments[i];
      if (IsParam(want)) {
        if (segments[i].empty()) return false;
      } else if (!raw_ok || segments[i].find('%') == std::string_view::npos) {
        if (segments[i] != want) return false;
      } else if (!internal::PercentDecode(segments[i], false, decoded) || decoded != want) {
        return false;
      }
    }
    return true;
  };
  for (const Route& route : routes_) {
    if (!path_matches(route)) continue;
    if (!best_any_method) best_any_method = &route;
    const bool method_ok =
        route.method == request.method || (request.method == "HEAD" && route.method == "GET");
    if (!method_ok) continue;
    // An explicit HEAD route beats the GET fallback at equal specificity.
    if (!best || more_specific(route, *best) ||
        (!more_specific(*best, route) && route.method == request.method &&
         best->method != request.method)) {
      best = &route;
    }
  }

  if (!best) {
    if (best_any_method) {
      std::vector<std::string_view> allowed;
      for (const Route& route : routes_) {
        if (!path_matches(route)) continue;
        allowed.push_back(route.method);
        if (route.method == "GET") allowed.push_back("HEAD");
      }
      std::sort(allowed.begin(), allowed.end());
      allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
      std::string allow;
      for (const auto method : allowed) {
        if (!allow.empty()) allow += ", ";
        allow += method;
      }
      Response response = Problem(
          405, "method_not_allowed",
          "Method " + request.method + " is not allowed here; use " + allow + ".", request.target);
      response.SetHeader("Allow", std::move(allow));
      response.route = best_any_method->pattern;
      return response;
    }
    return Problem(404, "not_found", "No resource at " + request.path + ".", request.target);
  }

  request.params.clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = best->segments[i];
    if (!IsParam(want)) continue;
    std::string value;
    if (raw_ok) {
      if (!internal::PercentDecode(segments[i], false, value)) {
        return Problem(400, "invalid_argument", "Bad percent-encoding in the path.", request.target,
                       "path");
      }
    } else {
      value.assign(segments[i]);
    }
    request.params.emplace(want.substr(1, want.size() - 2), std::move(value));
  }
  Response response = best->handler(request);
  if (response.route.empty()) response.route = best->pattern;
  return response;
}

}  // namespace limpide::http
