// problem+json bodies, the code-to-status mapping, and the small helpers of
// Request and Response.
#include "http/problem.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace limpide::http {
namespace {

using JsonValue = nlohmann::json;

std::string HeaderOf(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(ProblemTest, StatusBecomesAProblemWithItsCodeAndField) {
  const Response response =
      Problem(Status::InvalidArgument("limit must be at most 100", "limit"), "/c?limit=1000");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "Content-Type"), "application/problem+json");
  const JsonValue body = JsonValue::parse(response.body);
  EXPECT_EQ(body["type"], "/problems/invalid_argument");
  EXPECT_EQ(body["title"], "Bad Request");
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["detail"], "limit must be at most 100");
  EXPECT_EQ(body["instance"], "/c?limit=1000");
  EXPECT_EQ(body["field"], "limit");
}

TEST(ProblemTest, AFrenchTextTravelsBesideTheEnglishDetail) {
  const JsonValue with = JsonValue::parse(
      Problem(Status::Conflict("the procedure has already ended").WithFrench(
                  "la procédure est déjà terminée"),
              "/t/1/cancel")
          .body);
  EXPECT_EQ(with["detail"], "the procedure has already ended");
  EXPECT_EQ(with["detail_fr"], "la procédure est déjà terminée");
  EXPECT_EQ(with["status"], 409);
  const JsonValue without = JsonValue::parse(Problem(Status::NotFound("no such"), "/c").body);
  EXPECT_FALSE(without.contains("detail_fr"));
}

TEST(ProblemTest, FieldIsAbsentWhenTheStatusNamesNone) {
  const JsonValue body =
      JsonValue::parse(Problem(Status::NotFound("no such contract"), "/c/1").body);
  EXPECT_FALSE(body.contains("field"));
  EXPECT_EQ(body["type"], "/problems/not_found");
}

TEST(ProblemTest, ExplicitStatusAndCodeAreUsedAsGiven) {
  const Response response = Problem(413, "content_too_large", "too big", "/upload");
  EXPECT_EQ(response.status, 413);
  const JsonValue body = JsonValue::parse(response.body);
  EXPECT_EQ(body["type"], "/problems/content_too_large");
  EXPECT_EQ(body["title"], "Content Too Large");
}

TEST(ProblemTest, InvalidUtf8InTheTargetDoesNotThrow) {
  const Response response = Problem(404, "not_found", "x", "/\xff\xfe");
  EXPECT_NO_THROW(JsonValue::parse(response.body));
}

TEST(ProblemTest, EveryErrorCodeMapsToOneHttpStatus) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
}

TEST(ProblemTest, JsonHelperSetsTheContentType) {
  const Response response = Json(201, R"({"id":1})");
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, R"({"id":1})");
  EXPECT_EQ(HeaderOf(response, "Content-Type"), "application/json");
}

TEST(ResponseTest, SetHeaderReplacesAnExistingHeaderWhateverItsCase) {
  Response response;
  response.headers = {{"content-type", "text/plain"}, {"X-A", "1"}, {"Content-Type", "dup"}};
  response.SetHeader("Content-Type", "application/json");
  ASSERT_EQ(response.headers.size(), 2u);
  EXPECT_EQ(response.headers[0].second, "application/json");
  EXPECT_EQ(response.headers[1].first, "X-A");
  response.SetHeader("Cache-Control", "no-store");
  EXPECT_EQ(response.headers.back().first, "Cache-Control");
}

TEST(RequestTest, QueryReturnsTheFirstValueAndHeaderTheNamedOne) {
  Request request;
  request.query = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  request.headers = {{"accept", "application/json"}};
  ASSERT_NE(request.Query("a"), nullptr);
  EXPECT_EQ(*request.Query("a"), "1");
  EXPECT_EQ(request.Query("c"), nullptr);
  ASSERT_NE(request.Header("accept"), nullptr);
  EXPECT_EQ(*request.Header("accept"), "application/json");
  EXPECT_EQ(request.Header("cookie"), nullptr);
}

}  // namespace
}  // namespace limpide::http
