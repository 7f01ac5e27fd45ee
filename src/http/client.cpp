// The blocking HTTP/1.1 client of http/client.h: plain sockets
// (http/connection.h), a strict response reader.
#include "http/client.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "http/connection.h"
#include "http/uri.h"

namespace limpide::http {
namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kMaxChunkLine = 4096;

bool IsTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status Malformed(const std::string& why) {
  return Status::Unavailable("malformed HTTP response: " + why);
}

// How the body of a response is delimited (RFC 9112 §6.3).
enum class Framing { kNone, kLength, kChunked, kUntilClose };

// The outcome of one pass over the bytes received so far.
struct Progress {
  std::optional<ClientResponse> response;  // whole
  size_t need = 0;  // when not whole: no use parsing again before this many bytes
};

// Parses the status line and header lines of `head` (without the final CRLF CRLF).
Status ParseHead(std::string_view head, ClientResponse& out) {
  const size_t eol = head.find("\r\n");
  const std::string_view line = head.substr(0, eol);
  // "HTTP/1.1 200 OK": the version, one space, three digits, then a space and a reason or nothing.
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[7] < '0' || line[7] > '9' ||
      line[8] != ' ' || (line.size() > 12 && line[12] != ' '))
    return Malformed("bad status line");
  int status = 0;
  auto [p, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
  if (ec != std::errc() || p != line.data() + 12 || status < 100 || status > 599)
    return Malformed("bad status code");
  out.status = status;
  out.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
  out.headers.clear();
  if (eol == std::string_view::npos) return Status::Ok();
  std::string_view rest = head.substr(eol + 2);
  while (!rest.empty()) {
    const size_t end = rest.find("\r\n");
    const std::string_view h = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return Malformed("header line without a name");
    const std::string_view name = h.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTokenChar))
      return Malformed("bad header name");  // obsolete line folding included
    const std::string_view value = Trim(h.substr(colon + 1));
    for (const char c : value) {
      if (c == '\r' || c == '\n' || c == '\0') return Malformed("bad header value");
    }
    out.headers.emplace_back(std::string(name), std::string(value));
  }
  return Status::Ok();
}

// The framing of the body of `r` and, for kLength, its length.
Result<std::pair<Framing, uint64_t>> BodyFraming(const ClientResponse& r, uint64_t max_body) {
  if (r.status == 204 || r.status == 304) return std::make_pair(Framing::kNone, uint64_t{0});
  std::optional<uint64_t> length;
  bool chunked = false;
  for (const auto& [name, value] : r.headers) {
    if (internal::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      // Only "chunked" is understood, and it must be the last coding.
      std::string_view v = value;
      const size_t comma = v.rfind(',');
      const std::string_view last = Trim(comma == std::string_view::npos ? v : v.substr(comma + 1));
      if (!internal::EqualsIgnoreCase(last, "chunked") || comma != std::string_view::npos)
        return Malformed("unsupported transfer coding " + value);
      if (chunked) return Malformed("chunked twice");
      chunked = true;
    } else if (internal::EqualsIgnoreCase(name, "Content-Length")) {
      uint64_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || p != value.data() + value.size())
        return Malformed("bad Content-Length");
      if (length && *length != n) return Malformed("conflicting Content-Length");
      length = n;
    }
  }
  if (chunked && length) return Malformed("both Content-Length and chunked");
  if (chunked) return std::make_pair(Framing::kChunked, uint64_t{0});
  if (length) {
    if (*length > max_body)
      return Status::ResourceExhausted("the response body of " + std::to_string(*length) +
                                       " bytes is beyond the limit of " + std::to_string(max_body));
    return std::make_pair(Framing::kLength, *length);
  }
  return std::make_pair(Framing::kUntilClose, uint64_t{0});
}

Status TooLong(uint64_t max_body) {
  return Status::ResourceExhausted("the response body is beyond the limit of " +
                                   std::to_string(max_body) + " bytes");
}

