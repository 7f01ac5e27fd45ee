// The server over real sockets: a Server on 127.0.0.1 port 0 with a Router,
// driven by the blocking TestClient.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/metrics.h"
#include "http/problem.h"
#include "http/router.h"
#include "http/test_client.h"

namespace limpide::http {
namespace {

using namespace std::chrono_literals;
using testing::RawResponse;
using testing::TestClient;
using JsonValue = nlohmann::json;

ServerOptions TestOptions() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.rate_per_second = 0;
  options.access_log = false;
  options.read_timeout = 2s;
  options.idle_timeout = 2s;
  options.write_timeout = 2s;
  return options;
}

Response Text(std::string body) {
  Response response;
  response.body = std::move(body);
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  return response;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add("GET", "/hello", [](const Request&) { return Text("hello"); });
    router_.Add("POST", "/upload", [](const Request& request) {
      return Text("received " + std::to_string(request.body.size()));
    });
    router_.Add("GET", "/echo/{name}", [](const Request& request) {
      JsonValue query = JsonValue::array();
      for (const auto& [key, value] : request.query) query.push_back({key, value});
      JsonValue body = {{"name", request.params.at("name")},
                        {"path", request.path},
                        {"query", query},
                        {"remote", request.remote_address}};
      const std::string* header = request.Header("x-test");
      if (header) body["x-test"] = *header;
      return Json(200, body.dump());
    });
    router_.Add("GET", "/throw",
                [](const Request&) -> Response { throw std::runtime_error("boom"); });
    router_.Add("GET", "/slow", [this](const Request&) {
      slow_started_ = true;
      std::this_thread::sleep_for(500ms);
      return Text("done");
    });
    router_.Add("GET", "/stream", [](const Request&) {
      Response response;
      response.headers.emplace_back("Content-Type", "text/plain");
      auto next = std::make_shared<int>(0);
      response.stream = [next](std::string& out) {
        char line[32];
        std::snprintf(line, sizeof line, "piece %05d\n", *next);
        out += line;
        return ++*next < 10'000;
      };
      return response;
    });
    router_.Add("GET", "/metrics", [](const Request&) { return Text(MetricsText()); });
  }

  void Start(ServerOptions options = TestOptions()) {
    auto server = Server::Start(options, [this](const Request& r) { return router_.Handle(r); });
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::atomic<bool> slow_started_{false};
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.SendRequest("GET", "/hello"));
    const auto response = client.ReadResponse();
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello");
    EXPECT_EQ(response->Header("content-length"), "5");
    EXPECT_EQ(response->Header("server"), "limpide");
    EXPECT_FALSE(response->Header("date").empty());
    EXPECT_EQ(response->Header("connection"), "");
  }
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.Send(
      "GET /echo/one HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/two HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto first = client.ReadResponse();
  const auto second = client.ReadResponse();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(JsonValue::parse(first->body)["name"], "one");
  EXPECT_EQ(JsonValue::parse(second->body)["name"], "two");
}

TEST_F(ServerTest, ConnectionCloseRequestIsAnsweredThenClosed) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("GET", "/hello", "Connection: close\r\n"));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose(2s));
}

TEST_F(ServerTest, Http10ClientGetsKeepAliveOnlyWhenItAsks) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("connection"), "keep-alive");
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\n\r\n"));
  response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose(2s));
}

TEST_F(ServerTest, UnknownPathGets404ProblemJson) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("GET", "/nowhere?x=1"));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  const JsonValue body = JsonValue::parse(response->body);
  EXPECT_EQ(body["type"], "/problems/not_found");
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["instance"], "/nowhere?x=1");
  EXPECT_TRUE(body["detail"].is_string());
}

TEST_F(ServerTest, WrongMethodGets405ProblemJsonWithAllowHeader) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("DELETE", "/hello"));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->Header("allow"), "GET, HEAD");
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  EXPECT_EQ(JsonValue::parse(response->body)["type"], "/problems/method_not_allowed");
}

