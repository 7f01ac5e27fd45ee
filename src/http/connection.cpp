#include "http/connection.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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
  if (fd_ >= 0) ::close(fd_);
}

Status TcpConnection::Write(std::string_view data) {
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
