#include "http/problem.h"

#include <nlohmann/json.hpp>

namespace limpide::http {
namespace {

std::string_view TitleFor(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return status >= 500 ? "Server Error" : "Client Error";
  }
}

}  // namespace

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kOk:
      return 500;  // a Problem built from ok is a bug
  }
  return 500;
}

namespace {

Response ProblemWith(int http_status, std::string_view code, const std::string& detail,
                     const std::string& detail_fr, const std::string& instance,
                     const std::string& field);

}  // namespace

Response Problem(const Status& status, const std::string& instance) {
  const ErrorCode code = status.ok() ? ErrorCode::kInternal : status.code();
  return ProblemWith(HttpStatusFor(code), ErrorCodeName(code), status.message(), status.french(),
                     instance, status.field());
}

Response Problem(int http_status, std::string_view code, const std::string& detail,
                 const std::string& instance, const std::string& field) {
  return ProblemWith(http_status, code, detail, "", instance, field);
}

namespace {

Response ProblemWith(int http_status, std::string_view code, const std::string& detail,
                     const std::string& detail_fr, const std::string& instance,
                     const std::string& field) {
  nlohmann::ordered_json body;
  std::string type = "/problems/";
  type += code;
  body["type"] = std::move(type);
  body["title"] = TitleFor(http_status);
  body["status"] = http_status;
  body["detail"] = detail;
  body["instance"] = instance;
  if (!field.empty()) body["field"] = field;
  // The same refusal in French when the service gives one (the web pages'
  // language; docs/api.md, "Errors").
  if (!detail_fr.empty()) body["detail_fr"] = detail_fr;
  Response response;
  response.status = http_status;
  // Replace invalid UTF-8 (a client's bytes echoed in instance) rather than throw.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.headers.emplace_back("Content-Type", "application/problem+json");
  // A store or a dependency that is down: clients may try again shortly.
  if (http_status == 503) response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace

Response Json(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Content-Type", "application/json");
  return response;
}

}  // namespace limpide::http
