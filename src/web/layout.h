// The page frame and the small formatting helpers shared by the web pages
// (pages.cpp, search_page.cpp). Private to src/web/.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "http/server.h"

namespace limpide::web {

// The page frame: header with navigation, main landmark, footer; `main` is
// HTML, `title` is text.
http::Response Page(int status, const std::string& title, const std::string& main);

// A French error page with the HTTP status of `status`.
http::Response ErrorPage(const Status& status);

// "8 767": French digit grouping with a narrow no-break space.
std::string Count(int64_t n);

}  // namespace limpide::web