// Decodes a chunked body starting at `data[at]`. Whole: the body in `out`.
Result<Progress> Chunked(std::string_view data, size_t at, bool closed, uint64_t max_body,
                         ClientResponse& r) {
  std::vector<std::pair<size_t, size_t>> pieces;  // copied only once the body is whole
  uint64_t total = 0;
  const auto more = [&](size_t need) -> Result<Progress> {
    if (closed) return Malformed("cut short in the chunked body");
    return Progress{std::nullopt, need};
  };
  for (;;) {
    const size_t eol = data.find("\r\n", at);
    if (eol == std::string_view::npos) {
      if (data.size() - at > kMaxChunkLine) return Malformed("chunk size line too long");
      return more(data.size() + 1);
    }
    std::string_view line = data.substr(at, eol - at);
    if (line.size() > kMaxChunkLine) return Malformed("chunk size line too long");
    if (const size_t semi = line.find(';'); semi != std::string_view::npos)
      line = line.substr(0, semi);  // chunk extensions are ignored
    line = Trim(line);
    uint64_t size = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (line.empty() || ec != std::errc() || p != line.data() + line.size())
      return Malformed("bad chunk size");
    at = eol + 2;
    if (size == 0) {
      // Trailer fields, then an empty line.
      for (;;) {
        const size_t end = data.find("\r\n", at);
        if (end == std::string_view::npos) {
          if (data.size() - at > kMaxHeadBytes) return Malformed("trailer too long");
          return more(data.size() + 1);
        }
        if (end == at) break;
        if (data.substr(at, end - at).find(':') == std::string_view::npos)
          return Malformed("bad trailer line");
        at = end + 2;
      }
      r.body.clear();
      r.body.reserve(total);
      for (const auto& [from, n] : pieces) r.body.append(data.substr(from, n));
      return Progress{std::move(r), 0};
    }
    if (size > max_body - total) return TooLong(max_body);  // total <= max_body: no overflow
    if (size > data.size() - at || data.size() - at - size < 2) {
      if (size > SIZE_MAX - at - 2) return TooLong(max_body);
      return more(at + size + 2);
    }
    if (data.substr(at + size, 2) != "\r\n") return Malformed("chunk not followed by CRLF");
    pieces.emplace_back(at, size);
    total += size;
    at += size + 2;
  }
}

Result<Progress> Parse(std::string_view data, bool closed, uint64_t max_body, bool head_only) {
  size_t pos = 0;
  for (;;) {
    const size_t end = data.find("\r\n\r\n", pos);
    if (end == std::string_view::npos) {
      if (data.size() - pos > kMaxHeadBytes)
        return Status::ResourceExhausted("response head beyond 64 KiB");
      if (closed) {
        return data.empty()
                   ? Status::Unavailable("the server closed the connection without answering")
                   : Malformed("cut short in the head");
      }
      return Progress{std::nullopt, data.size() + 1};
    }
    if (end - pos > kMaxHeadBytes) return Status::ResourceExhausted("response head beyond 64 KiB");
    ClientResponse r;
    LIMPIDE_RETURN_IF_ERROR(ParseHead(data.substr(pos, end - pos), r));
    const size_t body = end + 4;
    if (r.status < 200) {
      if (r.status == 101) return Malformed("unexpected protocol switch");
      pos = body;  // an interim response: the real one follows
      continue;
    }
    if (head_only) return Progress{std::move(r), 0};
    auto framing = BodyFraming(r, max_body);
    if (!framing.ok()) return framing.status();
    switch (framing->first) {
      case Framing::kNone:
        return Progress{std::move(r), 0};
      case Framing::kLength: {
        const uint64_t n = framing->second;
        if (data.size() - body < n) {
          if (closed)
            return Malformed("cut short: " + std::to_string(data.size() - body) + " of " +
                             std::to_string(n) + " bytes of body");
          return Progress{std::nullopt, static_cast<size_t>(body + n)};
        }
        r.body.assign(data.substr(body, n));
        return Progress{std::move(r), 0};
      }
      case Framing::kChunked:
        return Chunked(data, body, closed, max_body, r);
      case Framing::kUntilClose:
        if (data.size() - body > max_body) return TooLong(max_body);
        if (!closed) return Progress{std::nullopt, data.size() + 1};
        r.body.assign(data.substr(body));
        return Progress{std::move(r), 0};
    }
  }
}

}  // namespace

