#include "web/forms.h"

#include <charconv>

#include "api/api.h"
#include "api/auth.h"
#include "api/body.h"
#include "crypto/crypto.h"
#include "http/uri.h"
#include "web/layout.h"
#include "web/pages.h"

namespace limpide::web {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (Lower(s[i]) != Lower(prefix[i])) return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `name` in a header value such as
// `form-data; name="x"; filename="a.pdf"` (quoted or token); nullopt when absent.
std::optional<std::string> HeaderParam(std::string_view value, std::string_view name) {
  size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;  // past ';'
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    const size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = Trim(value.substr(i, eq - i));
    std::string out;
    i = eq + 1;
    if (i < value.size() && value[i] == '"') {
      for (++i; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        out += value[i];
      }
      if (i >= value.size()) return std::nullopt;  // unterminated quote
      ++i;
    } else {
      const size_t end = std::min(value.find(';', i), value.size());
      out = std::string(Trim(value.substr(i, end - i)));
      i = end;
    }
    if (key.size() == name.size() && StartsWithIgnoreCase(key, name)) return out;
    i = value.find(';', i);
  }
  return std::nullopt;
}

// Europe/Paris offset at the local wall-clock time `local_as_utc` (the local
// time read as if it were UTC).
int64_t ParisOffsetMicrosAtLocal(domain::Instant local_as_utc) {
  const int64_t guess = int64_t{domain::ParisOffsetMinutes(local_as_utc)} * 60'000'000;
  return int64_t{domain::ParisOffsetMinutes(domain::Instant{local_as_utc.micros - guess})} *
         60'000'000;
}

}  // namespace

bool DecodeForm(std::string_view body, Fields& out) {
  // The same encoding as a query string.
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!http::internal::DecodeQuery(body, pairs)) return false;
  for (auto& [name, value] : pairs) out.push_back({std::move(name), std::move(value), {}, {}});
  return true;
}

Result<Fields> DecodeMultipart(std::string_view content_type, std::string_view body) {
  const auto boundary = HeaderParam(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70)
    return Status::InvalidArgument("multipart/form-data without a valid boundary", "Content-Type");
  const std::string delimiter = "--" + *boundary;
  // The body starts with the first delimiter (a preamble before it is ignored).
  size_t at = body.find(delimiter);
  if (at == std::string_view::npos)
    return Status::InvalidArgument("multipart body without its boundary", "body");
  Fields out;
  const std::string separator = "\r\n" + delimiter;
  for (;;) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return out;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n")
      return Status::InvalidArgument("multipart boundary not followed by a line end", "body");
    at += 2;
    if (out.size() == 1000) return Status::InvalidArgument("more than 1000 form parts", "body");
    const size_t headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string_view::npos)
      return Status::InvalidArgument("multipart part cut short in its headers", "body");
    FormField f;
    bool named = false;
    std::string_view headers = body.substr(at, headers_end - at);
    while (!headers.empty()) {
      const size_t eol = headers.find("\r\n");
      const std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      if (StartsWithIgnoreCase(line, "content-disposition:")) {
        const std::string_view v = Trim(line.substr(20));
        if (!StartsWithIgnoreCase(v, "form-data"))
          return Status::InvalidArgument("multipart part is not form-data", "body");
        auto name = HeaderParam(v, "name");
        if (!name) return Status::InvalidArgument("multipart part without a name", "body");
        f.name = std::move(*name);
        f.filename = HeaderParam(v, "filename");
        named = true;
      } else if (StartsWithIgnoreCase(line, "content-type:")) {
        f.type = std::string(Trim(line.substr(13)));
      }
    }
    if (!named)
      return Status::InvalidArgument("multipart part without Content-Disposition", "body");
    const size_t value_start = headers_end + 4;
    const size_t end = body.find(separator, value_start);
    if (end == std::string_view::npos)
      return Status::InvalidArgument("multipart body cut short: no closing boundary", "body");
    f.value = std::string(body.substr(value_start, end - value_start));
    out.push_back(std::move(f));
    at = end + 2;  // at the delimiter
  }
}

Result<Fields> PostedFields(const http::Request& req) {
  const std::string media = api::MediaType(req);
  if (media == "application/x-www-form-urlencoded") {
    Fields fields;
    if (!DecodeForm(req.body, fields))
      return Status::InvalidArgument("Le formulaire envoyé est mal formé.", "body");
    return fields;
  }
  if (media == "multipart/form-data") {
    return DecodeMultipart(*req.Header("content-type"), req.body);
  }
  return Status::InvalidArgument(
      "Le formulaire doit être envoyé en application/x-www-form-urlencoded ou "
      "multipart/form-data.",
      "Content-Type");
}

