#include "api/body.h"

#include <algorithm>

#include "http/problem.h"

namespace limpide::api {

using nlohmann::json;

std::string MediaType(const http::Request& req) {
  const std::string* type = req.Header("content-type");
  std::string media = type ? type->substr(0, type->find(';')) : std::string();
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.pop_back();
  for (char& c : media) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return media;
}

std::optional<http::Response> UnlessMediaType(const http::Request& req, std::string_view media) {
  if (MediaType(req) == media) return std::nullopt;
  return http::Problem(415, "unsupported_media_type",
                       "the body must be sent with Content-Type: " + std::string(media), req.target,
                       "Content-Type");
}

Result<json> JsonObject(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return Status::InvalidArgument("the body is not valid JSON", "body");
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object", "body");
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return Status::InvalidArgument("unknown member '" + key + "'", key);
  }
  return body;
}

Result<std::string> StringMember(const json& body, const char* key, bool required) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(std::string(key) + " is required", key);
    return std::string();
  }
  if (!it->is_string()) return Status::InvalidArgument(std::string(key) + " must be a string", key);
  return it->get<std::string>();
}

}  // namespace limpide::api