TEST_F(ServerTest, HeadGetsTheHeadersOfGetWithoutBody) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("HEAD", "/hello"));
  const auto response = client.ReadResponse(5s, /*head_only=*/true);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-length"), "5");
  // The connection stays usable: no stray body bytes precede the next answer.
  ASSERT_TRUE(client.SendRequest("HEAD", "/stream"));
  const auto streamed = client.ReadResponse(5s, true);
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->Header("transfer-encoding"), "chunked");
  ASSERT_TRUE(client.SendRequest("GET", "/hello"));
  const auto next = client.ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, BodyWithinTheLimitReachesTheHandler) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("POST", "/upload", {}, std::string(100'000, 'x')));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "received 100000");
}

TEST_F(ServerTest, ExpectContinueGets100ThenTheResponse) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.Send(
      "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = client.ReadResponse();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("abc"));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "received 3");
}

TEST_F(ServerTest, OversizedBodyGets413AndTheConnectionCloses) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  Start(options);
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("POST", "/upload", {}, std::string(5000, 'x')));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(JsonValue::parse(response->body)["type"], "/problems/content_too_large");
  EXPECT_TRUE(client.WaitForClose(3s));
}

TEST_F(ServerTest, OversizedChunkedBodyGets413) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  Start(options);
  TestClient client(server_->port());
  std::string request = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) request += "200\r\n" + std::string(512, 'y') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.Send(request));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  Start(options);
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("GET", "/hello", "X-Big: " + std::string(2000, 'h') + "\r\n"));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  EXPECT_EQ(JsonValue::parse(response->body)["status"], 431);
}

TEST_F(ServerTest, SlowClientIsDisconnectedAfterTheReadTimeout) {
  ServerOptions options = TestOptions();
  options.read_timeout = 300ms;
  Start(options);
  TestClient client(server_->port());
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: t\r\n"));  // headers never end
  EXPECT_TRUE(client.WaitForClose(3s));
  const auto waited = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 1500ms);
}

TEST_F(ServerTest, TrickleOfBytesDoesNotExtendTheReadTimeout) {
  ServerOptions options = TestOptions();
  options.read_timeout = 300ms;
  Start(options);
  TestClient client(server_->port());
  const auto begin = std::chrono::steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {
    closed = !client.Send("X") || client.WaitForClose(50ms);
  }
  EXPECT_TRUE(closed || client.WaitForClose(1s));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1200ms);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions options = TestOptions();
  options.idle_timeout = 300ms;
  Start(options);
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("GET", "/hello"));
  ASSERT_TRUE(client.ReadResponse());
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitForClose(3s));
  const auto waited = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 1500ms);
}

TEST_F(ServerTest, RateLimitAnswers429WithRetryAfter) {
  ServerOptions options = TestOptions();
  options.rate_per_second = 0.5;
  options.burst = 2;
  Start(options);
  TestClient client(server_->port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.SendRequest("GET", "/hello"));
    const auto response = client.ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
  ASSERT_TRUE(client.SendRequest("GET", "/hello"));
  const auto limited = client.ReadResponse();
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->Header("content-type"), "application/problem+json");
  const int retry_after = std::stoi(limited->Header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);
  EXPECT_EQ(JsonValue::parse(limited->body)["type"], "/problems/too_many_requests");
  // The connection is kept: 429 is an answer, not a punishment.
  ASSERT_TRUE(client.SendRequest("GET", "/hello"));
  const auto again = client.ReadResponse();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 429);
}

TEST_F(ServerTest, StreamedResponseArrivesChunkedAndComplete) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("GET", "/stream"));
  const auto response = client.ReadResponse(10s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->chunked);
  EXPECT_EQ(response->Header("content-length"), "");
  EXPECT_EQ(response->chunks, 10'000u);
  ASSERT_EQ(response->body.size(), 10'000u * 12);
  EXPECT_EQ(response->body.substr(0, 12), "piece 00000\n");
  EXPECT_EQ(response->body.substr(response->body.size() - 12), "piece 09999\n");
  // And the connection goes on.
  ASSERT_TRUE(client.SendRequest("GET", "/hello"));
  ASSERT_TRUE(client.ReadResponse());
}

TEST_F(ServerTest, StreamProducerExceptionCutsTheConnectionBeforeTheLastChunk) {
  router_.Add("GET", "/broken-stream", [](const Request&) {
    Response response;
    auto sent = std::make_shared<int>(0);
    response.stream = [sent](std::string& out) -> bool {
      if (++*sent > 3) throw std::runtime_error("database went away");
      out += "row\n";
      return true;
    };
    return response;
  });
  Start();
  TestClient client(server_->port());
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(client.SendRequest("GET", "/broken-stream"));
  EXPECT_FALSE(client.ReadResponse(3s)) << "a truncated body must not look complete";
  EXPECT_TRUE(client.WaitForClose(3s));
  std::this_thread::sleep_for(50ms);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("database went away"), std::string::npos);
}

