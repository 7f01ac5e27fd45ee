#include "app/accounts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "crypto/crypto.h"

namespace limpide::app {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSecond = 1'000'000;
// 2026-03-02T09:00:00Z
constexpr int64_t kStart = 1'772'442'000 * kSecond;

const std::string kPassword = "correct horse battery";

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("limpide-accounts-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = store::OpenStore("sqlite:" + (dir_ / "t.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    AccountsOptions options;
    options.now = [this] { return domain::Instant{now_.load()}; };
    options.session_seconds = 3600;
    accounts_ = std::make_unique<Accounts>(*store_, options);
  }
  void TearDown() override {
    accounts_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  NewUser Company(std::string email = "marie@exemple.fr") {
    return NewUser{std::move(email),    "Marie Curie",    kPassword,
                   "732 829 320 00074", "Travaux du Sud", UserRole::kCompanyRep};
  }
  Principal MustCreate(const NewUser& user) {
    auto p = accounts_->CreateUser(user);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : Principal{};
  }
  Principal MustAuthenticate(const std::string& token) {
    auto p = accounts_->Authenticate(token);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : Principal{};
  }
  void Advance(int64_t seconds) { now_ += seconds * kSecond; }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Accounts> accounts_;
  std::atomic<int64_t> now_{kStart};
};

TEST(UserRoleTest, CodesRoundTrip) {
  for (UserRole role : AllUserRoles()) EXPECT_EQ(UserRoleFromCode(Code(role)), role);
  EXPECT_EQ(Code(UserRole::kBuyerAgent), "buyer_agent");
  EXPECT_EQ(Code(UserRole::kCompanyRep), "company_rep");
  EXPECT_EQ(Code(UserRole::kAdmin), "admin");
  EXPECT_FALSE(UserRoleFromCode("Admin").has_value());
  EXPECT_FALSE(UserRoleFromCode("").has_value());
}

TEST(UserRoleTest, EachRoleHoldsItsScopes) {
  EXPECT_EQ(ScopesOf(UserRole::kBuyerAgent), (std::vector<std::string>{"tenders", "read"}));
  EXPECT_EQ(ScopesOf(UserRole::kCompanyRep), (std::vector<std::string>{"deposits", "read"}));
  EXPECT_EQ(ScopesOf(UserRole::kAdmin), AllScopes());
}

TEST_F(AccountsTest, CreatesAnOrganizationAndAUserWithoutKeepingThePassword) {
  const Principal p = MustCreate(Company("  Marie@Exemple.FR "));
  EXPECT_EQ(p.email, "marie@exemple.fr");
  EXPECT_EQ(p.org_id, "73282932000074");
  EXPECT_EQ(p.org_name, "Travaux du Sud");
  EXPECT_EQ(p.role, UserRole::kCompanyRep);
  EXPECT_EQ(p.user_id.substr(0, 2), "u_");
  auto org = store_->GetObject("org", "73282932000074");
  ASSERT_TRUE(org.ok());
  auto user = store_->GetObject("user", p.user_id);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->body.find(kPassword), std::string::npos);
  EXPECT_NE(user->body.find("$argon2id$"), std::string::npos);
}

TEST_F(AccountsTest, ASecondUserJoinsAnExistingOrganizationAndKeepsItsName) {
  MustCreate(Company());
  NewUser colleague = Company("paul@exemple.fr");
  colleague.org_name = "";
  const Principal p = MustCreate(colleague);
  EXPECT_EQ(p.org_name, "Travaux du Sud");
}