const FormField* FindField(const Fields& fields, std::string_view name) {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

std::string Field(const Fields& fields, std::string_view name) {
  const FormField* f = FindField(fields, name);
  return f ? f->value : std::string();
}

std::optional<app::Principal> Visitor(const http::Request& req, const app::Accounts& accounts) {
  auto who = api::Authenticate(req, accounts);
  if (!who.ok() || !who->has_value()) return std::nullopt;
  return std::move(**who);
}

std::variant<app::Principal, http::Response> RequireRole(const http::Request& req,
                                                         const app::Accounts& accounts,
                                                         app::UserRole role) {
  auto who = Visitor(req, accounts);
  if (!who) return NoStore(SeeOther("/connexion?suite=" + api::UrlEncode(req.target)));
  if (who->role != role) {
    const char* needed = role == app::UserRole::kBuyerAgent ? "aux agents des acheteurs publics"
                                                            : "aux représentants d'entreprises";
    return NoStore(Page(403, "Accès refusé",
                        std::string("<h1>Accès refusé</h1><p>Cette page est réservée ") + needed +
                            ". Vous êtes connecté·e en tant que <strong>" + Escape(who->name) +
                            "</strong> (" + Escape(app::Code(who->role)) +
                            ").</p><p><a href=\"/espace\">Votre espace</a></p>"));
  }
  return std::move(*who);
}

std::string CsrfToken(const http::Request& req) {
  auto session = api::CookieValue(req, api::kSessionCookie);
  if (!session || session->empty()) return {};
  return crypto::ToHex(crypto::HmacSha256(*session, "limpide web form v1"));
}

std::string CsrfInput(const http::Request& req) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + CsrfToken(req) + "\">";
}

bool CrossSite(const http::Request& req) {
  if (const std::string* site = req.Header("sec-fetch-site")) {
    if (*site == "cross-site") return true;
  }
  const std::string* origin = req.Header("origin");
  const std::string* host = req.Header("host");
  if (!origin || *origin == "null" || !host) return false;
  const size_t scheme = origin->find("://");
  return scheme == std::string::npos || origin->substr(scheme + 3) != *host;
}

std::optional<http::Response> RefuseWithoutCsrf(const http::Request& req, const Fields& fields) {
  const std::string expected = CsrfToken(req);
  const std::string given = Field(fields, "csrf");
  // Compared in constant time: the token is a secret of the session.
  bool same = !expected.empty() && given.size() == expected.size();
  unsigned char diff = 0;
  for (size_t i = 0; same && i < given.size(); ++i) diff |= given[i] ^ expected[i];
  if (same && diff == 0 && !CrossSite(req)) return std::nullopt;
  return NoStore(
      Page(403, "Formulaire refusé",
           "<h1>Formulaire refusé</h1><p>Ce formulaire n'a pas été envoyé depuis une page de "
           "Limpide ouverte dans votre session (jeton de sécurité absent ou périmé). Rechargez "
           "la page et recommencez.</p><p><a href=\"/espace\">Votre espace</a></p>"));
}

http::Response NoStore(http::Response r) {
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

http::Response SeeOther(const std::string& location) {
  http::Response r;
  r.status = 303;
  r.SetHeader("Location", location);
  r.SetHeader("Content-Type", "text/html; charset=utf-8");
  r.body = "<!doctype html><a href=\"" + Escape(location) + "\">Continuer</a>\n";
  return r;
}

Result<domain::Instant> ParisLocalToInstant(std::string_view local, const char* field) {
  const auto bad = [&] {
    return Status::InvalidArgument("date et heure attendues au format AAAA-MM-JJTHH:MM", field);
  };
  // "YYYY-MM-DDTHH:MM" (16) or with ":SS" (19); browsers may add ".mmm".
  if (local.size() < 16 || local.size() > 23 || local[10] != 'T') return bad();
  std::string iso(local);
  if (iso.size() == 16) iso += ":00";
  auto utc = domain::ParseInstant(iso + "Z");
  if (!utc.ok()) return bad();
  return domain::Instant{utc->micros - ParisOffsetMicrosAtLocal(*utc)};
}

std::string InstantToParisLocal(domain::Instant t) {
  const domain::Instant local{t.micros + int64_t{domain::ParisOffsetMinutes(t)} * 60'000'000};
  // FormatInstantMillis gives "YYYY-MM-DDTHH:MM:SS.mmmZ"; keep the seconds.
  return domain::FormatInstantMillis(local).substr(0, 19);
}

}  // namespace limpide::web
