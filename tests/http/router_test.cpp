// The Router on hand-built requests (no sockets).
#include "http/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace limpide::http {
namespace {

Request Get(std::string target, std::string method = "GET") {
  Request request;
  request.method = std::move(method);
  request.target = target;
  request.path = target.substr(0, target.find('?'));
  return request;
}

Handler Named(std::string name) {
  return [name](const Request& request) {
    Response response;
    response.body = name;
    for (const auto& [key, value] : request.params) response.body += " " + key + "=" + value;
    return response;
  };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add("GET", "/contracts", Named("list"));
    router_.Add("GET", "/contracts/{uid}", Named("one"));
    router_.Add("GET", "/contracts/search", Named("search"));
    router_.Add("PUT", "/contracts/{uid}", Named("put"));
    router_.Add("GET", "/buyers/{siret}/contracts/{uid}", Named("nested"));
  }
  Router router_;
};

TEST_F(RouterTest, LiteralPathMatchesAndSetsTheRoute) {
  const Response response = router_.Handle(Get("/contracts?limit=2"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "list");
  EXPECT_EQ(response.route, "/contracts");
}

TEST_F(RouterTest, ParametersAreFilledAndDecodedPerSegment) {
  const Response response = router_.Handle(Get("/buyers/123/contracts/2023%2F01%20A"));
  EXPECT_EQ(response.body, "nested siret=123 uid=2023/01 A");
  EXPECT_EQ(response.route, "/buyers/{siret}/contracts/{uid}");
}

TEST_F(RouterTest, LiteralSegmentBeatsParameterWhateverTheOrder) {
  EXPECT_EQ(router_.Handle(Get("/contracts/search")).body, "search");
  EXPECT_EQ(router_.Handle(Get("/contracts/abc")).body, "one uid=abc");
}

TEST_F(RouterTest, EncodedLiteralSegmentStillMatches) {
  EXPECT_EQ(router_.Handle(Get("/contracts/%73earch")).body, "search");
}

TEST_F(RouterTest, BadEscapeInAParameterIs400NamingThePath) {
  const Response response = router_.Handle(Get("/contracts/ab%2"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(nlohmann::json::parse(response.body).at("field"), "path");
  EXPECT_EQ(router_.Handle(Get("/buyers/1%zz/contracts/2")).status, 400);
}

TEST_F(RouterTest, BadEscapeInALiteralMatchesNoLiteral) {
  // "%zz" cannot be "search" or "contracts": the parameter route takes it.
  EXPECT_EQ(router_.Handle(Get("/buyers/1/contract%zz/2")).status, 404);
  EXPECT_EQ(router_.Handle(Get("/contracts/se%zzarch")).status, 400);
}

TEST_F(RouterTest, QueryAndFragmentAreNotPartOfThePath) {
  EXPECT_EQ(router_.Handle(Get("/contracts/search#top")).body, "search");
  EXPECT_EQ(router_.Handle(Get("/contracts/abc?x=1#f")).body, "one uid=abc");
  EXPECT_EQ(router_.Handle(Get("/contracts#?x")).body, "list");
}

TEST_F(RouterTest, EmptyParameterSegmentDoesNotMatch) {
  EXPECT_EQ(router_.Handle(Get("/contracts/")).status, 404);
}

TEST_F(RouterTest, UnknownPathIs404ProblemWithUnmatchedRoute) {
  const Response response = router_.Handle(Get("/nope"));
  EXPECT_EQ(response.status, 404);
  EXPECT_TRUE(response.route.empty());
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "application/problem+json");
}

TEST_F(RouterTest, OtherMethodIs405ListingTheAllowedOnes) {
  const Response response = router_.Handle(Get("/contracts/abc", "DELETE"));
  EXPECT_EQ(response.status, 405);
  std::string allow;
  for (const auto& [name, value] : response.headers) {
    if (name == "Allow") allow = value;
  }
  EXPECT_EQ(allow, "GET, HEAD, PUT");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["status"], 405);
  EXPECT_EQ(body["instance"], "/contracts/abc");
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  EXPECT_EQ(router_.Handle(Get("/contracts/x", "HEAD")).body, "one uid=x");
}

TEST_F(RouterTest, ExplicitHeadRouteBeatsTheGetFallback) {
  router_.Add("HEAD", "/contracts/{uid}", Named("head"));
  EXPECT_EQ(router_.Handle(Get("/contracts/x", "HEAD")).body, "head uid=x");
}

TEST_F(RouterTest, RequestWithoutTargetIsRoutedOnItsPath) {
  Request request;
  request.method = "GET";
  request.path = "/contracts/a b";
  EXPECT_EQ(router_.Handle(request).body, "one uid=a b");
}

TEST_F(RouterTest, RouteSetByTheHandlerIsKept) {
  router_.Add("GET", "/custom", [](const Request&) {
    Response response;
    response.route = "/custom/{inner}";
    return response;
  });
  EXPECT_EQ(router_.Handle(Get("/custom")).route, "/custom/{inner}");
}

TEST_F(RouterTest, TrailingSlashIsSignificant) {
  EXPECT_EQ(router_.Handle(Get("/contracts/")).status, 404);
  EXPECT_EQ(router_.Handle(Get("/contracts")).status, 200);
}

}  // namespace
}  // namespace limpide::http
