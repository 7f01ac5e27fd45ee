// A connected TCP socket (plain POSIX, non-blocking under the hood) with one
// deadline for everything done on it, optionally wrapped in TLS (OpenSSL, the
// peer's certificate checked against the system's trusted authorities and
// the host name): the transport of http/client.h and of the SMTP sender of
// alerts/send.h. Never throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

struct ssl_st;  // OpenSSL's SSL, seen only by connection.cpp

namespace limpide::http {

class TcpConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // Resolves `host` and connects to the first address that answers before
  // `deadline`. unavailable with the reason otherwise ("timed out", "cannot
  // resolve …", "cannot connect to …").
  static Result<std::unique_ptr<TcpConnection>> Open(const std::string& host, uint16_t port,
                                                     Clock::time_point deadline);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // TLS from here on: the handshake (SNI `host`, TLS 1.2 or later), then the
  // peer's certificate must chain to an authority trusted by the system
  // (OpenSSL's default paths; SSL_CERT_FILE / SSL_CERT_DIR override them) and
  // name `host`. unavailable with OpenSSL's reason otherwise.
  Status StartTls(const std::string& host);

  // Writes all of `data`; unavailable when the peer fails or the deadline passes.
  Status Write(std::string_view data);
  // Appends what arrives (at least one byte) to `buffer`; false at the end of
  // the stream. unavailable on an error or when the deadline passes.
  Result<bool> Read(std::string& buffer);

 private:
  TcpConnection(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}
  Status Wait(short events);

  // Waits for what OpenSSL asked for after a call that returned `rc`; false
  // (with `error`) when the call failed for good.
  Status WaitForTls(int rc, const char* what);

  int fd_;
  Clock::time_point deadline_;
  ssl_st* ssl_ = nullptr;
};

}  // namespace limpide::http
