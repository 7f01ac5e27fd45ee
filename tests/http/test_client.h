// A tiny blocking HTTP/1.1 client on POSIX sockets for the server tests. It is
// deliberately independent of Beast, so that the tests check the bytes the
// server puts on the wire.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace limpide::http::testing {

using namespace std::chrono_literals;

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // de-chunked
  bool chunked = false;
  size_t chunks = 0;  // data chunks received when chunked

  const std::string& Header(const std::string& name) const {
    static const std::string kEmpty;
    const auto it = headers.find(name);
    return it == headers.end() ? kEmpty : it->second;
  }
};

class TestClient {
 public:
  explicit TestClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    int one = 1;
    if (fd_ >= 0) ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~TestClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Sends "METHOD target HTTP/1.1" with Host and the extra header lines.
  bool SendRequest(std::string_view method, std::string_view target,
                   std::string_view extra_headers = {}, std::string_view body = {}) {
    std::string request(method);
    request += ' ';
    request += target;
    request += " HTTP/1.1\r\nHost: test\r\n";
    request += extra_headers;
    if (!body.empty()) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n";
    request += body;
    return Send(request);
  }

  // Reads one response; nullopt on timeout, close or garbage. `head_only`
  // for answers to HEAD (no body whatever the headers say).
  std::optional<RawResponse> ReadResponse(std::chrono::milliseconds timeout = 5s,
                                          bool head_only = false) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawResponse response;
    const std::string head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    if (head.rfind("HTTP/1.1 ", 0) != 0 || head.size() < 12) return std::nullopt;
    response.status = std::stoi(head.substr(9, 3));
    size_t pos = head.find("\r\n") + 2;
    while (pos < head.size()) {
      const size_t line_end = head.find("\r\n", pos);
      const std::string line = head.substr(pos, line_end - pos);
      pos = line_end + 2;
      const size_t colon = line.find(':');
      if (colon == std::string::npos) return std::nullopt;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t value_start = colon + 1;
      while (value_start < line.size() && line[value_start] == ' ') ++value_start;
      response.headers[name] = line.substr(value_start);
    }
    if (head_only || response.status == 204 || response.status == 304 || response.status < 200) {
      return response;
    }
    if (response.Header("transfer-encoding") == "chunked") {
      response.chunked = true;
      while (true) {
        size_t line_end;
        while ((line_end = buffer_.find("\r\n")) == std::string::npos) {
          if (!Fill(deadline)) return std::nullopt;
        }
        const size_t size = std::stoul(buffer_.substr(0, line_end), nullptr, 16);
        buffer_.erase(0, line_end + 2);
        while (buffer_.size() < size + 2) {
          if (!Fill(deadline)) return std::nullopt;
        }
        if (buffer_.compare(size, 2, "\r\n") != 0) return std::nullopt;
        response.body.append(buffer_, 0, size);
        buffer_.erase(0, size + 2);
        if (size == 0) break;
        ++response.chunks;
      }
      return response;
    }
    if (response.headers.count("content-length")) {
      const size_t length = std::stoul(response.Header("content-length"));
      while (buffer_.size() < length) {
        if (!Fill(deadline)) return std::nullopt;
      }
      response.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
      return response;
    }
    while (Fill(deadline)) {  // delimited by the end of the connection
    }
    response.body = std::move(buffer_);
    buffer_.clear();
    return response;
  }

  // True when the server closes the connection (end of stream or reset)
  // within `timeout`; data received meanwhile is kept.
  bool WaitForClose(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const int state = FillOnce(deadline);
      if (state < 0) return true;    // closed
      if (state == 0) return false;  // timed out
    }
  }

  const std::string& pending() const { return buffer_; }

 private:
  // 1: read some bytes; 0: deadline passed; -1: connection closed or failed.
  int FillOnce(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready == 0) return 0;
    if (ready < 0) return errno == EINTR ? 1 : -1;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return -1;
    buffer_.append(chunk, static_cast<size_t>(n));
    return 1;
  }
  bool Fill(std::chrono::steady_clock::time_point deadline) { return FillOnce(deadline) > 0; }

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace limpide::http::testing
