#include "api/ocds.h"

#include <chrono>
#include <algorithm>
#include <cstdlib>
#include <set>
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "app/ocds_import.h"
#include "domain/time.h"
#include "formats/ocds/release.h"
#include "http/problem.h"

namespace limpide::api {
namespace {

using nlohmann::json;
namespace ocds = formats::ocds;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

const ocds::ReleaseOptions& Options() {
  static const ocds::ReleaseOptions kOptions = [] {
    ocds::ReleaseOptions o;
    if (const char* p = std::getenv("LIMPIDE_OCDS_PREFIX"); p && *p) o.ocid_prefix = p;
    return o;
  }();
  return kOptions;
}

std::string Now() {
  const auto us = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count() *
                  1'000'000;
  return domain::FormatInstant(domain::Instant{us});
}

// The absolute URI of `target` on this server (package `uri` is a URI).
std::string Absolute(const http::Request& req, const std::string& target) {
  auto it = req.headers.find("host");
  const std::string host =
      it != req.headers.end() && !it->second.empty() ? it->second : "localhost";
  return "http://" + host + target;
}

http::Response Releases(const app::Catalogue& catalogue, const http::Request& req) {
  auto query = app::ParseContractQuery(req.query, /*strict=*/true);
  if (!query.ok()) return http::Problem(query.status(), req.target);
  auto page = catalogue.ListContracts(*query);
  if (!page.ok()) return http::Problem(page.status(), req.target);
  std::string releases;          // release texts, each followed by a comma
  std::set<std::string> served;  // imported ocids already in this page
  for (const auto& c : page->items) {
    // A contract imported from OCDS keeps its ocid and releases: they are
    // served as stored, not made anew under our prefix (one process, one ocid).
    if (const size_t colon = c.uid.rfind(':');
        colon != std::string::npos &&
        std::find(c.flags.begin(), c.flags.end(), "from_ocds") != c.flags.end()) {
      const std::string ocid = c.uid.substr(0, colon);
      if (!served.insert(ocid).second) continue;
      auto stored = app::StoredReleases(catalogue.store(), ocid);
      if (!stored.ok()) return http::Problem(stored.status(), req.target);
      for (const auto& r : *stored) {
        releases += Dump(r);
        releases += ',';
      }
      continue;
    }
    ocds::AppendReleases(releases, c, Options(), ',');
  }
  if (!releases.empty()) releases.pop_back();
  std::string next;
  if (!page->next.empty()) {
    const std::string rest = QueryString(req.query, "after");
    next = req.path + rest + (rest.empty() ? "?" : "&") + "after=" + UrlEncode(page->next);
  }
  return http::Json(200,
                    ocds::ReleasePackageText(releases, {Absolute(req, req.target), Now()}, next));
}

http::Response Record(const app::Catalogue& catalogue, const http::Request& req) {
  const std::string& ocid = req.params.at("ocid");
  // An imported OCDS process: its stored releases and their merge.
  auto stored = app::StoredReleases(catalogue.store(), ocid);
  if (stored.ok()) {
    const std::vector<json> sets[] = {std::move(*stored)};
    auto body =
        ocds::RecordPackage(sets, ocds::EmbeddedMerger(), {Absolute(req, req.target), Now()});
    if (!body.ok()) return http::Problem(body.status(), req.target);
    return http::Json(200, Dump(*body));
  }
  if (stored.status().code() != ErrorCode::kNotFound) {
    return http::Problem(stored.status(), req.target);
  }
  const std::string uid = ocds::UidFromOcid(ocid, Options().ocid_prefix);
  if (uid.empty()) {
    return http::Problem(
        Status(ErrorCode::kNotFound, "no contracting process with ocid " + ocid, "ocid"),
        req.target);
  }
  auto c = catalogue.GetContract(uid);
  if (!c.ok()) return http::Problem(c.status(), req.target);
  const std::vector<json> sets[] = {ocds::ContractReleases(*c, Options())};
  auto body = ocds::RecordPackage(sets, ocds::EmbeddedMerger(), {Absolute(req, req.target), Now()});
  if (!body.ok()) return http::Problem(body.status(), req.target);
  return http::Json(200, Dump(*body));
}

}  // namespace

void RegisterOcds(http::Router& router, const app::Catalogue& catalogue) {
  const app::Catalogue* cat = &catalogue;
  router.Add("GET", "/api/v1/ocds/releases",
             [cat](const http::Request& req) { return Releases(*cat, req); });
  router.Add("GET", "/api/v1/ocds/records/{ocid}",
             [cat](const http::Request& req) { return Record(*cat, req); });
}

}  // namespace limpide::api