TEST_F(ServerTest, HandlerExceptionGives500ProblemAndTheServerKeepsServing) {
  Start();
  TestClient client(server_->port());
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(client.SendRequest("GET", "/throw"));
  const auto response = client.ReadResponse();
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  const JsonValue body = JsonValue::parse(response->body);
  EXPECT_EQ(body["type"], "/problems/internal");
  EXPECT_EQ(body["detail"].get<std::string>().find("boom"), std::string::npos)
      << "exception text must not leak to clients";
  EXPECT_NE(log.find("boom"), std::string::npos) << "but it is logged";
  ASSERT_TRUE(client.SendRequest("GET", "/hello"));
  const auto next = client.ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, ConnectionsBeyondTheCapAreRefusedWith503) {
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  Start(options);
  TestClient first(server_->port());
  auto second_owner = std::make_unique<TestClient>(server_->port());
  TestClient& second = *second_owner;
  for (TestClient* client : {&first, &second}) {
    ASSERT_TRUE(client->SendRequest("GET", "/hello"));
    ASSERT_TRUE(client->ReadResponse());
  }
  TestClient third(server_->port());
  const auto refused = third.ReadResponse(3s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->Header("content-type"), "application/problem+json");
  EXPECT_TRUE(third.WaitForClose(3s));
  // The open ones still work, and a slot frees when one closes.
  ASSERT_TRUE(first.SendRequest("GET", "/hello"));
  ASSERT_TRUE(first.ReadResponse());
  ASSERT_TRUE(second.SendRequest("GET", "/hello", "Connection: close\r\n"));
  ASSERT_TRUE(second.ReadResponse());
  ASSERT_TRUE(second.WaitForClose(3s));
  second_owner.reset();  // the server's lingering close ends when the client closes too
  std::this_thread::sleep_for(100ms);
  TestClient fourth(server_->port());
  ASSERT_TRUE(fourth.SendRequest("GET", "/hello"));
  const auto served = fourth.ReadResponse();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
}

TEST_F(ServerTest, StopLetsARunningSlowHandlerFinish) {
  Start();
  TestClient busy(server_->port());
  TestClient idle(server_->port());
  ASSERT_TRUE(idle.SendRequest("GET", "/hello"));
  ASSERT_TRUE(idle.ReadResponse());
  ASSERT_TRUE(busy.SendRequest("GET", "/slow"));
  while (!slow_started_) std::this_thread::sleep_for(5ms);
  server_->Stop();
  const auto begin = std::chrono::steady_clock::now();
  std::thread waiter([this] { server_->Wait(); });
  const auto response = busy.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "done");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(idle.WaitForClose(1s)) << "idle connections close at once";
  EXPECT_TRUE(busy.WaitForClose(2s));
  waiter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 3s);
  TestClient late(server_->port());
  EXPECT_FALSE(late.connected() && late.SendRequest("GET", "/hello") && late.ReadResponse(500ms));
}

TEST_F(ServerTest, SigtermStopsAServerThatHandlesSignals) {
  Start();
  server_->HandleSignals();
  std::thread waiter([this] { server_->Wait(); });
  std::raise(SIGTERM);
  waiter.join();  // returns: Wait saw the signal
  SUCCEED();
}

