// Accounts and access (docs/accounts.md): organizations identified by SIRET,
// users belonging to them with one role, API tokens and login sessions. Every
// face (API, web, CLI) authenticates through Accounts::Authenticate and
// checks roles and scopes on the Principal it returns.
//
// Everything is stored as objects of the Store (store/store.h):
//   "org"        id SIRET            {"id","name","created"}
//   "user"       id "u_…"            {"id","email","name","org","org_name","role",
//                                     "password_hash","created"}
//   "user-email" id lower-cased e-mail → {"user"}; created with expected
//                version 0, which makes e-mails unique
//   "token"      id hex SHA-256 of the token (never the token itself)
//                                    {"user","kind":"api"|"session","scopes",
//                                     "label","created","expires"?,"revoked"?}
//   "user-token" id "<user id>/<token hash>" → {} : the tokens of a user
//
// Thread safety: an Accounts is safe to use from many threads (the Store is).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/time.h"
#include "store/store.h"

namespace limpide::app {

enum class UserRole { kBuyerAgent, kCompanyRep, kAdmin };

// "buyer_agent", "company_rep", "admin".
std::string_view Code(UserRole role);
// The role of a code; nullopt for anything else.
std::optional<UserRole> UserRoleFromCode(std::string_view code);
// Every role, in declaration order.
const std::vector<UserRole>& AllUserRoles();

// The scopes a token may carry (docs/accounts.md, "Roles and scopes").
inline constexpr std::string_view kScopeTenders = "tenders";    // buyer actions
inline constexpr std::string_view kScopeDeposits = "deposits";  // company actions
inline constexpr std::string_view kScopeAdmin = "admin";        // platform administration
inline constexpr std::string_view kScopeRead = "read";  // private reads: own deposits, events

// Every scope, in documentation order.
const std::vector<std::string>& AllScopes();
// The scopes `role` may hold: buyer_agent tenders and read; company_rep
// deposits and read; admin all four. A session carries all of them.
std::vector<std::string> ScopesOf(UserRole role);

// Passwords are at least this many characters (Unicode code points) and at
// most kMaxPasswordBytes bytes.
inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordBytes = 1024;

// The identity behind a request.
struct Principal {
  std::string user_id, email, name;
  std::string org_id;  // SIRET of the user's organization ("" for platform admins)
  std::string org_name;
  UserRole role = UserRole::kCompanyRep;
  std::vector<std::string> scopes;  // what this credential allows (⊆ ScopesOf(role))
  std::string token_id;             // short id of the token or session used ("" from the CLI)
  std::string token_kind;           // "api", "session", or "" from the CLI

  bool HasScope(std::string_view scope) const;
};

struct NewUser {
  std::string email;
  std::string name;
  std::string password;  // plain text, hashed with argon2id before it is stored
  std::string org_id;    // SIRET (spaces, dots, hyphens allowed); may be empty for an admin
  std::string org_name;  // required when the organization is new
  UserRole role = UserRole::kCompanyRep;
};

// A token as issued: `token` is shown once and never stored.
struct IssuedToken {
  std::string token;                       // "lmp_" + 43 base64url characters
  std::string id;                          // short id: the first 16 hex digits of SHA-256(token)
  std::optional<domain::Instant> expires;  // always set for sessions
  std::vector<std::string> scopes;         // as granted: known names, in AllScopes() order
  std::string label;                       // trimmed
};

// What a user may see of one of their tokens (never the token or its hash).
struct TokenInfo {
  std::string id;    // short id
  std::string kind;  // "api" or "session"
  std::string label;
  std::vector<std::string> scopes;
  domain::Instant created;
  std::optional<domain::Instant> expires;
  std::optional<domain::Instant> revoked;
};

struct AccountsOptions {
  // The clock; tests inject one. Default: the system clock.
  std::function<domain::Instant()> now;
  // Lifetime of a login session (absolute, not sliding).
  int64_t session_seconds = 12 * 3600;
  // How long an expired session is kept (it still answers "expired token")
  // before PurgeExpiredSessions deletes it.
  int64_t expired_session_kept_seconds = 7 * 24 * 3600;
};

// The current time from the system clock.
domain::Instant SystemNow();

class Accounts {
 public:
  // `store` must outlive this object.
  explicit Accounts(store::Store& store);
  Accounts(store::Store& store, AccountsOptions options);

  // Creates the organization `user.org_id` (SIRET checked with domain/siret.h)
  // if absent, and a user in it with `user.role`. invalid_argument naming the
  // field (email, name, password, siret, organizationName); conflict when the
  // e-mail is taken. Buyer agents and company representatives need an
  // organization; a platform admin may have none.
  Result<Principal> CreateUser(const NewUser& user);
  // Self-registration of a company: as CreateUser with role company_rep, but
  // the organization must be new (conflict otherwise: colleagues are added by
  // an admin, so that nobody joins an organization by knowing its SIRET).
  Result<Principal> RegisterCompany(const NewUser& user);

  // E-mail + password → a session token (returned once, stored hashed), with
  // every scope of the user's role, valid AccountsOptions::session_seconds.
  // unauthenticated "wrong e-mail or password" for an unknown e-mail and for a
  // wrong password alike; both run one argon2id check, so they take the same
  // time.
  Result<IssuedToken> Login(std::string_view email, std::string_view password);

  // A new API token for `who` with `scopes`, which must be known, non-empty
  // and a subset of who's current scopes (permission_denied otherwise: a
  // token never mints a stronger one). `label` up to 100 characters;
  // `expires`, when set, in the future (invalid_argument otherwise).
  Result<IssuedToken> CreateToken(const Principal& who, std::vector<std::string> scopes,
                                  std::string label, std::optional<domain::Instant> expires);
  // Revokes the token or session with short id `token_id`: one of who's own,
  // or any when who is an admin with the admin scope. not_found otherwise
  // (another user's token is not revealed). Revoking twice is not an error.
  Status RevokeToken(const Principal& who, std::string_view token_id);
  // who's API tokens (revoked and expired included) and live sessions,
  // newest first.
  Result<std::vector<TokenInfo>> ListTokens(const Principal& who);

  // The principal of a presented token (API token or session).
  // unauthenticated with a precise reason: "malformed token", "unknown
  // token", "revoked token", "expired token"; other codes when the store
  // fails.
  Result<Principal> Authenticate(std::string_view token) const;

  // Deletes the sessions expired for longer than
  // AccountsOptions::expired_session_kept_seconds (token and user link), so
  // that logins do not pile up; API tokens are kept (their owners list them).
  // Returns how many were deleted. Run hourly by `limpide serve`.
  Result<int> PurgeExpiredSessions();

  // The user with this e-mail, with every scope of their role and no token
  // (for the CLI, which acts with the rights of whoever runs it). not_found
  // when absent.
  Result<Principal> FindUserByEmail(std::string_view email) const;
  // The user with this id (its e-mail is the account's), with every scope of
  // their role and no token. not_found when absent.
  Result<Principal> FindUser(std::string_view user_id) const;

 private:
  Result<Principal> Create(const NewUser& user, bool new_org_only);
  Result<IssuedToken> Issue(const Principal& who, std::string kind, std::vector<std::string> scopes,
                            std::string label, std::optional<domain::Instant> expires);
  Result<Principal> LoadUser(std::string_view user_id) const;

  store::Store& store_;
  AccountsOptions options_;
};

// The short id of a token: the first 16 hex digits of its SHA-256.
std::string TokenShortId(std::string_view token);

}  // namespace limpide::app