TEST_F(AccountsTest, SelfRegistrationRefusesAnOrganizationThatAlreadyHasAnAccount) {
  ASSERT_TRUE(accounts_->RegisterCompany(Company()).ok());
  auto again = accounts_->RegisterCompany(Company("paul@exemple.fr"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(again.status().field(), "siret");
}

TEST_F(AccountsTest, SelfRegistrationAlwaysGivesTheCompanyRole) {
  NewUser admin = Company();
  admin.role = UserRole::kAdmin;
  auto p = accounts_->RegisterCompany(admin);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role, UserRole::kCompanyRep);
}

TEST_F(AccountsTest, AnEmailIsTakenWhateverItsCase) {
  MustCreate(Company());
  auto again = accounts_->CreateUser(Company("MARIE@exemple.fr"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(again.status().field(), "email");
}

TEST_F(AccountsTest, BadInputNamesItsField) {
  const auto field = [&](NewUser user) {
    auto r = accounts_->CreateUser(user);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << r.status().ToString();
    return r.status().field();
  };
  NewUser u = Company();
  u.email = "not-an-email";
  EXPECT_EQ(field(u), "email");
  u = Company();
  u.email = "a@localhost";
  EXPECT_EQ(field(u), "email");
  u = Company();
  u.password = "short pass1";  // 11 characters
  EXPECT_EQ(field(u), "password");
  u = Company();
  u.password = "éééééééééé1";  // 11 characters, 21 bytes
  EXPECT_EQ(field(u), "password");
  u = Company();
  u.org_id = "73282932000075";  // bad checksum
  EXPECT_EQ(field(u), "siret");
  u = Company();
  u.org_id = "";
  EXPECT_EQ(field(u), "siret");
  u = Company();
  u.org_name = "";  // the organization is new
  EXPECT_EQ(field(u), "organizationName");
  u = Company();
  u.name = "  ";
  EXPECT_EQ(field(u), "name");
  u = Company();
  u.name = "Marie\x01";
  EXPECT_EQ(field(u), "name");
  u = Company();
  u.name = "Marie \xC3";
  EXPECT_EQ(field(u), "name");
}

TEST_F(AccountsTest, APasswordOfTwelveCharactersIsEnough) {
  NewUser u = Company();
  u.password = "éééééééééééé";
  EXPECT_TRUE(accounts_->CreateUser(u).ok());
}

TEST_F(AccountsTest, APlatformAdminNeedsNoOrganization) {
  const Principal p =
      MustCreate(NewUser{"admin@limpide.fr", "Admin", kPassword, "", "", UserRole::kAdmin});
  EXPECT_EQ(p.org_id, "");
  EXPECT_TRUE(p.HasScope("admin"));
}

TEST_F(AccountsTest, LoginGivesASessionWithEveryScopeOfTheRole) {
  MustCreate(Company());
  auto session = accounts_->Login("MARIE@exemple.fr", kPassword);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->token.size(), 47u);
  EXPECT_EQ(session->token.substr(0, 4), "lmp_");
  EXPECT_EQ(session->id, TokenShortId(session->token));
  ASSERT_TRUE(session->expires.has_value());
  EXPECT_EQ(session->expires->micros, kStart + 3600 * kSecond);
  const Principal p = MustAuthenticate(session->token);
  EXPECT_EQ(p.email, "marie@exemple.fr");
  EXPECT_EQ(p.org_id, "73282932000074");
  EXPECT_EQ(p.scopes, (std::vector<std::string>{"deposits", "read"}));
  EXPECT_EQ(p.token_id, session->id);
  EXPECT_EQ(p.token_kind, "session");
}

TEST_F(AccountsTest, TheTokenItselfIsNeverStored) {
  MustCreate(Company());
  auto session = accounts_->Login("marie@exemple.fr", kPassword);
  ASSERT_TRUE(session.ok());
  auto page = store_->ListObjects("token", "", {"", 100});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, crypto::ToHex(crypto::Sha256(session->token)));
  EXPECT_EQ(page->items[0].body.find(session->token), std::string::npos);
  EXPECT_EQ(page->items[0].body.find(session->token.substr(4)), std::string::npos);
}

TEST_F(AccountsTest, LoginFailuresDoNotSayWhetherTheEmailExists) {
  MustCreate(Company());
  auto wrong_password = accounts_->Login("marie@exemple.fr", "not the password!");
  auto unknown = accounts_->Login("nobody@exemple.fr", kPassword);
  auto malformed = accounts_->Login("nobody", kPassword);
  for (const auto* r : {&wrong_password, &unknown, &malformed}) {
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->status().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(r->status().message(), "wrong e-mail or password");
  }
}

TEST_F(AccountsTest, SessionsExpire) {
  MustCreate(Company());
  auto session = accounts_->Login("marie@exemple.fr", kPassword);
  ASSERT_TRUE(session.ok());
  Advance(3599);
  EXPECT_TRUE(accounts_->Authenticate(session->token).ok());
  Advance(1);
  auto late = accounts_->Authenticate(session->token);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(late.status().message(), "expired token");
}

TEST_F(AccountsTest, SessionsExpiredForAWeekArePurgedAndApiTokensKept) {
  const Principal marie = MustCreate(Company());
  auto old_session = accounts_->Login("marie@exemple.fr", kPassword);
  ASSERT_TRUE(old_session.ok());
  auto api = accounts_->CreateToken(marie, {"read"}, "robot", std::nullopt);
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  Advance(3600 + 7 * 24 * 3600 - 1);  // expired a week ago less a second: kept
  auto fresh = accounts_->Login("marie@exemple.fr", kPassword);
  ASSERT_TRUE(fresh.ok());
  auto none = accounts_->PurgeExpiredSessions();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, 0);
  EXPECT_EQ(accounts_->Authenticate(old_session->token).status().message(), "expired token");
  Advance(2);
  auto purged = accounts_->PurgeExpiredSessions();
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(accounts_->Authenticate(old_session->token).status().message(), "unknown token");
  EXPECT_TRUE(accounts_->Authenticate(fresh->token).ok());
  EXPECT_TRUE(accounts_->Authenticate(api->token).ok());
  // The user's list no longer shows it, and nothing dangles.
  auto listed = accounts_->ListTokens(marie);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->size(), 2u);
  auto links = store_->ListObjects("user-token", "", {"", 10});
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(links->items.size(), 2u);
}

