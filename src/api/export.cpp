#include "api/export.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "app/exporter.h"
#include "domain/time.h"
#include "http/problem.h"

namespace limpide::api {
namespace {

// Today in Europe/Paris, "YYYY-MM-DD": the date in the file name.
std::string TodayInParis() {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return domain::FormatDate(domain::ParisDate(domain::Instant{now.count()}));
}

http::Response ExportResponse(const app::Catalogue& catalogue, const http::Request& req,
                              app::ExportFormat format) {
  auto query = app::ParseContractQuery(req.query, /*strict=*/true);
  if (!query.ok()) return http::Problem(query.status(), req.target);
  // An export has no pages: a limit or a cursor would be silently ignored.
  for (const char* name : {"limit", "after"}) {
    if (req.Query(name) != nullptr && !req.Query(name)->empty()) {
      return http::Problem(
          Status::InvalidArgument(std::string("parameter '") + name +
                                      "': not an export parameter (an export has no pages)",
                                  name),
          req.target);
    }
  }
  http::Response r;
  r.SetHeader("Content-Type", std::string(app::ExportContentType(format)));
  r.SetHeader("Content-Disposition", "attachment; filename=\"decp-" + TodayInParis() + "." +
                                         std::string(app::ExportExtension(format)) + "\"");
  auto exporter = std::make_shared<app::Exporter>(catalogue.store(), format, query->filter);
  const std::string target = req.target;
  r.stream = [exporter, target, format](std::string& out) {
    auto more = exporter->Next(out);
    if (!more.ok()) {
      // The status line is gone already: the server cuts the chunked body,
      // which clients see as an incomplete transfer, never a complete file.
      throw std::runtime_error("export stopped: " + more.status().ToString());
    }
    if (!*more) {
      // The body cannot carry the skipped records (it must stay valid
      // DECP); the log says how many there were. `limpide export` lists them.
      const app::ExportCounts& n = exporter->report().counts;
      const nlohmann::json line = {
          {"event", "export"}, {"target", target},     {"format", app::ExportFormatName(format)},
          {"read", n.read},    {"written", n.written}, {"skipped", n.skipped}};
      std::fprintf(stderr, "%s\n",
                   line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    }
    return *more;
  };
  return r;
}

}  // namespace

void RegisterExport(http::Router& router, const app::Catalogue& catalogue) {
  const app::Catalogue* cat = &catalogue;
  router.Add("GET", "/api/v1/export/decp.json", [cat](const http::Request& req) {
    return ExportResponse(*cat, req, app::ExportFormat::kDecpJson);
  });
  router.Add("GET", "/api/v1/export/decp.xml", [cat](const http::Request& req) {
    return ExportResponse(*cat, req, app::ExportFormat::kDecpXml);
  });
}

}  // namespace limpide::api
