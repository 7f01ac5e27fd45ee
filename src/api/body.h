// Request bodies of the write endpoints: media type checks and JSON objects.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "http/server.h"

namespace limpide::api {

// The media type of the request's Content-Type, lower-cased, parameters dropped ("" when none).
std::string MediaType(const http::Request& req);

// The 415 problem+json answer unless the body is declared as `media`
// ("application/json", "application/octet-stream"); nullopt when it is.
std::optional<http::Response> UnlessMediaType(const http::Request& req, std::string_view media);

// The body as a JSON object whose members are all in `allowed` (an unknown
// member is an error naming it, as an unknown query parameter is).
// invalid_argument otherwise.
Result<nlohmann::json> JsonObject(const http::Request& req,
                                  std::initializer_list<std::string_view> allowed);

// The string member `key` of `body`: "" when absent (or null) and not
// required; invalid_argument naming it when required and absent, or not a string.
Result<std::string> StringMember(const nlohmann::json& body, const char* key, bool required);

}  // namespace limpide::api
