#include "alerts/send.h"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "crypto/crypto.h"
#include "http/client.h"
#include "http/connection.h"

namespace limpide::alerts {
namespace {

using Clock = std::chrono::steady_clock;
using Connection = http::TcpConnection;

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

// The text of the reply to `step`, whose code must start with `first_digit`.
Result<std::string> ExpectReply(Connection& c, std::string& buffer, int first_digit,
                                const char* step) {
  auto r = Reply(c, buffer);
  if (!r.ok()) return Status::Unavailable(std::string(step) + ": " + r.status().message());
  if (r->first / 100 != first_digit)
    return Status::Unavailable(std::string(step) + ": " + r->second);
  return std::move(r->second);
}

Status Expect(Connection& c, std::string& buffer, int first_digit, const char* step) {
  return ExpectReply(c, buffer, first_digit, step).status();
}

char Upper(char ch) { return ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch; }

// `word` as one of the space-separated words of `line`, in any case.
bool HasWord(std::string_view line, std::string_view word) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    const std::string_view w = line.substr(i, j - i);
    if (w.size() == word.size() && std::equal(w.begin(), w.end(), word.begin(),
                                              [](char a, char b) { return Upper(a) == b; })) {
      return true;
    }
    i = j;
  }
  return false;
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
  return http::ParseHostPort(text);
}

Result<int> PostHttp(const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::string_view body, std::chrono::milliseconds timeout) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = headers;
  request.headers.emplace_back("User-Agent", "limpide-alerts");
  request.body = std::string(body);
  request.timeout = timeout;
  request.head_only = true;  // only the status matters
  auto response = http::Fetch(request);
  if (!response.ok()) return response.status();
  return response->status;
}

bool OffersAuthPlain(std::string_view ehlo_reply) {
  while (!ehlo_reply.empty()) {
    const size_t eol = ehlo_reply.find("\r\n");
    std::string_view line = ehlo_reply.substr(0, eol);
    ehlo_reply = eol == std::string_view::npos ? std::string_view() : ehlo_reply.substr(eol + 2);
    if (line.size() < 4) continue;
    line.remove_prefix(4);  // "250-" or "250 "
    std::string head(line.substr(0, 5));
    for (char& ch : head) ch = Upper(ch);
    if (head == "AUTH " || head == "AUTH=") {
      std::string rest(line.substr(5));
      for (char& ch : rest) ch = Upper(ch);
      if (HasWord(rest, "PLAIN")) return true;
    }
  }
  return false;
}

Status SendMail(const SmtpRelay& relay, const Mail& mail, std::chrono::milliseconds timeout) {
  if (!relay.user.empty() && !relay.starttls) {
    return Status::FailedPrecondition(
        "SMTP authentication needs STARTTLS: the password would cross the network in clear");
  }
  const auto deadline = Clock::now() + timeout;
  auto opened = Connection::Open(relay.host, relay.port, deadline);
  if (!opened.ok()) return opened.status();
  Connection& c = **opened;
  std::string buffer;
  LIMPIDE_RETURN_IF_ERROR(Expect(c, buffer, 2, "greeting"));
  LIMPIDE_RETURN_IF_ERROR(c.Write("EHLO limpide\r\n"));
  auto ehlo = ExpectReply(c, buffer, 2, "EHLO");
  if (!ehlo.ok()) return ehlo.status();
  if (relay.starttls) {
    LIMPIDE_RETURN_IF_ERROR(c.Write("STARTTLS\r\n"));
    LIMPIDE_RETURN_IF_ERROR(Expect(c, buffer, 2, "STARTTLS"));
    buffer.clear();  // nothing read before TLS counts after it (RFC 3207 §4.2)
    LIMPIDE_RETURN_IF_ERROR(c.StartTls(relay.host));
    LIMPIDE_RETURN_IF_ERROR(c.Write("EHLO limpide\r\n"));
    ehlo = ExpectReply(c, buffer, 2, "EHLO after STARTTLS");
    if (!ehlo.ok()) return ehlo.status();
  }
  if (!relay.user.empty()) {
    if (!OffersAuthPlain(*ehlo)) {
      return Status::Unavailable("AUTH: the relay does not offer AUTH PLAIN (its EHLO: " + *ehlo +
                                 ")");
    }
    // RFC 4616: authorization identity (empty), NUL, user, NUL, password.
    std::string credentials;
    credentials.push_back('\0');
    credentials += relay.user;
    credentials.push_back('\0');
    credentials += relay.password;
    LIMPIDE_RETURN_IF_ERROR(c.Write("AUTH PLAIN " + crypto::Base64Encode(credentials) + "\r\n"));
    // The reply, not the command, goes into the error: it holds no password.
    LIMPIDE_RETURN_IF_ERROR(Expect(c, buffer, 2, "AUTH"));
  }
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
