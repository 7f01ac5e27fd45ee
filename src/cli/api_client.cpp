#include "cli/api_client.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace limpide::cli {

ApiClient::ApiClient(std::string server, std::string token, std::chrono::milliseconds timeout)
    : server_(std::move(server)), token_(std::move(token)), timeout_(timeout) {
  while (!server_.empty() && server_.back() == '/') server_.pop_back();
}

Result<http::ClientResponse> ApiClient::Call(const std::string& method, const std::string& path,
                                             std::string body, std::string content_type) const {
  http::ClientRequest request;
  request.method = method;
  request.url = server_ + path;
  request.timeout = timeout_;
  request.headers.emplace_back("Accept", "application/json, application/problem+json, */*");
  request.headers.emplace_back("User-Agent", "limpide-cli");
  if (!token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + token_);
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  request.body = std::move(body);
  auto response = http::Fetch(request);
  if (!response.ok()) {
    if (response.status().code() == ErrorCode::kInvalidArgument)
      return Status::InvalidArgument("--server: " + response.status().message());
    return Status(response.status().code(), server_ + ": " + response.status().message());
  }
  return response;
}

Result<std::string> ApiClient::CallJson(const std::string& method, const std::string& path,
                                        std::string body, std::string content_type) const {
  if (body.empty() && method != "POST" && method != "PUT") content_type.clear();
  auto r = Call(method, path, std::move(body), std::move(content_type));
  if (!r.ok()) return r.status();
  if (r->status >= 400) return ProblemStatus(*r);
  return std::move(r->body);
}

Status ProblemStatus(const http::ClientResponse& response) {
  const int s = response.status;
  ErrorCode code = ErrorCode::kInvalidArgument;
  if (s == 401)
    code = ErrorCode::kUnauthenticated;
  else if (s == 403)
    code = ErrorCode::kPermissionDenied;
  else if (s == 404)
    code = ErrorCode::kNotFound;
  else if (s == 409)
    code = ErrorCode::kConflict;
  else if (s == 413 || s == 429)
    code = ErrorCode::kResourceExhausted;
  else if (s >= 500)
    code = ErrorCode::kUnavailable;
  std::string text = std::to_string(s);
  std::string field;
  const nlohmann::json problem = nlohmann::json::parse(response.body, nullptr, false);
  if (problem.is_object() && (problem.contains("title") || problem.contains("detail"))) {
    const auto str = [&](const char* name) {
      const auto it = problem.find(name);
      return it != problem.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (const std::string title = str("title"); !title.empty()) text += " " + title;
    if (const std::string detail = str("detail"); !detail.empty()) text += ": " + detail;
    field = str("field");
    if (!field.empty()) text += " (field " + field + ")";
  } else {
    text += response.reason.empty() ? "" : " " + response.reason;
    std::string start = response.body.substr(0, 200);
    for (char& c : start) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    if (!start.empty()) text += ": " + start;
  }
  return Status(code, std::move(text), std::move(field));
}

std::string Escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace limpide::cli
