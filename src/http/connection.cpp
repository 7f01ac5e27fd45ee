#include "http/connection.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

namespace limpide::http {

Result<std::unique_ptr<TcpConnection>> TcpConnection::Open(const std::string& host, uint16_t port,
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
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    std::unique_ptr<TcpConnection> conn(new TcpConnection(fd, deadline));
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

TcpConnection::~TcpConnection() {
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// One client context for the process, built at first use: system trust
// store, TLS 1.2 or later, peers verified.
SSL_CTX* ClientContext() {
  static SSL_CTX* ctx = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    if (!c) return c;
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
    (void)SSL_CTX_set_default_verify_paths(c);
    // A peer that closes without close_notify ends the stream like a TCP
    // close: the HTTP reader then checks that nothing was cut short.
    SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
    return c;
  }();
  return ctx;
}

std::string TlsErrors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown TLS error" : out;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

Status TcpConnection::WaitForTls(int rc, const char* what) {
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
      return Wait(POLLIN);
    case SSL_ERROR_WANT_WRITE:
      return Wait(POLLOUT);
    case SSL_ERROR_SYSCALL:
      return Status::Unavailable(std::string("TLS ") + what + " failed: " +
                                 (errno ? std::strerror(errno) : "connection closed"));
    default:
      return Status::Unavailable(std::string("TLS ") + what + " failed: " + TlsErrors());
  }
}

Status TcpConnection::StartTls(const std::string& host) {
  ERR_clear_error();
  SSL_CTX* ctx = ClientContext();
  if (!ctx) return Status::Unavailable("TLS: " + TlsErrors());
  ssl_ = SSL_new(ctx);
  if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) return Status::Unavailable("TLS: " + TlsErrors());
  if (IsIpAddress(host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str()) != 1)
      return Status::Unavailable("TLS: " + TlsErrors());
  } else {
    if (SSL_set_tlsext_host_name(ssl_, host.c_str()) != 1 || SSL_set1_host(ssl_, host.c_str()) != 1)
      return Status::Unavailable("TLS: " + TlsErrors());
  }
  for (;;) {
    const int rc = SSL_connect(ssl_);
    if (rc == 1) return Status::Ok();
    if (SSL_get_error(ssl_, rc) == SSL_ERROR_SSL) {
      const long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        return Status::Unavailable("TLS handshake with " + host + " failed: certificate " +
                                   X509_verify_cert_error_string(verify));
      }
    }
    LIMPIDE_RETURN_IF_ERROR(WaitForTls(rc, "handshake"));
  }
}

Status TcpConnection::Write(std::string_view data) {
  while (ssl_ && !data.empty()) {
    size_t written = 0;
    const int rc = SSL_write_ex(ssl_, data.data(), data.size(), &written);
    if (rc == 1) {
      data.remove_prefix(written);
      continue;
    }
    LIMPIDE_RETURN_IF_ERROR(WaitForTls(rc, "write"));
  }
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

Result<bool> TcpConnection::Read(std::string& buffer) {
  while (ssl_) {
    char chunk[65536];
    size_t got = 0;
    // Bytes OpenSSL holds already are read before any wait on the socket.
    const int rc = SSL_read_ex(ssl_, chunk, sizeof chunk, &got);
    if (rc == 1) {
      buffer.append(chunk, got);
      return true;
    }
    if (SSL_get_error(ssl_, rc) == SSL_ERROR_ZERO_RETURN) return false;
    LIMPIDE_RETURN_IF_ERROR(WaitForTls(rc, "read"));
  }
  for (;;) {
    LIMPIDE_RETURN_IF_ERROR(Wait(POLLIN));
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return Status::Unavailable(std::string("read failed: ") + std::strerror(errno));
    }
    buffer.append(chunk, static_cast<size_t>(n));
    return n > 0;
  }
}

Status TcpConnection::Wait(short events) {
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

}  // namespace limpide::http