TEST_F(ServerTest, MetricsCountTheRequestsMade) {
  static int runs = 0;  // metrics are process-wide: a fresh route on every run
  const std::string base = "/counted" + std::to_string(++runs);
  const std::string route = base + "/{id}";
  router_.Add("GET", route, [](const Request&) { return Text("ok"); });
  Start();
  TestClient client(server_->port());
  for (const char* id : {"1", "2", "3"}) {
    ASSERT_TRUE(client.SendRequest("GET", base + "/" + id));
    ASSERT_TRUE(client.ReadResponse());
  }
  ASSERT_TRUE(client.SendRequest("POST", base + "/4"));
  ASSERT_TRUE(client.ReadResponse());
  ASSERT_TRUE(client.SendRequest("GET", "/metrics"));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  const std::string& text = response->body;
  const std::string labels = "route=\"" + route + "\"";
  EXPECT_NE(
      text.find("limpide_http_requests_total{method=\"GET\"," + labels + ",status=\"200\"} 3\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("limpide_http_requests_total{method=\"POST\"," + labels + ",status=\"405\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("limpide_http_request_duration_seconds_count{" + labels + "} 4\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("limpide_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 4\n"),
      std::string::npos);
  EXPECT_NE(text.find("limpide_http_connections_open "), std::string::npos);
}

TEST_F(ServerTest, PathAndQueryArePercentDecoded) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("GET", "/echo/a%20b%2Fc%C3%A9?x=1%2B1&y=a+b&flag&&z=%26%3D",
                                 "X-Test: yes\r\n"));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  const JsonValue body = JsonValue::parse(response->body);
  EXPECT_EQ(body["name"], "a b/c\xC3\xA9") << "%2F stays inside its segment";
  EXPECT_EQ(body["path"], "/echo/a b/c\xC3\xA9");
  EXPECT_EQ(body["query"], JsonValue::parse(R"([["x","1+1"],["y","a b"],["flag",""],["z","&="]])"));
  EXPECT_EQ(body["remote"], "127.0.0.1");
  EXPECT_EQ(body["x-test"], "yes");
}

TEST_F(ServerTest, BadPercentEncodingGets400NamingTheField) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.SendRequest("GET", "/echo/bad%zz"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  EXPECT_EQ(JsonValue::parse(response->body)["field"], "path");
  ASSERT_TRUE(client.SendRequest("GET", "/hello?a=%4"));
  response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(JsonValue::parse(response->body)["field"], "query");
  EXPECT_EQ(JsonValue::parse(response->body)["type"], "/problems/invalid_argument");
}

TEST_F(ServerTest, MalformedRequestLineGets400AndTheConnectionCloses) {
  Start();
  TestClient client(server_->port());
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  const auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Header("content-type"), "application/problem+json");
  EXPECT_EQ(JsonValue::parse(response->body)["type"], "/problems/bad_request");
  EXPECT_TRUE(client.WaitForClose(3s));
}

TEST_F(ServerTest, AccessLogWritesOneJsonLinePerRequest) {
  ServerOptions options = TestOptions();
  options.access_log = true;
  Start(options);
  TestClient client(server_->port());
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(client.SendRequest("GET", "/echo/x%22y?q=\"quoted\""));
  ASSERT_TRUE(client.ReadResponse());
  ASSERT_TRUE(client.SendRequest("GET", "/missing"));
  ASSERT_TRUE(client.ReadResponse());
  std::this_thread::sleep_for(50ms);  // the line is written after the response
  const std::string log = ::testing::internal::GetCapturedStderr();
  std::vector<JsonValue> lines;
  size_t start = 0;
  for (size_t end; (end = log.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(JsonValue::parse(log.substr(start, end - start)));
  }
  ASSERT_EQ(lines.size(), 2u) << log;
  EXPECT_EQ(lines[0]["method"], "GET");
  EXPECT_EQ(lines[0]["target"], "/echo/x%22y?q=\"quoted\"");
  EXPECT_EQ(lines[0]["status"], 200);
  EXPECT_EQ(lines[0]["route"], "/echo/{name}");
  EXPECT_EQ(lines[0]["remote"], "127.0.0.1");
  EXPECT_GT(lines[0]["bytes"].get<int>(), 0);
  EXPECT_TRUE(lines[0]["duration_ms"].is_number());
  EXPECT_EQ(lines[0]["time"].get<std::string>().size(), 24u);  // 2024-05-01T12:00:00.123Z
  EXPECT_EQ(lines[1]["status"], 404);
  EXPECT_EQ(lines[1]["route"], "unmatched");
}

TEST_F(ServerTest, BindingAPortInUseFailsWithUnavailable) {
  Start();
  ServerOptions options = TestOptions();
  options.port = server_->port();
  auto second = Server::Start(options, [](const Request&) { return Response{}; });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace limpide::http
