#include "http/router.h"

#include <algorithm>

#include "http/problem.h"
#include "http/uri.h"

namespace limpide::http {
namespace {

bool IsParam(std::string_view segment) {
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
  for (const auto part : parts) {
    const bool param = IsParam(part);
    route.segments.push_back({std::string(param ? part.substr(1, part.size() - 2) : part), param});
  }
  if (by_size_.size() <= parts.size()) by_size_.resize(parts.size() + 1);
  by_size_[parts.size()].push_back(routes_.size());
  routes_.push_back(std::move(route));
}

struct Router::Path {
  std::vector<std::string_view> segments;  // raw
  // Per segment: 0 no percent-escape (compared raw), 1 escaped and decoded
  // into decoded[i], 2 a bad escape (matches no literal).
  std::vector<char> escaped;
  std::vector<std::string> decoded;
};

bool Router::Matches(const Route& route, const Path& path) {
  for (size_t i = 0; i < path.segments.size(); ++i) {
    const Segment& want = route.segments[i];
    if (want.param) {
      if (path.segments[i].empty()) return false;
    } else if (path.escaped[i] == 0) {
      if (path.segments[i] != want.text) return false;
    } else if (path.escaped[i] == 2 || path.decoded[i] != want.text) {
      return false;
    }
  }
  return true;
}

Response Router::Handle(const Request& request) const {
  // Match on the raw path split into segments, each decoded on its own, so that
  // "%2F" inside a {param} does not split it. Requests built by hand with only
  // `path` set (tests) are matched on `path`, undecoded.
  const std::string_view raw = !request.target.empty() && request.target.front() != '*'
                                   ? internal::RawPath(request.target)
                                   : std::string_view{};
  const bool raw_ok = !raw.empty() && raw.front() == '/';
  thread_local Path path;
  SplitPath(raw_ok ? raw : std::string_view(request.path), path.segments);
  const size_t n = path.segments.size();
  path.escaped.assign(n, 0);
  if (path.decoded.size() < n) path.decoded.resize(n);
  for (size_t i = 0; raw_ok && i < n; ++i) {
    if (path.segments[i].find('%') == std::string_view::npos) continue;
    path.escaped[i] = internal::PercentDecode(path.segments[i], false, path.decoded[i]) ? 1 : 2;
  }
  static const std::vector<size_t> kNone;
  const std::vector<size_t>& candidates = n < by_size_.size() ? by_size_[n] : kNone;

  // Among the routes whose pattern matches, the most specific wins: at the
  // first segment where two differ, a literal beats a {param}. Ties go to the
  // route added first.
  const Route* best = nullptr;
  const Route* best_any_method = nullptr;
  auto more_specific = [](const Route& a, const Route& b) {
    for (size_t i = 0; i < a.segments.size(); ++i) {
      const bool pa = a.segments[i].param;
      const bool pb = b.segments[i].param;
      if (pa != pb) return !pa;
    }
    return false;
  };
  for (const size_t index : candidates) {
    const Route& route = routes_[index];
    if (!Matches(route, path)) continue;
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
      for (const size_t index : candidates) {
        const Route& route = routes_[index];
        if (!Matches(route, path)) continue;
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
  for (size_t i = 0; i < n; ++i) {
    const Segment& want = best->segments[i];
    if (!want.param) continue;
    std::string value;
    if (raw_ok) {
      if (path.escaped[i] == 2) {
        return Problem(400, "invalid_argument", "Bad percent-encoding in the path.", request.target,
                       "path");
      }
      value = path.escaped[i] == 1 ? path.decoded[i] : std::string(path.segments[i]);
    } else {
      value.assign(path.segments[i]);
    }
    request.params.emplace(want.text, std::move(value));
  }
  Response response = best->handler(request);
  if (response.route.empty()) response.route = best->pattern;
  return response;
}

}  // namespace limpide::http
