// The alerts service on each store engine: matching follows the ledger with a
// stored cursor (a second instance, as after a restart, alerts nobody twice),
// and the daily digest, sent at its hour through a real SMTP sink (Debian's
// aiosmtpd on loopback), has the new matches and a "closing within 7 days"
// section.
#include "alerts/alerts.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "ledger/entry.h"
#include "store/engines.h"

namespace limpide::alerts {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// aiosmtpd writing every mail it receives into a Maildir.
class SmtpSink {
 public:
  SmtpSink() {
    char tmpl[] = "/tmp/limpide-smtp-XXXXXX";
    dir_ = mkdtemp(tmpl);
    port_ = FreePort();
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    const std::string maildir = dir_ + "/mail";
    pid_ = fork();
    if (pid_ == 0) {
      execl("/usr/bin/python3", "python3", "-m", "aiosmtpd", "-n", "-l", listen.c_str(), "-c",
            "aiosmtpd.handlers.Mailbox", maildir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 100 && !Reachable(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ~SmtpSink() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  uint16_t port() const { return port_; }
  std::vector<std::string> Mails() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ + "/mail/new", ec)) {
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back(ss.str());
    }
    return out;
  }

 private:
  static uint16_t FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
  }
  bool Reachable() const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
  }
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// One sink for the whole binary, started on first use (not when the tests are listed).
SmtpSink& Sink() {
  static SmtpSink sink;  // stopped at exit
  return sink;
}

domain::Instant At(const char* text) { return *domain::ParseInstant(text); }

class AlertsService : public ::testing::TestWithParam<store::testing::Engine> {
 protected:
  void SetUp() override {
    url_ = GetParam().new_url();
    auto s = store::OpenStore(url_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    options_.now = [this] { return now_; };
    options_.smtp.host = "127.0.0.1";
    options_.smtp.port = Sink().port();
    options_.public_url = "https://limpide.example";
    alerts_ = std::make_unique<Alerts>(*store_, options_);
    company_.user_id = "u_acme";
    company_.org_id = "73282932000074";
    company_.role = app::UserRole::kCompanyRep;
  }
  void TearDown() override {
    alerts_.reset();
    store_.reset();
    GetParam().remove(url_);
  }

  // What Procedures::Publish appends to the ledger (docs/tenders.md).
  void Publish(const std::string& id, const std::string& title, const std::string& deadline,
               const std::string& kind = "tender.published", int amendment = 0) {
    json body = {{"tender", id},
                       {"title", title},
                       {"buyer", {{"id", "21350238800019"}, {"name", "Commune de Rennes"}}},
                       {"procedure", "procedure_adaptee"},
                       {"nature", "marche"},
                       {"cpv", "77211400-6"},
                       {"place", "35"},
                       {"deadline", deadline},
                       {"state", "published"},
                       {"estimated_value_cents", 5000000}};
    if (amendment > 0)
      body["amendment"] = {{"number", amendment},
                           {"summary", "Titre précisé"},
                           {"changed", json::array({"title"})}};
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    auto text = ledger::CanonicalJson(body);
    ASSERT_TRUE(text.ok());
    ASSERT_TRUE((*txn)->AppendToLedger({kind, id, *text}).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  size_t MatchCount(Alerts& a, const std::string& alert) {
    auto m = a.Matches(company_, alert, {"", 100});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? (*m)["data"].size() : 0;
  }

  std::string url_;
  std::unique_ptr<store::Store> store_;
  domain::Instant now_ = At("2026-12-01T10:00:00Z");
  AlertsOptions options_;
  std::unique_ptr<Alerts> alerts_;
  app::Principal company_;
};

TEST_P(AlertsService, EachPublicationIsMatchedOnceEvenAfterARestart) {
  auto alert = alerts_->Create(company_, {{"query", "élagage"}, {"departments", {"35"}}});
  ASSERT_TRUE(alert.ok()) << alert.status().ToString();
  const std::string id = (*alert)["id"];
  Publish("t-1", "Travaux d'élagage des arbres", "2026-12-20T11:00:00.000Z");
  Publish("t-2", "Fourniture de papier", "2026-12-20T11:00:00.000Z");
  auto pos = alerts_->CatchUp();
  ASSERT_TRUE(pos.ok()) << pos.status().ToString();
  EXPECT_EQ(*pos, 2u);
  EXPECT_EQ(MatchCount(*alerts_, id), 1u);
  auto m = alerts_->Matches(company_, id, {"", 10});
  EXPECT_EQ((*m)["data"][0]["tender"], "t-1");
  EXPECT_EQ((*m)["data"][0]["reason"]["summary"],
            "mots : élagage ; lieu : 35 Ille-et-Vilaine");

  // A second instance on the same store, as after a restart.
  Alerts again(*store_, options_);
  ASSERT_TRUE(again.CatchUp().ok());
  EXPECT_EQ(MatchCount(again, id), 1u);
  Publish("t-3", "Élagage des platanes", "2026-12-20T11:00:00.000Z");
  ASSERT_TRUE(again.CatchUp().ok());
  ASSERT_TRUE(alerts_->CatchUp().ok());
  EXPECT_EQ(MatchCount(again, id), 2u);
}

TEST_P(AlertsService, ChangedSavedSearchesApplyOneByOneAndAGapInTheLogReloadsAll) {
  auto a = alerts_->Create(company_, {{"query", "élagage"}});
  ASSERT_TRUE(a.ok());
  const std::string a_id = (*a)["id"];
  Publish("t-1", "Travaux d'élagage", "2026-12-20T11:00:00.000Z");
  ASSERT_TRUE(alerts_->CatchUp().ok());  // the matcher is loaded here
  EXPECT_EQ(MatchCount(*alerts_, a_id), 1u);
  // Changes after the load: the matcher applies them from the change log.
  ASSERT_TRUE(alerts_->Replace(company_, a_id, {{"query", "piscine"}}).ok());
  auto b = alerts_->Create(company_, {{"query", "platanes"}});
  ASSERT_TRUE(b.ok());
  const std::string b_id = (*b)["id"];
  auto c = alerts_->Create(company_, {{"query", "élagage"}});
  ASSERT_TRUE(c.ok());
  const std::string c_id = (*c)["id"];
  ASSERT_TRUE(alerts_->Delete(company_, c_id).ok());
  Publish("t-2", "Élagage des platanes", "2026-12-20T11:00:00.000Z");
  ASSERT_TRUE(alerts_->CatchUp().ok());
  EXPECT_EQ(MatchCount(*alerts_, a_id), 1u);  // now "piscine": t-2 is not for it
  EXPECT_EQ(MatchCount(*alerts_, b_id), 1u);
  auto deleted = store_->ListObjects("alert-match", c_id + "/", {"", 10});
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->items.empty());
  // A change the log does not account for (the generation grown by hand):
  // everything is read again, and the answer is the same.
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    auto g = (*txn)->GetObject("alert-meta", "generation");
    ASSERT_TRUE(g.ok());
    ASSERT_TRUE((*txn)->PutObject("alert-meta", "generation", "{}", g->version).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto d = alerts_->Create(company_, {{"query", "piscine"}});
  ASSERT_TRUE(d.ok());
  Publish("t-3", "Construction d'une piscine", "2026-12-20T11:00:00.000Z");
  ASSERT_TRUE(alerts_->CatchUp().ok());
  EXPECT_EQ(MatchCount(*alerts_, a_id), 2u);
  EXPECT_EQ(MatchCount(*alerts_, (*d)["id"]), 1u);
  EXPECT_EQ(MatchCount(*alerts_, b_id), 1u);
}

TEST_P(AlertsService, TheChangeLogKeepsItsLastEntriesAndANodeFurtherBehindReadsEverything) {
  AlertsOptions keep_two = options_;
  keep_two.change_log_keep = 2;
  Alerts writer(*store_, keep_two);
  // Another node: its matcher is loaded now, then falls five changes behind.
  Alerts behind(*store_, options_);
  ASSERT_TRUE(behind.CatchUp().ok());
  std::vector<std::string> ids;
  for (const char* q : {"élagage", "piscine", "platanes", "voirie"}) {
    auto a = writer.Create(company_, {{"query", q}});
    ASSERT_TRUE(a.ok());
    ids.push_back((*a)["id"]);
  }
  ASSERT_TRUE(writer.Replace(company_, ids[1], {{"query", "élagage"}}).ok());
  auto log = store_->ListObjects("alert-change", "", {"", 100});
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->items.size(), 2u);
  EXPECT_EQ(log->items[0].id, "0000000000000000004");
  EXPECT_EQ(log->items[1].id, "0000000000000000005");
  Publish("t-1", "Travaux d'élagage", "2026-12-20T11:00:00.000Z");
  ASSERT_TRUE(behind.CatchUp().ok());
  EXPECT_EQ(MatchCount(behind, ids[0]), 1u);
  EXPECT_EQ(MatchCount(behind, ids[1]), 1u);  // replaced: "élagage" now
  EXPECT_EQ(MatchCount(behind, ids[2]), 0u);
}

TEST_P(AlertsService, AnAmendmentAlertsOnlyTheSearchesItMakesMatchForTheFirstTime) {
  auto a = alerts_->Create(company_, {{"query", "élagage"}, {"email", "veille@acme.fr"}});
  ASSERT_TRUE(a.ok());
  const std::string a_id = (*a)["id"];
  auto b = alerts_->Create(company_, {{"query", "platanes"}});
  ASSERT_TRUE(b.ok());
  const std::string b_id = (*b)["id"];
  Publish("t-1", "Travaux d'élagage", "2026-12-20T11:00:00.000Z");
  ASSERT_TRUE(alerts_->CatchUp().ok());
  EXPECT_EQ(MatchCount(*alerts_, a_id), 1u);
  EXPECT_EQ(MatchCount(*alerts_, b_id), 0u);
  // The amendment names the trees: b matches now, a matched already.
  Publish("t-1", "Travaux d'élagage des platanes", "2026-12-20T11:00:00.000Z", "tender.amended", 1);
  ASSERT_TRUE(alerts_->CatchUp().ok());
  EXPECT_EQ(MatchCount(*alerts_, a_id), 1u);
  auto deliveries = alerts_->Deliveries(company_, a_id, {"", 10});
  ASSERT_TRUE(deliveries.ok());
  EXPECT_EQ((*deliveries)["data"].size(), 1u);  // one mail, not two
  ASSERT_EQ(MatchCount(*alerts_, b_id), 1u);
  auto m = alerts_->Matches(company_, b_id, {"", 10});
  const json reason = (*m)["data"][0]["reason"];
  EXPECT_EQ(reason["words"], json::array({"platanes"}));
  EXPECT_EQ(reason["amendment"]["number"], 1);
  EXPECT_EQ(reason["summary"], "mots : platanes ; après la modification n°1");
  // A second amendment alerts nobody again.
  Publish("t-1", "Travaux d'élagage des platanes", "2026-12-21T11:00:00.000Z", "tender.amended", 2);
  ASSERT_TRUE(alerts_->CatchUp().ok());
  EXPECT_EQ(MatchCount(*alerts_, a_id), 1u);
  EXPECT_EQ(MatchCount(*alerts_, b_id), 1u);
}

TEST_P(AlertsService, TheDailyDigestListsNewMatchesAndThoseClosingWithinSevenDays) {
  auto alert = alerts_->Create(company_, {{"name", "Élagage"},
                                          {"query", "élagage"},
                                          {"email", "veille@acme.fr"},
                                          {"emailMode", "daily"}});
  ASSERT_TRUE(alert.ok()) << alert.status().ToString();
  now_ = At("2026-12-01T10:01:00Z");
  Publish("t-soon", "Élagage du parc Oberthur", "2026-12-04T11:00:00.000Z");
  Publish("t-late", "Élagage des quais", "2026-12-30T11:00:00.000Z");
  const size_t before = Sink().Mails().size();
  // 11:00 in Paris: today's 07:00 digest was before the alert existed.
  ASSERT_TRUE(alerts_->RunDue(now_).ok());
  alerts_->Drain();
  EXPECT_EQ(Sink().Mails().size(), before);

  now_ = At("2026-12-02T06:30:00Z");  // 07:30 in Paris
  ASSERT_TRUE(alerts_->RunDue(now_).ok());
  alerts_->Drain();
  auto mails = Sink().Mails();
  ASSERT_EQ(mails.size(), before + 1);
  std::string mail;
  for (const auto& m : mails)
    if (m.find("t-soon") != std::string::npos) mail = m;
  ASSERT_FALSE(mail.empty());
  EXPECT_NE(mail.find("To: <veille@acme.fr>"), std::string::npos);
  EXPECT_NE(mail.find("Nouvelles consultations (2)"), std::string::npos) << mail;
  const size_t closing = mail.find("Clôture dans les 7 jours (1)");
  ASSERT_NE(closing, std::string::npos) << mail;
  EXPECT_NE(mail.find("t-soon", closing), std::string::npos);
  EXPECT_EQ(mail.find("t-late", closing), std::string::npos);

  // Once a day.
  now_ = At("2026-12-02T09:00:00Z");
  ASSERT_TRUE(alerts_->RunDue(now_).ok());
  alerts_->Drain();
  EXPECT_EQ(Sink().Mails().size(), before + 1);
  auto deliveries = alerts_->Deliveries(company_, (*alert)["id"].get<std::string>(), {"", 10});
  ASSERT_TRUE(deliveries.ok());
  ASSERT_EQ((*deliveries)["data"].size(), 1u);
  EXPECT_EQ((*deliveries)["data"][0]["state"], "sent");
  EXPECT_EQ((*deliveries)["data"][0]["closing"], 1);
}

TEST_P(AlertsService, OnlyTheOwnerSeesAnAlertAndTheFeedNeedsItsKey) {
  auto alert = alerts_->Create(company_, {{"query", "voirie"}});
  ASSERT_TRUE(alert.ok());
  const std::string id = (*alert)["id"];
  const std::string feed_url = (*alert)["feedUrl"];
  const std::string key = feed_url.substr(feed_url.find("key=") + 4);
  app::Principal other = company_;
  other.user_id = "u_other";
  EXPECT_EQ(alerts_->Get(other, id).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(alerts_->Feed(id, key).ok());
  EXPECT_EQ(alerts_->Feed(id, key + "x").status().code(), ErrorCode::kNotFound);
  auto rotated = alerts_->RotateFeedKey(company_, id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(alerts_->Feed(id, key).status().code(), ErrorCode::kNotFound);
  app::Principal buyer = company_;
  buyer.role = app::UserRole::kBuyerAgent;
  EXPECT_EQ(alerts_->Create(buyer, {{"query", "voirie"}}).status().code(),
            ErrorCode::kPermissionDenied);
}

INSTANTIATE_TEST_SUITE_P(Engines, AlertsService, ::testing::ValuesIn(store::testing::AllEngines()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace limpide::alerts
