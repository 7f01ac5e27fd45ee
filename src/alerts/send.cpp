#include "alerts/send.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <fcntl.h>

#include "crypto/crypto.h"
#include "domain/time.h"

namespace limpide::alerts {
namespace {

using Clock = std::chrono::steady_clock;

// A connected socket with a deadline for everything done on it.
class Connection {
 public:
  Connection(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  static Result<std::unique_ptr<Connection>> Open(const std::string& host, uint16_t port,
                                                  Clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
      return Status::Unavailable("cannot resolve " + host + ": " + ::gai_strerror(rc));
    std::string last = "no address";
    for (addrinfo* a = found; a; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      auto conn = std::make_unique<Connection>(fd, deadline);
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
        Status st = conn->Wait(POLLOUT);
        int err = 0;
        socklen_t len = sizeof err;
        if (st.ok() && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
          ::freeaddrinfo(found);
          return conn;
        }
        last = st.ok() ? std::string(std::strerror(err)) : st.message();
      } else {
        last = std::strerror(errno);
      }
    }
    ::freeaddrinfo(found);
    return Status::Unavailable("cannot connect to " + host + ":" + service + ": " + last);
  }

  Status Write(std::string_view data) {
    while (!data.empty()) {
      LIMPIDE_RETURN_IF_ERROR(Wait(POLLOUT));
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return Status::Unavailable(std::string("write failed: ") + std::strerror(errno));
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  // Appends what arrives to `buffer`; false at the end of the stream.
  Result<bool> Read(std::string& buffer) {
    for (;;) {
      LIMPIDE_RETURN_IF_ERROR(Wait(POLLIN));
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return Status::Unavailable(std::string("read failed: ") + std::strerror(errno));
      }
      buffer.append(chunk, static_cast<size_t>(n));
      return n > 0;
    }
  }

 private:
  Status Wait(short events) {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
      if (left <= 0) return Status::Unavailable("timed out");
      pollfd p{fd_, events, 0};
      const int rc = ::poll(&p, 1, static_cast<int>(left));
      if (rc > 0) return Status::Ok();
      if (rc == 0) return Status::Unavailable("timed out");
      if (errno != EINTR) return Status::Unavailable(std::string("poll: ") + std::strerror(errno));
    }
  }

  int fd_;
  Clock::time_point deadline_;
};

// One SMTP reply (all its lines): the code and the text.
Result<std::pair<int, std::string>> Reply(Connection& c, std::string& buffer) {
  for (;;) {
    // A reply ends with a line "NNN text" (a dash after the code continues it).
    size_t start = 0;
    for (size_t eol; (eol = buffer.find("\r\n", start)) != std::string::npos; start = eol + 2) {
      if (eol - start >= 3 && (eol - start == 3 || buffer[start + 3] == ' ')) {
        int code = 0;
        std::from_chars(buffer.data() + start, buffer.data() + start + 3, code);
        std::string text = buffer.substr(0, eol);
        buffer.erase(0, eol + 2);
        return std::make_pair(code, std::move(text));
      }
    }
    auto more = c.Read(buffer);
    if (!more.ok()) return more.status();
    if (!*more) return Status::Unavailable("the SMTP server closed the connection");
  }
}

Status Expect(Connection& c, std::string& buffer, int first_digit, const char* step) {
  auto r = Reply(c, buffer);
  if (!r.ok()) return Status::Unavailable(std::string(step) + ": " + r.status().message());
  if (r->first / 100 != first_digit)
    return Status::Unavailable(std::string(step) + ": " + r->second);
  return Status::Ok();
}

// RFC 2047 encoded-word when the text is not plain ASCII.
std::string HeaderText(const std::string& text) {
  bool ascii = true;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || c < 0x20) ascii = false;
  }
  if (ascii) return text;
  return "=?UTF-8?B?" + crypto::Base64Encode(text) + "?=";
}

// CRLF line ends and dot-stuffing (RFC 5321 §4.5.2).
std::string DataBody(const std::string& body) {
  std::string out;
  out.reserve(body.size() + 64);
  bool line_start = true;
  for (const char ch : body) {
    if (ch == '\r') continue;
    if (line_start && ch == '.') out.push_back('.');
    if (ch == '\n') {
      out += "\r\n";
      line_start = true;
    } else {
      out.push_back(ch);
      line_start = false;
    }
  }
  if (!line_start) out += "\r\n";
  return out;
}

