// http/client.h: the response reader on whole, cut and broken input, and
// Fetch against a scripted peer on a loopback socket (port 0).
#include "http/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace limpide::http {
namespace {

using namespace std::chrono_literals;

ClientResponse Whole(std::string_view data, bool closed = false) {
  auto r = ParseResponse(data, closed);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok() || !r->has_value()) {
    ADD_FAILURE() << "not whole: " << data;
    return {};
  }
  return **r;
}

bool NeedsMore(std::string_view data) {
  auto r = ParseResponse(data, false);
  return r.ok() && !r->has_value();
}

ErrorCode Broken(std::string_view data, bool closed = false, uint64_t max_body = 1 << 20) {
  auto r = ParseResponse(data, closed, max_body);
  EXPECT_FALSE(r.ok() && r->has_value()) << "accepted: " << data;
  return r.ok() ? ErrorCode::kOk : r.status().code();
}

TEST(ClientParse, ReadsAResponseWithContentLength) {
  const auto r = Whole(
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
      "content-length: 7\r\n\r\n{\"a\":1}");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.reason, "Created");
  EXPECT_EQ(r.body, "{\"a\":1}");
  ASSERT_NE(r.Header("CONTENT-TYPE"), nullptr);
  EXPECT_EQ(*r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("X-Missing"), nullptr);
}

TEST(ClientParse, WaitsForTheWholeHeadAndBody) {
  const std::string full = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  for (size_t n = 0; n < full.size(); ++n) EXPECT_TRUE(NeedsMore(full.substr(0, n))) << n;
  EXPECT_EQ(Whole(full).body, "hello");
}

