#include "api/bulk.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "domain/time.h"
#include "http/file.h"
#include "http/problem.h"

namespace limpide::api {
namespace {

using nlohmann::json;

// The gzip copies are files of their own (not a Content-Encoding of the
// plain file), so that Range, ETag and the checksum all apply to the bytes
// sent (docs/bulk.md).
constexpr std::string_view kGzipMediaType = "application/gzip";

std::string SetUrl(const app::BulkSet& set) {
  return set.daily ? "/api/v1/bulk/daily/" + set.day : std::string("/api/v1/bulk/full");
}

json SetJson(const app::BulkSet& set) {
  json j = json::parse(app::BulkSetJson(set));
  j.erase("dir");
  const std::string base = SetUrl(set);
  for (json& f : j["files"]) {
    const std::string name = f["name"].get<std::string>();
    f["url"] = base + "/" + name;
    f["sha256_url"] = base + "/" + name + ".sha256";
    f["media_type"] = app::ExportContentType(*app::BulkFileFormat(name));
    if (f.contains("gzip")) {
      json& gz = f["gzip"];
      const std::string gz_name = gz["name"].get<std::string>();
      gz["url"] = base + "/" + gz_name;
      gz["sha256_url"] = base + "/" + gz_name + ".sha256";
      gz["media_type"] = kGzipMediaType;
    }
  }
  return j;
}

http::Response UnknownFile(const http::Request& req, const std::string& name) {
  return http::Problem(404, "not_found",
                       "no bulk file '" + name +
                           "': the files are decp.json, ocds.jsonl and contracts.csv, their .gz "
                           "copies, and a .sha256 beside each",
                       req.target, "file");
}

http::Response ServeSetFile(const http::Request& req, const std::string& bulk_dir,
                            const app::BulkSet& set, const std::string& name) {
  const bool checksum = name.size() > 7 && name.ends_with(".sha256");
  std::string base = checksum ? name.substr(0, name.size() - 7) : name;
  const bool gz = base.size() > app::kGzipSuffix.size() && base.ends_with(app::kGzipSuffix);
  if (gz) base.resize(base.size() - app::kGzipSuffix.size());
  if (!app::BulkFileFormat(base)) return UnknownFile(req, name);
  const app::BulkFile* file = nullptr;
  for (const auto& f : set.files) {
    if (f.name == base) file = &f;
  }
  // A set cut before gzip copies existed has none.
  if (file == nullptr || (gz && file->gz_sha256.empty())) return UnknownFile(req, name);
  const std::string served = gz ? file->name + std::string(app::kGzipSuffix) : file->name;
  const std::string& sha256 = gz ? file->gz_sha256 : file->sha256;
  if (checksum) {
    http::Response r;
    r.SetHeader("Content-Type", "text/plain; charset=utf-8");
    r.body = sha256 + "  " + served + "\n";
    return r;
  }
  const std::string download =
      (set.daily ? "decp-" + set.day + "-" : std::string("decp-full-")) + served;
  return http::FileResponse(
      req, http::FileInfo{(std::filesystem::path(bulk_dir) / set.dir / served).string(),
                          std::string(gz ? kGzipMediaType : app::ExportContentType(file->format)),
                          sha256, download});
}

}  // namespace

json BulkIndexJson(const app::BulkIndex& index) {
  json days = json::array();
  for (const auto& d : index.days) days.push_back(SetJson(d));
  return {{"full", index.full ? SetJson(*index.full) : json(nullptr)},
          {"daily", std::move(days)},
          {"documentation", "/api/v1/openapi.json"}};
}

void RegisterBulkApi(http::Router& router, const std::string& bulk_dir) {
  router.Add("GET", "/api/v1/bulk", [bulk_dir](const http::Request& req) {
    auto index = app::ReadBulkIndex(bulk_dir);
    if (!index.ok()) return http::Problem(index.status(), req.target);
    return http::Json(200, BulkIndexJson(*index).dump());
  });
  router.Add("GET", "/api/v1/bulk/full/{file}", [bulk_dir](const http::Request& req) {
    const std::string& name = req.params.at("file");
    auto index = app::ReadBulkIndex(bulk_dir);
    if (!index.ok()) return http::Problem(index.status(), req.target);
    if (!index->full) {
      return http::Problem(Status(ErrorCode::kNotFound,
                                  "no full dump yet: it is cut by `limpide bulk` or by the "
                                  "server's schedule",
                                  "file"),
                           req.target);
    }
    return ServeSetFile(req, bulk_dir, *index->full, name);
  });
  router.Add("GET", "/api/v1/bulk/daily/{day}/{file}", [bulk_dir](const http::Request& req) {
    const std::string& day = req.params.at("day");
    const std::string& name = req.params.at("file");
    // Only YYYY-MM-DD names a delta (no other form, so that a URL maps to one
    // directory).
    auto date = domain::ParseDate(day);
    if (!date.ok() || day.size() != 10 || domain::FormatDate(*date) != day) {
      return http::Problem(
          Status::InvalidArgument("'" + day + "' is not a date (expected YYYY-MM-DD)", "day"),
          req.target);
    }
    auto set = app::ReadBulkSet(bulk_dir, "daily/" + day);
    if (!set.ok()) {
      return http::Problem(
          Status(ErrorCode::kNotFound,
                 "no delta for " + day + " (deltas exist for the days that are over; see "
                 "/api/v1/bulk)",
                 "day"),
          req.target);
    }
    return ServeSetFile(req, bulk_dir, *set, name);
  });
}

}  // namespace limpide::api