TEST_F(AccountsTest, AuthenticateSaysWhatIsWrongWithAToken) {
  const auto reason = [&](const std::string& token) {
    auto r = accounts_->Authenticate(token);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
    return r.status().message();
  };
  EXPECT_EQ(reason(""), "malformed token");
  EXPECT_EQ(reason("Bearer x"), "malformed token");
  EXPECT_EQ(reason("lmp_" + std::string(43, '*')), "malformed token");
  EXPECT_EQ(reason("lmp_" + std::string(42, 'a')), "malformed token");
  EXPECT_EQ(reason(crypto::RandomToken()), "unknown token");
}

TEST_F(AccountsTest, ApiTokensCarryTheirScopesAndCanBeRevoked) {
  const Principal company = MustCreate(Company());
  auto token = accounts_->CreateToken(company, {"read"}, "robot", std::nullopt);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_FALSE(token->expires.has_value());
  Principal p = MustAuthenticate(token->token);
  EXPECT_EQ(p.scopes, (std::vector<std::string>{"read"}));
  EXPECT_FALSE(p.HasScope("deposits"));
  EXPECT_EQ(p.token_kind, "api");

  ASSERT_TRUE(accounts_->RevokeToken(company, token->id).ok());
  auto revoked = accounts_->Authenticate(token->token);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.status().message(), "revoked token");
  EXPECT_TRUE(accounts_->RevokeToken(company, token->id).ok()) << "revoking twice is no error";
}