TEST(ClientParse, ReadsAChunkedBodyWithExtensionsAndTrailers) {
  const auto r = Whole(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n1A\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nX-Trailer: 1\r\n\r\n");
  EXPECT_EQ(r.body, "hello abcdefghijklmnopqrstuvwxy");
}

TEST(ClientParse, AChunkedBodyCutAnywhereNeedsMore) {
  const std::string full =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  for (size_t n = 0; n < full.size(); ++n) EXPECT_TRUE(NeedsMore(full.substr(0, n))) << n;
  EXPECT_EQ(Whole(full).body, "abc");
}

TEST(ClientParse, ABodyWithoutLengthRunsToTheClose) {
  EXPECT_TRUE(NeedsMore("HTTP/1.0 200 OK\r\n\r\npartial"));
  EXPECT_EQ(Whole("HTTP/1.0 200 OK\r\n\r\nall of it", true).body, "all of it");
}

TEST(ClientParse, NoBodyFor204And304AndInterimResponsesAreSkipped) {
  EXPECT_EQ(Whole("HTTP/1.1 204 No Content\r\n\r\n").body, "");
  EXPECT_EQ(Whole("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").status, 304);
  const auto r =
      Whole("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(Whole("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").reason, "");
}

TEST(ClientParse, BadStatusLinesAreRefused) {
  for (const char* bad :
       {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n", "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 600 High\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\n\r\n", "\r\n\r\n"}) {
    EXPECT_EQ(Broken(bad), ErrorCode::kUnavailable) << bad;
  }
}

TEST(ClientParse, BadHeadersAreRefused) {
  for (const char* bad :
       {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n"}) {
    EXPECT_EQ(Broken(bad), ErrorCode::kUnavailable) << bad;
  }
}

TEST(ClientParse, TruncatedHeadsAreRefusedAtTheClose) {
  EXPECT_EQ(Broken("", true), ErrorCode::kUnavailable);
  EXPECT_EQ(Broken("HTTP/1.1 200 OK\r\nContent-Len", true), ErrorCode::kUnavailable);
  auto r = ParseResponse("", true);
  EXPECT_NE(r.status().message().find("without answering"), std::string::npos);
}

TEST(ClientParse, WrongContentLengthsAreRefused) {
  for (const char* bad : {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
                          "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n0\r\n\r\n"}) {
    EXPECT_EQ(Broken(bad), ErrorCode::kUnavailable) << bad;
  }
  // A body shorter than announced when the peer closes.
  EXPECT_EQ(Broken("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true),
            ErrorCode::kUnavailable);
  // The same length twice is one length.
  EXPECT_EQ(Whole("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok").body,
            "ok");
  // Bytes after the announced length are not body.
  EXPECT_EQ(Whole("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA").body, "ok");
}

TEST(ClientParse, BrokenChunkedBodiesAreRefused) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* bad :
       {"zz\r\nab\r\n0\r\n\r\n", "\r\n", "3\r\nabcd\r\n0\r\n\r\n", "-3\r\nabc\r\n0\r\n\r\n",
        "3\r\nabc\r\n0\r\nno colon\r\n\r\n", "fffffffffffffffffffff\r\n"}) {
    EXPECT_EQ(Broken(head + bad), ErrorCode::kUnavailable) << bad;
  }
  EXPECT_EQ(Broken(head + "3\r\nabc\r\n", true), ErrorCode::kUnavailable);
  EXPECT_EQ(Broken("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), ErrorCode::kUnavailable);
  EXPECT_EQ(Broken("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
            ErrorCode::kUnavailable);
}

TEST(ClientParse, LimitsAreResourceExhausted) {
  EXPECT_EQ(Broken("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", false, 10),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(Broken("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n",
                   false, 10),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(Broken("HTTP/1.0 200 OK\r\n\r\n" + std::string(11, 'x'), false, 10),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(Broken("HTTP/1.1 200 OK\r\nX: " + std::string(70'000, 'a')),
            ErrorCode::kResourceExhausted);
  // A chunk size at the top of 64 bits with no limit at all: refused, no overflow.
  EXPECT_EQ(Broken("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "ffffffffffffffff\r\nab",
                   false, UINT64_MAX),
            ErrorCode::kResourceExhausted);
}

TEST(ClientUrl, SplitsHttpUrls) {
  auto u = ParseHttpUrl("http://127.0.0.1:8080/api/v1/tenders?limit=2#top");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->authority, "127.0.0.1:8080");
  EXPECT_EQ(u->target, "/api/v1/tenders?limit=2");
  u = ParseHttpUrl("http://example.org");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/");
  u = ParseHttpUrl("https://example.org");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->port, 443);
  u = ParseHttpUrl("https://example.org:8443/a");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 8443);
  u = ParseHttpUrl("http://[::1]:9/x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9);
  for (const char* bad :
       {"ftp://x", "http://", "https://", "http://:80/", "http://h:0/",
        "http://h:70000/", "http://u@h/", "http://h/a b", "http://[::1/"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

// A peer on 127.0.0.1 that reads a request and answers `reply` (then closes,
// unless `linger`): enough to check the bytes Fetch sends and its deadline.
class Peer {
 public:
  explicit Peer(std::string reply, bool linger = false) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    EXPECT_EQ(::listen(fd_, 1), 0);
    thread_ = std::thread([this, reply = std::move(reply), linger] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[65536];
      // Reads until the head and the announced body are in.
      for (;;) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request_.append(buf, static_cast<size_t>(n));
        const size_t end = request_.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        size_t length = 0;
        if (auto at = request_.find("Content-Length: "); at != std::string::npos)
          length = std::stoul(request_.substr(at + 16));
        if (request_.size() >= end + 4 + length) break;
      }
      ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      if (linger) std::this_thread::sleep_for(600ms);
      ::close(c);
    });
  }
  ~Peer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  const std::string& request() const { return request_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::string request_;
};

TEST(ClientFetch, SendsTheRequestAndReadsTheAnswer) {
  std::string request;
  {
    Peer peer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", /*linger=*/true);
    ClientRequest r;
    r.method = "PUT";
    r.url = peer.Url("/api/v1/x?y=1");
    r.headers = {{"Authorization", "Bearer t"}, {"Content-Type", "application/octet-stream"}};
    r.body = std::string("a\0b", 3);
    auto res = Fetch(r);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "ok");  // whole at Content-Length: no wait for the close
    request = peer.request();
  }
  EXPECT_EQ(request.rfind("PUT /api/v1/x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:", 0), 0u);
  EXPECT_NE(request.find("\r\nContent-Length: 3\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nAuthorization: Bearer t\r\n"), std::string::npos);
  EXPECT_EQ(request.substr(request.size() - 3), std::string("a\0b", 3));
}

TEST(ClientFetch, TimesOutOnASilentPeer) {
  Peer peer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", /*linger=*/true);
  ClientRequest r;
  r.url = peer.Url("/");
  r.timeout = 200ms;
  auto res = Fetch(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(res.status().message(), "timed out");
}

TEST(ClientFetch, ACutAnswerIsAnError) {
  Peer peer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  ClientRequest r;
  r.url = peer.Url("/");
  auto res = Fetch(r);
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.status().message().find("cut short"), std::string::npos);
}

TEST(ClientFetch, HeadOnlyReturnsAtTheHead) {
  Peer peer("HTTP/1.1 202 Accepted\r\nContent-Length: 100000\r\n\r\nnot all", /*linger=*/true);
  ClientRequest r;
  r.method = "POST";
  r.url = peer.Url("/hook");
  r.head_only = true;
  r.timeout = 5s;
  auto res = Fetch(r);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 202);
}

TEST(ClientFetch, NobodyListeningIsUnavailable) {
  // A port just closed: nothing listens there.
  uint16_t port = 0;
  {
    Peer peer("");
    port = static_cast<uint16_t>(std::stoi(peer.Url("").substr(17)));
    ClientRequest r;
    r.url = peer.Url("/");
    (void)Fetch(r);
  }
  ClientRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto res = Fetch(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), ErrorCode::kUnavailable);
  r.url = "ftp://127.0.0.1/";
  EXPECT_EQ(Fetch(r).status().code(), ErrorCode::kInvalidArgument);
  r.url = "http://127.0.0.1:1/";
  r.headers = {{"X", "a\r\nInjected: 1"}};
  EXPECT_EQ(Fetch(r).status().code(), ErrorCode::kInvalidArgument);
}

// The fuzz target's seeds (fuzz/corpus/http_response): whole, cut and broken
// responses: the broken ones (broken-*, truncated-*, small-*) fail, the others are whole.
TEST(ClientParse, FuzzSeedsRunUnderGcc) {
  const auto dir = std::filesystem::path(LIMPIDE_SOURCE_DIR) / "fuzz/corpus/http_response";
  int seeds = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string data = text.str();
    ASSERT_FALSE(data.empty()) << e.path();
    // As the fuzz target reads them: the first byte is the body limit / 16.
    const uint64_t limit = uint64_t{static_cast<unsigned char>(data[0])} * 16;
    const std::string_view response = std::string_view(data).substr(1);
    auto r = ParseResponse(response, /*closed=*/true, limit);
    const bool broken = e.path().filename().string().rfind("broken-", 0) == 0 ||
                        e.path().filename().string().rfind("truncated-", 0) == 0 ||
                        e.path().filename().string().rfind("small-", 0) == 0;
    EXPECT_EQ(broken, !r.ok()) << e.path();
    if (r.ok()) {
      EXPECT_TRUE(r->has_value()) << e.path();
    }
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}

}  // namespace
}  // namespace limpide::http
