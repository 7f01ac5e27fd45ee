// Maps method + path template to handlers; fills Request::params.
#pragma once

#include <string>
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
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace limpide::http