std::string RfcDate() {
  char buf[64];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return Status::InvalidArgument("expected HOST:PORT, got '" + std::string(text) + "'");
  unsigned port = 0;
  const std::string_view digits = text.substr(colon + 1);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || port == 0 ||
      port > 65535)
    return Status::InvalidArgument("the port of '" + std::string(text) + "' is not 1..65535");
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return std::make_pair(std::move(host), static_cast<uint16_t>(port));
}

Result<int> PostHttp(const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::string_view body, std::chrono::milliseconds timeout) {
  if (url.rfind("http://", 0) != 0) return Status::InvalidArgument("not an http:// URL");
  const std::string rest = url.substr(7);
  const size_t slash = rest.find_first_of("/?#");
  const std::string authority = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (target[0] != '/') target = "/" + target;
  if (auto hash = target.find('#'); hash != std::string::npos) target.resize(hash);
  std::string host = authority;
  uint16_t port = 80;
  if (authority.find(':') != std::string::npos) {
    auto hp = ParseHostPort(authority);
    if (!hp.ok()) return hp.status();
    host = hp->first;
    port = hp->second;
  }
  const auto deadline = Clock::now() + timeout;
  auto conn = Connection::Open(host, port, deadline);
  if (!conn.ok()) return conn.status();
  std::string request = "POST " + target + " HTTP/1.1\r\nHost: " + authority +
                        "\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\nConnection: close\r\nUser-Agent: limpide-alerts\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  request.append(body);
  LIMPIDE_RETURN_IF_ERROR((*conn)->Write(request));
  std::string response;
  while (response.find("\r\n") == std::string::npos) {
    auto more = (*conn)->Read(response);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  // "HTTP/1.1 204 No Content"
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12)
    return Status::Unavailable("the endpoint did not answer HTTP");
  int status = 0;
  auto [p, ec] = std::from_chars(response.data() + 9, response.data() + 12, status);
  if (ec != std::errc() || p != response.data() + 12)
    return Status::Unavailable("the endpoint's status line is malformed");
  return status;
}

Status SendMail(const std::string& host, uint16_t port, const Mail& mail,
                std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto opened = Connection::Open(host, port, deadline);
  if (!opened.ok()) return opened.status();
  Connection& c = **opened;
  std::string buffer;
  LIMPIDE_RETURN_IF_ERROR(Expect(c, buffer, 2, "greeting"));
  LIMPIDE_RETURN_IF_ERROR(c.Write("EHLO limpide\r\n"));
  LIMPIDE_RETURN_IF_ERROR(Expect(c, buffer, 2, "EHLO"));
  LIMPIDE_RETURN_IF_ERROR(c.Write("MAIL FROM:<" + mail.from + ">\r\n"));
  LIMPIDE_RETURN_IF_ERROR(Expect(c, buffer, 2, "MAIL FROM"));
  LIMPIDE_RETURN_IF_ERROR(c.Write("RCPT TO:<" + mail.to + ">\r\n"));
  LIMPIDE_RETURN_IF_ERROR(Expect(c, buffer, 2, "RCPT TO"));
  LIMPIDE_RETURN_IF_ERROR(c.Write("DATA\r\n"));
  LIMPIDE_RETURN_IF_ERROR(Expect(c, buffer, 3, "DATA"));
  const crypto::Hash id = crypto::Sha256(crypto::RandomToken());
  std::string data = "From: Limpide <" + mail.from + ">\r\nTo: <" + mail.to +
                     ">\r\nSubject: " + HeaderText(mail.subject) + "\r\nDate: " + RfcDate() +
                     "\r\nMessage-ID: <" + crypto::ToHex(id).substr(0, 32) + "@limpide>" +
                     "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8"
                     "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
                     DataBody(mail.body) + ".\r\n";
  LIMPIDE_RETURN_IF_ERROR(c.Write(data));
  LIMPIDE_RETURN_IF_ERROR(Expect(c, buffer, 2, "end of data"));
  (void)c.Write("QUIT\r\n");  // the mail is accepted; the goodbye does not matter
  return Status::Ok();
}

}  // namespace limpide::alerts
