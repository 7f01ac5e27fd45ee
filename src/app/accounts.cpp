#include "app/accounts.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "crypto/crypto.h"
#include "domain/siret.h"

namespace limpide::app {
namespace {

using nlohmann::json;

constexpr std::string_view kTokenPrefix = "lmp_";
constexpr size_t kTokenLength = 47;  // "lmp_" + 43 base64url characters (32 bytes)
constexpr size_t kShortIdLength = 16;
constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxOrgNameBytes = 300;
constexpr size_t kMaxLabelBytes = 100;
constexpr size_t kMaxEmailBytes = 254;  // RFC 5321 path limit

Status Unauthenticated(std::string message) {
  return Status(ErrorCode::kUnauthenticated, std::move(message));
}

// Valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // cut short
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// Code points of a UTF-8 string (bytes that do not continue a sequence).
size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

std::string Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The e-mail address as stored and looked up: trimmed, ASCII lower-cased.
// invalid_argument (field "email") unless it looks like local@domain.tld.
Result<std::string> NormalizeEmail(std::string_view raw) {
  std::string email = AsciiLower(Trim(raw));
  const auto bad = [](std::string why) { return Status::InvalidArgument(std::move(why), "email"); };
  if (email.empty()) return bad("the e-mail address is required");
  if (email.size() > kMaxEmailBytes) return bad("the e-mail address is longer than 254 bytes");
  if (!IsValidUtf8(email) || HasControl(email)) return bad("the e-mail address is not valid text");
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos)
    return bad("the e-mail address must have the form name@domain.example");
  const std::string_view domain = std::string_view(email).substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return bad("the domain of the e-mail address is not valid");
  }
  if (email.find_first_of(" <>()[],;:\"\\") != std::string::npos)
    return bad("the e-mail address contains a character that is not allowed");
  return email;
}

// Trimmed text of at most `max` bytes, UTF-8, without control characters.
Result<std::string> CheckText(std::string_view raw, const char* field, const char* what, size_t max,
                              bool required) {
  std::string text = Trim(raw);
  if (text.empty() && required)
    return Status::InvalidArgument(std::string(what) + " is required", field);
  if (text.size() > max) {
    return Status::InvalidArgument(
        std::string(what) + " is longer than " + std::to_string(max) + " bytes", field);
  }
  if (!IsValidUtf8(text) || HasControl(text)) {
    return Status::InvalidArgument(
        std::string(what) + " must be UTF-8 text without control characters", field);
  }
  return text;
}

Status CheckNewPassword(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return Status::InvalidArgument(
        "the password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes", "password");
  }
  if (CodePoints(password) < kMinPasswordLength) {
    return Status::InvalidArgument(
        "the password must have at least " + std::to_string(kMinPasswordLength) + " characters",
        "password");
  }
  return Status::Ok();
}

std::string TokenHash(std::string_view token) { return crypto::ToHex(crypto::Sha256(token)); }

