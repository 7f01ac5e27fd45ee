// Maps method + path template to handlers; fills Request::params.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/server.h"

namespace limpide::http {

class Router {
 public:
  // `pattern` is a path whose segments may be "{name}" (one segment, percent-
  // decoded). Example: "/api/v1/contracts/{uid}".
  void Add(std::string method, std::string pattern, Handler handler);
  // Routes the request; 404 problem+json when no pattern matches, 405 with
  // Allow when the path matches with another method. Sets Response::route.
  Response Handle(const Request& request) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };
  // The request's path split into segments, as Handle matches it.
  struct Path;
  static bool Matches(const Route& route, const Path& path);
  std::vector<Route> routes_;
  // by_size_[n]: the indexes in routes_ of the patterns of n segments, in the
  // order they were added. Only those can match a path of n segments.
  std::vector<std::vector<size_t>> by_size_;
};

}  // namespace limpide::http