TEST_F(AccountsTest, ATokenCannotGrantMoreThanItsCredentialHolds) {
  const Principal company = MustCreate(Company());
  auto deposits = accounts_->CreateToken(company, {"tenders"}, "", std::nullopt);
  ASSERT_FALSE(deposits.ok());
  EXPECT_EQ(deposits.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(deposits.status().field(), "scopes");

  auto read = accounts_->CreateToken(company, {"read"}, "", std::nullopt);
  ASSERT_TRUE(read.ok());
  const Principal read_only = MustAuthenticate(read->token);
  auto stronger = accounts_->CreateToken(read_only, {"read", "deposits"}, "", std::nullopt);
  ASSERT_FALSE(stronger.ok());
  EXPECT_EQ(stronger.status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(AccountsTest, TokenRequestsAreChecked) {
  const Principal company = MustCreate(Company());
  const auto code = [&](std::vector<std::string> scopes, std::string label,
                        std::optional<domain::Instant> expires) {
    auto r = accounts_->CreateToken(company, std::move(scopes), std::move(label), expires);
    return r.ok() ? ErrorCode::kOk : r.status().code();
  };
  EXPECT_EQ(code({}, "", std::nullopt), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({"write"}, "", std::nullopt), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({"read"}, std::string(101, 'x'), std::nullopt), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({"read"}, "", domain::Instant{kStart}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({"read", "read", "deposits"}, "", domain::Instant{kStart + kSecond}),
            ErrorCode::kOk);
}

TEST_F(AccountsTest, ApiTokensExpireWhenAsked) {
  const Principal company = MustCreate(Company());
  auto token =
      accounts_->CreateToken(company, {"deposits"}, "", domain::Instant{kStart + 60 * kSecond});
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(accounts_->Authenticate(token->token).ok());
  Advance(60);
  EXPECT_EQ(accounts_->Authenticate(token->token).status().message(), "expired token");
}

TEST_F(AccountsTest, OnlyTheOwnerOrAnAdminRevokesAToken) {
  const Principal marie = MustCreate(Company());
  NewUser other = Company("paul@exemple.fr");
  const Principal paul = MustCreate(other);
  const Principal admin =
      MustCreate(NewUser{"admin@limpide.fr", "Admin", kPassword, "", "", UserRole::kAdmin});
  auto token = accounts_->CreateToken(marie, {"read"}, "", std::nullopt);
  ASSERT_TRUE(token.ok());

  EXPECT_EQ(accounts_->RevokeToken(paul, token->id).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(accounts_->Authenticate(token->token).ok());
  Principal weak_admin = admin;
  weak_admin.scopes = {"read"};
  EXPECT_EQ(accounts_->RevokeToken(weak_admin, token->id).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(accounts_->RevokeToken(admin, token->id).ok());
  EXPECT_FALSE(accounts_->Authenticate(token->token).ok());

  EXPECT_EQ(accounts_->RevokeToken(marie, "0123456789abcdef").code(), ErrorCode::kNotFound);
  EXPECT_EQ(accounts_->RevokeToken(marie, "xyz").code(), ErrorCode::kInvalidArgument);
}

TEST_F(AccountsTest, ListsOwnTokensNewestFirstAndLiveSessionsOnly) {
  const Principal marie = MustCreate(Company());
  const Principal paul = MustCreate(Company("paul@exemple.fr"));
  auto first = accounts_->CreateToken(marie, {"read"}, "first", std::nullopt);
  Advance(1);
  auto second = accounts_->CreateToken(marie, {"deposits"}, "second", std::nullopt);
  Advance(1);
  auto session = accounts_->Login("marie@exemple.fr", kPassword);
  auto old_session = accounts_->Login("marie@exemple.fr", kPassword);
  ASSERT_TRUE(first.ok() && second.ok() && session.ok() && old_session.ok());
  ASSERT_TRUE(accounts_->CreateToken(paul, {"read"}, "paul's", std::nullopt).ok());
  ASSERT_TRUE(accounts_->RevokeToken(marie, first->id).ok());
  ASSERT_TRUE(accounts_->RevokeToken(marie, old_session->id).ok());

  auto list = accounts_->ListTokens(marie);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, session->id);
  EXPECT_EQ((*list)[0].kind, "session");
  EXPECT_EQ((*list)[1].id, second->id);
  EXPECT_EQ((*list)[1].label, "second");
  EXPECT_EQ((*list)[1].scopes, (std::vector<std::string>{"deposits"}));
  EXPECT_FALSE((*list)[1].revoked.has_value());
  EXPECT_EQ((*list)[2].id, first->id);
  EXPECT_TRUE((*list)[2].revoked.has_value());
  EXPECT_EQ((*list)[2].created.micros, kStart);

  Advance(3600);  // the session ends
  list = accounts_->ListTokens(marie);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
}

TEST_F(AccountsTest, ATokenLosesScopesItsRoleNoLongerAllows) {
  const Principal admin =
      MustCreate(NewUser{"admin@limpide.fr", "Admin", kPassword, "", "", UserRole::kAdmin});
  auto token = accounts_->CreateToken(admin, {"admin", "read"}, "", std::nullopt);
  ASSERT_TRUE(token.ok());
  // Demote the user in the store directly (no API does it yet).
  auto user = store_->GetObject("user", admin.user_id);
  ASSERT_TRUE(user.ok());
  std::string body = user->body;
  const auto pos = body.find("\"role\":\"admin\"");
  ASSERT_NE(pos, std::string::npos);
  body.replace(pos, 14, "\"role\":\"company_rep\"");
  auto txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->PutObject("user", admin.user_id, body, user->version).ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  const Principal p = MustAuthenticate(token->token);
  EXPECT_EQ(p.scopes, (std::vector<std::string>{"read"}));
}

TEST_F(AccountsTest, FindsAUserByEmailForTheCli) {
  const Principal marie = MustCreate(Company());
  auto found = accounts_->FindUserByEmail("MARIE@exemple.fr");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->user_id, marie.user_id);
  EXPECT_EQ(found->scopes, ScopesOf(UserRole::kCompanyRep));
  EXPECT_EQ(accounts_->FindUserByEmail("nobody@exemple.fr").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace limpide::app