bool WellFormedToken(std::string_view token) {
  if (token.size() != kTokenLength || token.substr(0, kTokenPrefix.size()) != kTokenPrefix)
    return false;
  return std::all_of(token.begin() + kTokenPrefix.size(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

bool IsShortId(std::string_view id) {
  return id.size() == kShortIdLength && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// A fresh random user id: "u_" + 20 hex digits (80 bits).
std::string NewUserId() {
  return "u_" + crypto::ToHex(crypto::Sha256(crypto::RandomToken())).substr(0, 20);
}

// The hash a login with an unknown e-mail is checked against, so that it
// costs one argon2id verification like a known one. Computed once per
// process (Accounts' constructor forces it, off the request path).
const std::string& DummyPasswordHash() {
  static const std::string hash = [] {
    auto h = crypto::HashPassword(crypto::RandomToken());
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

// Instants are stored with milliseconds (domain::FormatInstantMillis).
domain::Instant ToMillis(domain::Instant t) {
  int64_t ms = t.micros / 1000;
  if (t.micros < 0 && t.micros % 1000 != 0) --ms;
  return domain::Instant{ms * 1000};
}

Result<json> ParseObject(const store::StoredObject& object) {
  json j = json::parse(object.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Internal("stored " + object.kind + " " + object.id.substr(0, kShortIdLength) +
                            " is not a JSON object");
  }
  return j;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The instant at `key`; nullopt when absent; internal when unreadable (a
// broken stored object must not pass for a token that never expires).
Result<std::optional<domain::Instant>> InstantAt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<domain::Instant>();
  if (!it->is_string()) return Status::Internal(std::string("stored ") + key + " is not a string");
  auto t = domain::ParseInstant(it->get<std::string>());
  if (!t.ok()) return Status::Internal(std::string("stored ") + key + ": " + t.status().message());
  return std::optional<domain::Instant>(*t);
}

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// `scopes` in AllScopes() order, without duplicates.
std::vector<std::string> Ordered(const std::vector<std::string>& scopes) {
  std::vector<std::string> out;
  for (const auto& s : AllScopes()) {
    if (std::find(scopes.begin(), scopes.end(), s) != scopes.end()) out.push_back(s);
  }
  return out;
}

Result<Principal> PrincipalOfUser(const store::StoredObject& object) {
  auto body = ParseObject(object);
  if (!body.ok()) return body.status();
  const auto role = UserRoleFromCode(Str(*body, "role"));
  if (!role) return Status::Internal("stored user " + object.id + " has an unknown role");
  Principal p;
  p.user_id = object.id;
  p.email = Str(*body, "email");
  p.name = Str(*body, "name");
  p.org_id = Str(*body, "org");
  p.org_name = Str(*body, "org_name");
  p.role = *role;
  p.scopes = ScopesOf(*role);
  return p;
}

}  // namespace

std::string_view Code(UserRole role) {
  switch (role) {
    case UserRole::kBuyerAgent:
      return "buyer_agent";
    case UserRole::kCompanyRep:
      return "company_rep";
    case UserRole::kAdmin:
      return "admin";
  }
  return "";
}

std::optional<UserRole> UserRoleFromCode(std::string_view code) {
  for (UserRole role : AllUserRoles()) {
    if (Code(role) == code) return role;
  }
  return std::nullopt;
}

const std::vector<UserRole>& AllUserRoles() {
  static const std::vector<UserRole> kAll = {UserRole::kBuyerAgent, UserRole::kCompanyRep,
                                             UserRole::kAdmin};
  return kAll;
}

const std::vector<std::string>& AllScopes() {
  static const std::vector<std::string> kAll = {std::string(kScopeTenders),
                                                std::string(kScopeDeposits),
                                                std::string(kScopeAdmin), std::string(kScopeRead)};
  return kAll;
}

std::vector<std::string> ScopesOf(UserRole role) {
  switch (role) {
    case UserRole::kBuyerAgent:
      return {std::string(kScopeTenders), std::string(kScopeRead)};
    case UserRole::kCompanyRep:
      return {std::string(kScopeDeposits), std::string(kScopeRead)};
    case UserRole::kAdmin:
      return AllScopes();
  }
  return {};
}

bool Principal::HasScope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

domain::Instant SystemNow() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return domain::Instant{std::chrono::duration_cast<std::chrono::microseconds>(now).count()};
}

std::string TokenShortId(std::string_view token) {
  return TokenHash(token).substr(0, kShortIdLength);
}

Accounts::Accounts(store::Store& store) : Accounts(store, AccountsOptions{}) {}

Accounts::Accounts(store::Store& store, AccountsOptions options)
    : store_(store), options_(std::move(options)) {
  if (!options_.now) options_.now = SystemNow;
  (void)DummyPasswordHash();
}

Result<Principal> Accounts::CreateUser(const NewUser& user) { return Create(user, false); }

Result<Principal> Accounts::RegisterCompany(const NewUser& user) {
  NewUser company = user;
  company.role = UserRole::kCompanyRep;
  return Create(company, true);
}

Result<Principal> Accounts::Create(const NewUser& in, bool new_org_only) {
  auto email = NormalizeEmail(in.email);
  if (!email.ok()) return email.status();
  auto name = CheckText(in.name, "name", "the name", kMaxNameBytes, true);
  if (!name.ok()) return name.status();
  LIMPIDE_RETURN_IF_ERROR(CheckNewPassword(in.password));
  std::string org_id;
  if (in.role != UserRole::kAdmin || !Trim(in.org_id).empty()) {
    if (Trim(in.org_id).empty()) {
      return Status::InvalidArgument("the SIRET of the organization is required", "siret");
    }
    auto siret = domain::ParseSiret(in.org_id);
    if (!siret.ok()) return Status::InvalidArgument(siret.status().message(), "siret");
    org_id = *siret;
  }
  auto org_name_in =
      CheckText(in.org_name, "organizationName", "the organization name", kMaxOrgNameBytes, false);
  if (!org_name_in.ok()) return org_name_in.status();

  // The slow hash before the write lock is taken.
  auto hash = crypto::HashPassword(in.password);
  if (!hash.ok()) return hash.status();
  const std::string now = domain::FormatInstantMillis(options_.now());

  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  std::string org_name;
  if (!org_id.empty()) {
    auto org = (*txn)->GetObject("org", org_id);
    if (org.ok()) {
      if (new_org_only) {
        return Status(ErrorCode::kConflict,
                      "the organization " + org_id +
                          " already has an account: its users or a platform administrator can "
                          "add you",
                      "siret");
      }
      auto body = ParseObject(*org);
      if (!body.ok()) return body.status();
      org_name = Str(*body, "name");
    } else if (org.status().code() == ErrorCode::kNotFound) {
      if (org_name_in->empty()) {
        return Status::InvalidArgument(
            "the organization " + org_id + " is new: its name is required", "organizationName");
      }
      org_name = *org_name_in;
      const json body = {{"id", org_id}, {"name", org_name}, {"created", now}};
      auto put = (*txn)->PutObject("org", org_id, body.dump(), 0);
      if (!put.ok()) return put.status();
    } else {
      return org.status();
    }
  }

  const auto taken = [] {
    return Status(ErrorCode::kConflict, "this e-mail address already has an account", "email");
  };
  auto existing = (*txn)->GetObject("user-email", *email);
  if (existing.ok()) return taken();
  if (existing.status().code() != ErrorCode::kNotFound) return existing.status();

  const std::string user_id = NewUserId();
  const json user = {{"id", user_id},          {"email", *email},      {"name", *name},
                     {"org", org_id},          {"org_name", org_name}, {"role", Code(in.role)},
                     {"password_hash", *hash}, {"created", now}};
  auto put_user = (*txn)->PutObject("user", user_id, user.dump(), 0);
  if (!put_user.ok()) return put_user.status();
  const json by_email = {{"user", user_id}};
  auto put_email = (*txn)->PutObject("user-email", *email, by_email.dump(), 0);
  if (!put_email.ok()) {
    return put_email.status().code() == ErrorCode::kConflict ? taken() : put_email.status();
  }
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());

  Principal p;
  p.user_id = user_id;
  p.email = *email;
  p.name = *name;
  p.org_id = org_id;
  p.org_name = org_name;
  p.role = in.role;
  p.scopes = ScopesOf(in.role);
  return p;
}

Result<IssuedToken> Accounts::Login(std::string_view email, std::string_view password) {
  const Status wrong = Unauthenticated("wrong e-mail or password");
  // Every failure below costs one argon2id check, like a success.
  const auto refuse = [&](const Status& status) -> Result<IssuedToken> {
    (void)crypto::CheckPassword(DummyPasswordHash(), password);
    return status;
  };
  auto normalized = NormalizeEmail(email);
  if (!normalized.ok()) return refuse(wrong);
  auto link = store_.GetObject("user-email", *normalized);
  if (!link.ok())
    return refuse(link.status().code() == ErrorCode::kNotFound ? wrong : link.status());
  auto link_body = ParseObject(*link);
  if (!link_body.ok()) return refuse(link_body.status());
  auto user = store_.GetObject("user", Str(*link_body, "user"));
  if (!user.ok())
    return refuse(user.status().code() == ErrorCode::kNotFound ? wrong : user.status());
  auto body = ParseObject(*user);
  if (!body.ok()) return refuse(body.status());
  if (!crypto::CheckPassword(Str(*body, "password_hash"), password)) return wrong;

  auto who = PrincipalOfUser(*user);
  if (!who.ok()) return who.status();
  const domain::Instant expires{options_.now().micros + options_.session_seconds * 1'000'000};
  return Issue(*who, "session", ScopesOf(who->role), "session", expires);
}

Result<IssuedToken> Accounts::CreateToken(const Principal& who, std::vector<std::string> scopes,
                                          std::string label,
                                          std::optional<domain::Instant> expires) {
  if (scopes.empty()) return Status::InvalidArgument("at least one scope is required", "scopes");
  for (const auto& s : scopes) {
    if (std::find(AllScopes().begin(), AllScopes().end(), s) == AllScopes().end()) {
      return Status::InvalidArgument("unknown scope '" + s + "' (tenders, deposits, admin or read)",
                                     "scopes");
    }
  }
  scopes = Ordered(scopes);
  for (const auto& s : scopes) {
    if (!who.HasScope(s)) {
      return Status(ErrorCode::kPermissionDenied,
                    "this credential cannot grant the scope '" + s + "'", "scopes");
    }
  }
  auto text = CheckText(label, "label", "the label", kMaxLabelBytes, false);
  if (!text.ok()) return text.status();
  if (expires && *expires <= options_.now()) {
    return Status::InvalidArgument("the expiry must be in the future", "expires");
  }
  return Issue(who, "api", std::move(scopes), std::move(*text), expires);
}

Result<IssuedToken> Accounts::Issue(const Principal& who, std::string kind,
                                    std::vector<std::string> scopes, std::string label,
                                    std::optional<domain::Instant> expires) {
  if (who.user_id.empty()) return Status::Internal("a token needs a user");
  if (expires) expires = ToMillis(*expires);
  std::string token = crypto::RandomToken();
  const std::string hash = TokenHash(token);
  json body = {{"user", who.user_id},
               {"kind", std::move(kind)},
               {"scopes", std::move(scopes)},
               {"label", std::move(label)},
               {"created", domain::FormatInstantMillis(options_.now())}};
  if (expires) body["expires"] = domain::FormatInstantMillis(*expires);
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  auto put = (*txn)->PutObject("token", hash, body.dump(), 0);
  if (!put.ok()) return put.status();
  auto link = (*txn)->PutObject("user-token", who.user_id + "/" + hash, "{}", 0);
  if (!link.ok()) return link.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  IssuedToken issued;
  issued.token = std::move(token);
  issued.id = hash.substr(0, kShortIdLength);
  issued.expires = expires;
  issued.scopes = body["scopes"].get<std::vector<std::string>>();
  issued.label = body["label"].get<std::string>();
  return issued;
}

Status Accounts::RevokeToken(const Principal& who, std::string_view token_id) {
  if (!IsShortId(token_id)) {
    return Status::InvalidArgument("a token id is 16 lower-case hexadecimal digits", "id");
  }
  const Status none = Status::NotFound("no token with id " + std::string(token_id));
  const bool any = who.role == UserRole::kAdmin && who.HasScope(kScopeAdmin);
  auto page = store_.ListObjects("token", token_id, store::PageRequest{"", 10});
  if (!page.ok()) return page.status();
  std::string hash;
  for (const auto& item : page->items) {
    auto body = ParseObject(item);
    if (!body.ok()) return body.status();
    if (any || Str(*body, "user") == who.user_id) {
      hash = item.id;
      break;
    }
  }
  if (hash.empty()) return none;

  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  auto current = (*txn)->GetObject("token", hash);
  if (!current.ok()) return current.status();
  auto body = ParseObject(*current);
  if (!body.ok()) return body.status();
  if (body->contains("revoked")) return Status::Ok();
  (*body)["revoked"] = domain::FormatInstantMillis(options_.now());
  auto put = (*txn)->PutObject("token", hash, body->dump(), current->version);
  if (!put.ok()) return put.status();
  return (*txn)->Commit();
}

Result<std::vector<TokenInfo>> Accounts::ListTokens(const Principal& who) {
  const domain::Instant now = options_.now();
  const std::string prefix = who.user_id + "/";
  std::vector<TokenInfo> out;
  store::PageRequest request{"", 1000};
  do {
    auto page = store_.ListObjects("user-token", prefix, request);
    if (!page.ok()) return page.status();
    for (const auto& link : page->items) {
      const std::string hash = link.id.substr(prefix.size());
      auto token = store_.GetObject("token", hash);
      if (!token.ok()) return token.status();
      auto body = ParseObject(*token);
      if (!body.ok()) return body.status();
      TokenInfo info;
      info.id = hash.substr(0, kShortIdLength);
      info.kind = Str(*body, "kind");
      info.label = Str(*body, "label");
      info.scopes = Strings(*body, "scopes");
      auto created = InstantAt(*body, "created");
      auto expires = InstantAt(*body, "expires");
      auto revoked = InstantAt(*body, "revoked");
      if (!created.ok()) return created.status();
      if (!expires.ok()) return expires.status();
      if (!revoked.ok()) return revoked.status();
      info.created = created->value_or(domain::Instant{});
      info.expires = *expires;
      info.revoked = *revoked;
      // Sessions are listed while they live; API tokens always (an audit
      // trail of what was granted).
      if (info.kind == "session" && (info.revoked || (info.expires && *info.expires <= now)))
        continue;
      out.push_back(std::move(info));
    }
    request.after = page->next;
  } while (!request.after.empty());
  std::sort(out.begin(), out.end(), [](const TokenInfo& a, const TokenInfo& b) {
    return a.created != b.created ? a.created > b.created : a.id < b.id;
  });
  return out;
}

Result<Principal> Accounts::Authenticate(std::string_view token) const {
  if (!WellFormedToken(token)) return Unauthenticated("malformed token");
  const std::string hash = TokenHash(token);
  auto object = store_.GetObject("token", hash);
  if (!object.ok()) {
    return object.status().code() == ErrorCode::kNotFound ? Unauthenticated("unknown token")
                                                          : object.status();
  }
  auto body = ParseObject(*object);
  if (!body.ok()) return body.status();
  if (body->contains("revoked")) return Unauthenticated("revoked token");
  auto expires = InstantAt(*body, "expires");
  if (!expires.ok()) return expires.status();
  if (*expires && **expires <= options_.now()) return Unauthenticated("expired token");

  auto who = LoadUser(Str(*body, "user"));
  if (!who.ok()) {
    return who.status().code() == ErrorCode::kNotFound ? Unauthenticated("unknown token")
                                                       : who.status();
  }
  // What the token was granted, within what the role allows today.
  std::vector<std::string> granted;
  for (const auto& s : Ordered(Strings(*body, "scopes"))) {
    if (who->HasScope(s)) granted.push_back(s);
  }
  who->scopes = std::move(granted);
  who->token_id = hash.substr(0, kShortIdLength);
  who->token_kind = Str(*body, "kind");
  return who;
}

Result<int> Accounts::PurgeExpiredSessions() {
  const domain::Instant before{options_.now().micros -
                               options_.expired_session_kept_seconds * 1'000'000};
  int purged = 0;
  store::PageRequest page{"", 500};
  for (;;) {
    auto got = store_.ListObjects("token", "", page);
    if (!got.ok()) return got.status();
    std::vector<std::pair<std::string, std::string>> old;  // (token hash, user)
    for (const auto& o : got->items) {
      auto body = ParseObject(o);
      if (!body.ok() || Str(*body, "kind") != "session") continue;
      auto expires = InstantAt(*body, "expires");
      if (expires.ok() && *expires && (*expires)->micros < before.micros)
        old.emplace_back(o.id, Str(*body, "user"));
    }
    if (!old.empty()) {
      auto txn = store_.BeginWrite();
      if (!txn.ok()) return txn.status();
      for (const auto& [hash, user] : old) {
        for (Status st : {(*txn)->DeleteObject("token", hash),
                          (*txn)->DeleteObject("user-token", user + "/" + hash)}) {
          if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
        }
      }
      LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
      purged += static_cast<int>(old.size());
    }
    if (got->next.empty()) break;
    page.after = got->next;
  }
  return purged;
}

Result<Principal> Accounts::FindUserByEmail(std::string_view email) const {
  auto normalized = NormalizeEmail(email);
  if (!normalized.ok()) return normalized.status();
  auto link = store_.GetObject("user-email", *normalized);
  if (!link.ok()) {
    return link.status().code() == ErrorCode::kNotFound
               ? Status::NotFound("no user has the e-mail address " + *normalized)
               : link.status();
  }
  auto body = ParseObject(*link);
  if (!body.ok()) return body.status();
  return LoadUser(Str(*body, "user"));
}

Result<Principal> Accounts::FindUser(std::string_view user_id) const {
  auto who = LoadUser(user_id);
  if (!who.ok() && who.status().code() == ErrorCode::kNotFound)
    return Status::NotFound("no user " + std::string(user_id));
  return who;
}

Result<Principal> Accounts::LoadUser(std::string_view user_id) const {
  if (user_id.empty()) return Status::NotFound("no such user");
  auto user = store_.GetObject("user", user_id);
  if (!user.ok()) return user.status();
  return PrincipalOfUser(*user);
}

}  // namespace limpide::app