const std::string* ClientResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (internal::EqualsIgnoreCase(n, name)) return &v;
  }
  return nullptr;
}

Result<std::optional<ClientResponse>> ParseResponse(std::string_view data, bool closed,
                                                    uint64_t max_body) {
  auto p = Parse(data, closed, max_body, false);
  if (!p.ok()) return p.status();
  return std::move(p->response);
}

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

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  HttpUrl out;
  if (url.substr(0, 8) == "https://") {
    out.tls = true;
    out.port = 443;
  } else if (url.substr(0, 7) != "http://") {
    return Status::InvalidArgument("not an http:// or https:// URL: " + std::string(url));
  }
  const std::string_view rest = url.substr(out.tls ? 8 : 7);
  const size_t slash = rest.find_first_of("/?#");
  out.authority = std::string(rest.substr(0, slash));
  if (out.authority.find('@') != std::string::npos)
    return Status::InvalidArgument("credentials in the URL are not accepted: " + std::string(url));
  if (out.authority.empty() || out.authority.find_first_of(" \t\r\n") != std::string::npos)
    return Status::InvalidArgument("no host in the URL " + std::string(url));
  std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (auto hash = target.find('#'); hash != std::string::npos) target.resize(hash);
  if (target.empty() || target[0] != '/') target = "/" + target;
  if (target.find_first_of(" \t\r\n") != std::string::npos)
    return Status::InvalidArgument("the URL holds white space: " + std::string(url));
  out.target = std::move(target);
  const bool bracketed = out.authority.front() == '[';
  const size_t close = bracketed ? out.authority.find(']') : std::string::npos;
  if (bracketed && close == std::string::npos)
    return Status::InvalidArgument("bad IPv6 host in " + std::string(url));
  const size_t colon = out.authority.find(':', bracketed ? close : 0);
  if (colon != std::string::npos) {
    auto hp = ParseHostPort(out.authority);
    if (!hp.ok()) return hp.status();
    out.host = hp->first;
    out.port = hp->second;
  } else {
    out.host = bracketed ? out.authority.substr(1, close - 1) : out.authority;
  }
  return out;
}

Result<ClientResponse> Fetch(const ClientRequest& request) {
  auto url = ParseHttpUrl(request.url);
  if (!url.ok()) return url.status();
  for (const char c : request.method) {
    if (!IsTokenChar(c)) return Status::InvalidArgument("bad method " + request.method);
  }
  std::string head = request.method + " " + url->target + " HTTP/1.1\r\nHost: " + url->authority +
                     "\r\nConnection: close\r\n";
  const bool has_body = !request.body.empty() || request.method == "POST" ||
                        request.method == "PUT" || request.method == "PATCH";
  if (has_body) head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar) ||
        value.find_first_of("\r\n") != std::string::npos)
      return Status::InvalidArgument("bad request header " + name);
    head += name + ": " + value + "\r\n";
  }
  head += "\r\n";
  const auto deadline = TcpConnection::Clock::now() + request.timeout;
  auto conn = TcpConnection::Open(url->host, url->port, deadline);
  if (!conn.ok()) return conn.status();
  if (url->tls) LIMPIDE_RETURN_IF_ERROR((*conn)->StartTls(url->host));
  // A server may answer (413, 401…) and close before reading the whole body:
  // its answer, when one arrives, says more than the failed write.
  Status wrote = (*conn)->Write(head);
  if (wrote.ok()) wrote = (*conn)->Write(request.body);
  std::string buffer;
  bool closed = false;
  size_t need = 1;
  for (;;) {
    if (buffer.size() >= need || closed) {
      auto p = Parse(buffer, closed, request.max_response_bytes, request.head_only);
      if (!p.ok()) return p.status();
      if (p->response) return std::move(*p->response);
      need = p->need;
    }
    auto more = (*conn)->Read(buffer);
    if (!more.ok()) return wrote.ok() ? more.status() : wrote;
    closed = !*more;
    if (closed && !wrote.ok() && buffer.empty()) return wrote;
  }
}

}  // namespace limpide::http
