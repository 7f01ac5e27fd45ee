// The procedure's notifications reach the right companies, each once, and go
// out as mails after the transaction, through the outbox (app/notification_mail.h):
// a real SQLite store, real accounts, an injected clock, and a sender that
// records what it is given or fails as a relay that is down would.
#include "app/notification_mail.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/procedure.h"

namespace limpide::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kMs = 1000;                         // microseconds
constexpr int64_t kDeadline = 1'900'000'000'000'000;  // 2030-03-17T17:46:40Z

class NotificationMailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("limpide-mail-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::OpenStore((dir_ / "limpide.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    std::array<uint8_t, 32> seed{};
    seed[0] = 9;
    ledger_ = std::make_unique<LedgerService>(*store_, crypto::SigningKeyFromSeed(seed));
    ProcedureOptions options;
    options.now = [this] { return domain::Instant{now_}; };
    procedures_ = std::make_unique<Procedures>(*store_, *ledger_, options);
    AccountsOptions accounts_options;
    accounts_options.now = [this] { return domain::Instant{now_}; };
    accounts_ = std::make_unique<Accounts>(*store_, accounts_options);
    buyer_ = User("agent@rennes.fr", "21350238800019", "Commune de Rennes", UserRole::kBuyerAgent);
    downloader_ = User("dce@acme.fr", "73282932000074", "Acme", UserRole::kCompanyRep);
    depositor_ = User("offres@bois.fr", "44205913900018", "Bois", UserRole::kCompanyRep);
    bystander_ = User("veille@autre.fr", "55210055400013", "Autre", UserRole::kCompanyRep);
    NotificationMailerOptions mail;
    mail.public_url = "https://limpide.example";
    mail.now = [this] { return domain::Instant{now_}; };
    mail.retry_base = std::chrono::milliseconds(1000);
    mail.retry_max = std::chrono::milliseconds(4000);
    mail.send = [this](const OutgoingMail& m) {
      if (relay_down_) return Status::Unavailable("connect: connection refused");
      sent_.push_back(m);
      return Status::Ok();
    };
    mailer_ = std::make_unique<NotificationMailer>(*store_, *accounts_, mail);
  }
  void TearDown() override {
    mailer_.reset();
    procedures_.reset();
    accounts_.reset();
    ledger_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  Principal User(const std::string& email, const std::string& siret, const std::string& org,
                 UserRole role) {
    NewUser u{email, "Nom", "un mot de passe assez long", siret, org, role};
    auto p = accounts_->CreateUser(u);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : Principal{};
  }

  // A published consultation with one DCE document, downloaded by
  // `downloader_`; `depositor_` deposits without downloading.
  std::string Published() {
    now_ = kDeadline - int64_t{10} * 24 * 3600 * 1'000'000;
    const json draft = {
        {"title", "Élagage"},       {"procedure", "procedure_adaptee"},
        {"cpv", "77211400-6"},      {"criteria", {{{"name", "Prix"}, {"weight", 100}}}},
        {"maxDocumentBytes", 1000}, {"deadline", "2030-03-17T17:46:40Z"}};
    auto created = procedures_->CreateDraft(buyer_, draft.dump());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    const std::string id = (*created)["id"];
    auto doc = procedures_->AddDocument(buyer_, id, "rc.pdf", "application/pdf", "%PDF");
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    auto published = procedures_->Publish(buyer_, id);
    EXPECT_TRUE(published.ok()) << published.status().ToString();
    secret_ = (*published)["opening_key"]["secret_key"];
    now_ += kMs;
    EXPECT_TRUE(
        procedures_->DownloadDocument(&downloader_, id, (*doc)["sha256"].get<std::string>()).ok());
    now_ += kMs;
    auto d = procedures_->DepositInOneRequest(depositor_, id, "offre.txt", false, "offre de Bois");
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    now_ += kMs;
    return id;
  }

  // Queues the mails of an amendment notification `notification_id` of Acme
  // to `users`, now, in a transaction of its own.
  void Queue(const std::string& notification_id, const std::vector<std::string>& users) {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(QueueNotificationMails(
                    **txn, notification_id, "73282932000074", users,
                    {{"tender", "t"}, {"title", "T"}, {"kind", "tender.amended"}, {"message", "m"}},
                    domain::Instant{now_})
                    .ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  std::vector<std::string> Kinds(const Principal& who) {
    std::vector<std::string> kinds;
    auto notes = procedures_->Notifications(who);
    EXPECT_TRUE(notes.ok());
    for (const auto& n : (*notes)["items"]) kinds.push_back(n["kind"]);
    return kinds;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<LedgerService> ledger_;
  std::unique_ptr<Procedures> procedures_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<NotificationMailer> mailer_;
  Principal buyer_, downloader_, depositor_, bystander_;
  int64_t now_ = kDeadline - int64_t{20} * 24 * 3600 * 1'000'000;
  std::string secret_;
  bool relay_down_ = false;
  std::vector<OutgoingMail> sent_;
};

TEST_F(NotificationMailTest, AmendmentsAndAnswersReachDownloadersAndDepositorsEachOnceByMail) {
  const std::string id = Published();
  // The downloader also asks: still one notification per event.
  auto q = procedures_->Ask(downloader_, id, "Le plan est-il à jour ?");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  json edited = *procedures_->Get(nullptr, id);
  edited["title"] = "Élagage et abattage";
  ASSERT_TRUE(procedures_->Amend(buyer_, id, edited.dump(), "Titre précisé").ok());
  now_ += kMs;
  ASSERT_TRUE(procedures_->Answer(buyer_, id, (*q)["id"].get<std::string>(), "Oui.").ok());
  const std::vector<std::string> both = {"tender.amended", "tender.question_answered"};
  EXPECT_EQ(Kinds(downloader_), both);
  EXPECT_EQ(Kinds(depositor_), both);
  EXPECT_TRUE(Kinds(bystander_).empty());
  EXPECT_TRUE(Kinds(buyer_).empty());

  // Nothing leaves before the scheduled run; then one mail per company and event.
  EXPECT_TRUE(sent_.empty());
  auto n = mailer_->RunDue();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 4);
  std::map<std::string, int> per_address;
  for (const auto& m : sent_) ++per_address[m.to];
  EXPECT_EQ(per_address, (std::map<std::string, int>{{"dce@acme.fr", 2}, {"offres@bois.fr", 2}}));
  for (const auto& m : sent_) {
    EXPECT_NE(m.body.find("https://limpide.example/consultations/" + id), std::string::npos);
    // Nothing of another company: not its name, not the bid.
    EXPECT_EQ(m.body.find(m.to == "dce@acme.fr" ? "Bois" : "Acme"), std::string::npos) << m.body;
    EXPECT_EQ(m.body.find("offre de Bois"), std::string::npos);
  }
  const auto answer = std::find_if(sent_.begin(), sent_.end(), [](const OutgoingMail& m) {
    return m.subject.find("Réponse à une question") != std::string::npos;
  });
  ASSERT_NE(answer, sent_.end());
  EXPECT_NE(answer->body.find("Question : Le plan est-il à jour ?"), std::string::npos);
  EXPECT_NE(answer->body.find("Réponse : Oui."), std::string::npos);
  // Sent once: the next run has nothing to do.
  EXPECT_EQ(*mailer_->RunDue(), 0);
  EXPECT_EQ(sent_.size(), 4u);
}

TEST_F(NotificationMailTest, AMailWaitsAndIsRetriedWhileTheRelayIsDown) {
  const std::string id = Published();
  json edited = *procedures_->Get(nullptr, id);
  edited["title"] = "Élagage et abattage";
  ASSERT_TRUE(procedures_->Amend(buyer_, id, edited.dump(), "Titre précisé").ok());
  relay_down_ = true;
  // A run stops at the first failure: the second mail is not tried in vain.
  EXPECT_EQ(*mailer_->RunDue(), 0);
  auto mails = store_->ListObjects("mail", "", {"", 10});
  ASSERT_TRUE(mails.ok());
  ASSERT_EQ(mails->items.size(), 2u);
  int tried = 0;
  for (const auto& o : mails->items) {
    const json m = json::parse(o.body);
    EXPECT_EQ(m["state"], "pending");
    tried += m["attempts"].get<int>();
    if (m["attempts"] == 1) {
      EXPECT_EQ(m["lastError"], "connect: connection refused");
    }
  }
  EXPECT_EQ(tried, 1);
  // Failing again and again, each waits longer (1 s, 2 s, 4 s, 4 s…) and is never dropped.
  for (int i = 0; i < 6; ++i) {
    now_ += 5000 * kMs;
    (void)mailer_->RunDue();
  }
  mails = store_->ListObjects("mail", "", {"", 10});
  for (const auto& o : mails->items) EXPECT_EQ(json::parse(o.body)["state"], "pending");
  relay_down_ = false;
  now_ += 5000 * kMs;
  EXPECT_EQ(*mailer_->RunDue(), 2);
  mails = store_->ListObjects("mail", "", {"", 10});
  for (const auto& o : mails->items) {
    const json m = json::parse(o.body);
    EXPECT_EQ(m["state"], "sent");
    EXPECT_GE(m["attempts"].get<int>(), 2);
  }
  // No key of the index is left behind.
  EXPECT_TRUE(store_->ListObjects("mail-due", "", {"", 10})->items.empty());
}

TEST_F(NotificationMailTest, TheAwardTellsEveryBidderItsOwnOutcomeAndTheWinner) {
  const std::string id = Published();  // Bois deposits on time
  auto d = procedures_->DepositInOneRequest(downloader_, id, "offre.txt", false, "offre d'Acme");
  ASSERT_TRUE(d.ok());
  // Late: kept, not opened, told all the same.
  now_ = kDeadline + kMs;
  ASSERT_TRUE(procedures_->DepositInOneRequest(bystander_, id, "offre.txt", false, "tard").ok());
  now_ = kDeadline + 10 * kMs;
  auto opened = procedures_->OpenBids(buyer_, id, secret_, false);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  json scores = json::object();
  std::string bois_bid;
  for (const auto& b : (*opened)["bids"]) {
    const bool bois = b["company"]["id"] == depositor_.org_id;
    if (bois) bois_bid = b["id"];
    scores[b["id"].get<std::string>()] = {{"Prix", bois ? 90 : 60}};
  }
  ASSERT_TRUE(procedures_->Evaluate(buyer_, id, json{{"scores", scores}}.dump()).ok());
  ASSERT_TRUE(procedures_->Award(buyer_, id, bois_bid).ok());
  EXPECT_EQ(Kinds(depositor_), std::vector<std::string>{"bid.retained"});
  EXPECT_EQ(Kinds(downloader_), std::vector<std::string>{"bid.rejected"});
  EXPECT_EQ(Kinds(bystander_), std::vector<std::string>{"bid.not_opened"});
  ASSERT_EQ(*mailer_->RunDue(), 3);
  std::map<std::string, std::string> body_of;
  for (const auto& m : sent_) body_of[m.to] = m.body;
  ASSERT_EQ(body_of.size(), 3u);
  const std::string& won = body_of["offres@bois.fr"];
  const std::string& lost = body_of["dce@acme.fr"];
  const std::string& late = body_of["veille@autre.fr"];
  EXPECT_NE(won.find("Votre offre est retenue."), std::string::npos) << won;
  EXPECT_NE(lost.find("l'offre retenue est celle de Bois"), std::string::npos) << lost;
  EXPECT_NE(lost.find("Rang de votre offre : 2"), std::string::npos) << lost;
  EXPECT_NE(late.find("reçue après la date limite"), std::string::npos) << late;
  // Each bidder learns of the winner only, never of another unsuccessful one.
  for (const std::string* body : {&won, &lost, &late}) {
    EXPECT_EQ(body->find("Autre"), std::string::npos) << *body;
    EXPECT_EQ(body->find("Acme"), std::string::npos) << *body;
  }
}

TEST_F(NotificationMailTest, AMailToAUserWhoIsGoneIsParkedNotRetried) {
  Queue("73282932000074/x", {"u_gone", "u_gone", ""});
  EXPECT_EQ(*mailer_->RunDue(), 0);
  auto mails = store_->ListObjects("mail", "", {"", 10});
  ASSERT_EQ(mails->items.size(), 1u);  // one per user, duplicates and empty ids skipped
  const json m = json::parse(mails->items[0].body);
  EXPECT_EQ(m["state"], "parked");
  EXPECT_EQ(m["lastError"], "the user no longer exists");
  EXPECT_TRUE(store_->ListObjects("mail-due", "", {"", 10})->items.empty());
}

TEST_F(NotificationMailTest, SentAndParkedMailsAreForgottenAfterTheRetentionPendingOnesNever) {
  const auto ids = [&] {
    std::vector<std::string> out;
    const auto page = store_->ListObjects("mail", "", {"", 100});
    for (const auto& o : page->items) out.push_back(o.id);
    return out;
  };
  Queue("73282932000074/sent", {downloader_.user_id});
  Queue("73282932000074/parked", {"u_gone"});
  EXPECT_EQ(*mailer_->RunDue(), 1);  // one sent, one parked
  const int64_t day = int64_t{24} * 3600 * 1'000'000;
  now_ += day;
  relay_down_ = true;
  Queue("73282932000074/pending", {downloader_.user_id});  // stays pending: the relay is down
  EXPECT_EQ(*mailer_->RunDue(), 0);
  ASSERT_EQ(ids().size(), 3u);

  now_ += 88 * day;  // 89 days after the first two: kept
  EXPECT_EQ(*mailer_->PurgeFinished(), 0);
  now_ += day + kMs;  // 90 days and a millisecond
  EXPECT_EQ(*mailer_->PurgeFinished(), 2);
  EXPECT_EQ(ids(), std::vector<std::string>{"73282932000074/pending/" + downloader_.user_id});
  now_ += 1000 * day;
  EXPECT_EQ(*mailer_->PurgeFinished(), 0);  // pending, whatever its age
  relay_down_ = false;
  EXPECT_EQ(*mailer_->RunDue(), 1);  // and still delivered
}

}  // namespace
}  // namespace limpide::app
