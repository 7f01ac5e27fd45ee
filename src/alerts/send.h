// The two ways out of the platform for alerts: an HTTP POST to a webhook and
// a mail through an SMTP relay. Both are blocking, bounded by a deadline
// (connection, every read and write), and never throw.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace limpide::alerts {

// POSTs `body` to an http:// URL with `headers` (Host, Content-Length and
// Connection: close are added) through http::Fetch. Returns the status code
// the endpoint answered; unavailable when it cannot be reached or does not
// answer within `timeout` ("timed out"). The response body is not read.
Result<int> PostHttp(const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::string_view body, std::chrono::milliseconds timeout);

struct Mail {
  std::string from;     // address only
  std::string to;       // address only
  std::string subject;  // UTF-8; encoded as RFC 2047 when not ASCII
  std::string body;     // UTF-8 plain text, lines separated by '\n'
};

// An SMTP relay and how to reach it.
struct SmtpRelay {
  std::string host;  // empty: no relay
  uint16_t port = 25;
  // TLS after the first EHLO (RFC 3207), the relay's certificate checked.
  bool starttls = false;
  // AUTH PLAIN (RFC 4954) when `user` is set; over TLS only.
  std::string user;
  std::string password;
};

// Sends `mail` through `relay` (RFC 5321: EHLO, MAIL, RCPT, DATA with
// dot-stuffing, QUIT). With `starttls`, the session goes through TLS after
// the first EHLO (STARTTLS, the relay's certificate checked as
// http/connection.h says, EHLO again) and a relay that refuses it gets
// nothing. With a user, AUTH PLAIN follows the last EHLO; a relay that does
// not offer it, or refuses the credentials, gets no mail. unavailable with
// the server's reply (or the TLS error) when a step fails;
// failed_precondition, before connecting, for a user without STARTTLS (the
// password would cross the network in clear).
Status SendMail(const SmtpRelay& relay, const Mail& mail, std::chrono::milliseconds timeout);

// Whether an EHLO reply (all its lines, "250-…" then "250 …") lists the
// AUTH extension with the PLAIN mechanism ("AUTH PLAIN LOGIN", or the old
// "AUTH=PLAIN"), in any case.
bool OffersAuthPlain(std::string_view ehlo_reply);

// "HOST:PORT" -> (host, port); invalid_argument otherwise (http::ParseHostPort).
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text);

}  // namespace limpide::alerts
