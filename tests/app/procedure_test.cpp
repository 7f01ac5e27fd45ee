// The procedure service on a real SQLite store with an injected clock: the
// deadline's edges (one millisecond before is on time, at the deadline late),
// the grace period, successive deposits and the closing of receipts.
#include "app/procedure.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ledger/receipt.h"
#include "ledger/tree_head.h"

namespace limpide::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kMs = 1000;                         // microseconds
constexpr int64_t kDeadline = 1'900'000'000'000'000;  // 2030-03-17T17:46:40Z

Principal Buyer() {
  Principal p;
  p.user_id = "u_buyer";
  p.org_id = "21350238800019";
  p.org_name = "Commune de Rennes";
  p.role = UserRole::kBuyerAgent;
  return p;
}

Principal Company(const std::string& siret, const std::string& name) {
  Principal p;
  p.user_id = "u_" + siret;
  p.org_id = siret;
  p.org_name = name;
  p.role = UserRole::kCompanyRep;
  return p;
}

class ProcedureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("limpide-procedure-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::OpenStore((dir_ / "limpide.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    std::array<uint8_t, 32> seed{};
    seed[0] = 7;
    ledger_ = std::make_unique<LedgerService>(*store_, crypto::SigningKeyFromSeed(seed));
    ProcedureOptions options;
    options.now = [this] { return domain::Instant{now_}; };
    options.rules.deposit_grace_micros = grace_;
    procedures_ = std::make_unique<Procedures>(*store_, *ledger_, options);
  }
  void TearDown() override {
    procedures_.reset();
    ledger_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // A published consultation (procédure adaptée) with its deadline at kDeadline.
  json Publish() {
    now_ = kDeadline - int64_t{10} * 24 * 3600 * 1'000'000;
    const json draft = {
        {"title", "Élagage"},       {"procedure", "procedure_adaptee"},
        {"cpv", "77211400-6"},      {"criteria", {{{"name", "Prix"}, {"weight", 100}}}},
        {"maxDocumentBytes", 1000}, {"deadline", "2030-03-17T17:46:40Z"}};
    auto created = procedures_->CreateDraft(Buyer(), draft.dump());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    auto published = procedures_->Publish(Buyer(), (*created)["id"].get<std::string>());
    EXPECT_TRUE(published.ok()) << published.status().ToString();
    secret_ = (*published)["opening_key"]["secret_key"];
    return (*published)["tender"];
  }

  // Deposits `text` in plaintext: started at `start`, completed at `complete`.
  Result<json> Deposit(const std::string& id, const Principal& who, const std::string& text,
                       int64_t start, int64_t complete) {
    now_ = start;
    auto d = procedures_->StartDeposit(who, id, {{"offre.txt", text.size(), false}});
    if (!d.ok()) return d.status();
    const std::string deposit_id = (*d)["id"];
    auto chunk = procedures_->PutChunk(who, id, deposit_id, 0, 0, text);
    if (!chunk.ok()) return chunk.status();
    now_ = complete;
    return procedures_->CompleteDeposit(who, id, deposit_id);
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<LedgerService> ledger_;
  std::unique_ptr<Procedures> procedures_;
  int64_t now_ = 0;
  int64_t grace_ = 0;
  std::string secret_;
};

TEST_F(ProcedureTest, OneMillisecondBeforeTheDeadlineIsOnTimeAtTheDeadlineLate) {
  const json t = Publish();
  const std::string id = t["id"];
  auto on_time =
      Deposit(id, Company("73282932000074", "Acme"), "a", kDeadline - 10 * kMs, kDeadline - kMs);
  ASSERT_TRUE(on_time.ok()) << on_time.status().ToString();
  EXPECT_FALSE((*on_time)["receipt"]["late"].get<bool>());
  EXPECT_EQ((*on_time)["receipt"]["received"], "2030-03-17T17:46:39.999Z");
  auto late = Deposit(id, Company("44205913900018", "Bois"), "b", kDeadline - 10 * kMs, kDeadline);
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_TRUE((*late)["receipt"]["late"].get<bool>());
  EXPECT_EQ((*late)["receipt"]["received"], "2030-03-17T17:46:40.000Z");
  // Opening: the late bid is kept but not opened.
  now_ = kDeadline + 5 * kMs;
  auto opened = procedures_->OpenBids(Buyer(), id, secret_, /*include_late=*/false);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ((*opened)["bids"].size(), 1u);
  EXPECT_EQ((*opened)["late_deposits"], 1);
}

TEST_F(ProcedureTest, GracePeriodAcceptsAnUploadStartedBeforeTheDeadline) {
  grace_ = 60 * 1000 * kMs;
  TearDown();
  SetUp();  // again, with the grace period
  const json t = Publish();
  const std::string id = t["id"];
  auto grace = Deposit(id, Company("73282932000074", "Acme"), "a", kDeadline - kMs,
                       kDeadline + 59 * 1000 * kMs);
  ASSERT_TRUE(grace.ok()) << grace.status().ToString();
  EXPECT_FALSE((*grace)["receipt"]["late"].get<bool>());
  EXPECT_TRUE((*grace)["receipt"]["grace"].get<bool>());
  // Started at the deadline: late, grace or not.
  auto late = Deposit(id, Company("44205913900018", "Bois"), "b", kDeadline, kDeadline + kMs);
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_TRUE((*late)["receipt"]["late"].get<bool>());
}

TEST_F(ProcedureTest, TheLastDepositBeforeTheDeadlineCountsAndWithdrawalRemovesIt) {
  const json t = Publish();
  const std::string id = t["id"];
  const Principal acme = Company("73282932000074", "Acme");
  const Principal bois = Company("44205913900018", "Bois");
  ASSERT_TRUE(Deposit(id, acme, "first", kDeadline - 100 * kMs, kDeadline - 90 * kMs).ok());
  auto second = Deposit(id, acme, "second", kDeadline - 80 * kMs, kDeadline - 70 * kMs);
  ASSERT_TRUE(second.ok());
  auto withdrawn = Deposit(id, bois, "bois", kDeadline - 60 * kMs, kDeadline - 50 * kMs);
  ASSERT_TRUE(withdrawn.ok());
  now_ = kDeadline - 40 * kMs;
  ASSERT_TRUE(
      procedures_->Withdraw(bois, id, (*withdrawn)["receipt"]["id"].get<std::string>()).ok());
  // After the deadline nothing can be withdrawn.
  now_ = kDeadline;
  EXPECT_EQ(procedures_->Withdraw(acme, id, (*second)["receipt"]["id"].get<std::string>())
                .status()
                .code(),
            ErrorCode::kConflict);
  // Closing anchors the three receipts.
  auto closed = procedures_->CloseDue();
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(*closed, 1);
  EXPECT_EQ(*procedures_->CloseDue(), 0);  // idempotent
  auto opened = procedures_->OpenBids(Buyer(), id, secret_, false);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_EQ((*opened)["bids"].size(), 1u);
  EXPECT_EQ((*opened)["withdrawn_deposits"], 1);
  EXPECT_EQ((*opened)["bids"][0]["id"], (*second)["receipt"]["id"]);
  EXPECT_EQ((*opened)["bids"][0]["documents"][0]["plaintext_sha256"],
            crypto::ToHex(crypto::Sha256("second")));
}

TEST_F(ProcedureTest, ClosingReadsOnlyTheDueConsultationsFromTheDeadlineIndex) {
  const int64_t hour = int64_t{3600} * 1'000'000;
  std::vector<std::string> ids;
  for (const char* deadline :
       {"2030-03-17T17:46:40Z", "2030-03-17T18:46:40Z", "2030-03-17T19:46:40Z"}) {
    now_ = kDeadline - int64_t{10} * 24 * hour;
    const json draft = {{"title", "Élagage"},       {"procedure", "procedure_adaptee"},
                        {"cpv", "77211400-6"},      {"criteria", {{{"name", "Prix"}, {"weight", 100}}}},
                        {"maxDocumentBytes", 1000}, {"deadline", deadline}};
    auto created = procedures_->CreateDraft(Buyer(), draft.dump());
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    ids.push_back((*created)["id"]);
    ASSERT_TRUE(procedures_->Publish(Buyer(), ids.back()).ok());
  }
  auto due = [this] {
    std::vector<std::string> out;
    auto page = store_->ListObjects("tender-due", "", {"", 100});
    EXPECT_TRUE(page.ok());
    for (const auto& o : page->items) out.push_back(o.id);
    return out;
  };
  ASSERT_EQ(due().size(), 3u);
  EXPECT_EQ(due()[0], "2030-03-17T17:46:40.000Z/" + ids[0]);  // deadline order
  ASSERT_TRUE(procedures_->Cancel(Buyer(), ids[2], "besoin disparu").ok());
  EXPECT_EQ(due().size(), 2u);  // a cancelled consultation waits for nothing

  now_ = kDeadline + hour / 2;
  auto closed = procedures_->CloseDue();
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(*closed, 1);
  EXPECT_EQ(due(), std::vector<std::string>{"2030-03-17T18:46:40.000Z/" + ids[1]});

  // A store from before the index: no entries, no marker. The first run
  // builds the index from the consultations, then closes what is due.
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->DeleteObject("tender-due", due()[0]).ok());
    ASSERT_TRUE((*txn)->DeleteObject("index-built", "tender-due").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  ProcedureOptions options;
  options.now = [this] { return domain::Instant{now_}; };
  Procedures fresh(*store_, *ledger_, options);
  now_ = kDeadline + 2 * hour;
  closed = fresh.CloseDue();
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(*closed, 1);
  EXPECT_TRUE(due().empty());
  EXPECT_TRUE(store_->GetObject("index-built", "tender-due").ok());
  EXPECT_EQ(*fresh.CloseDue(), 0);
}

TEST_F(ProcedureTest, ReceiptsAreSignedAndAnchoredAtTheDeadline) {
  const json t = Publish();
  const std::string id = t["id"];
  const Principal acme = Company("73282932000074", "Acme");
  auto r = Deposit(id, acme, "offre", kDeadline - 100 * kMs, kDeadline - 90 * kMs);
  ASSERT_TRUE(r.ok());
  const std::string deposit_id = (*r)["receipt"]["id"];
  // Before the deadline there is no proof yet.
  now_ = kDeadline - kMs;
  EXPECT_EQ(procedures_->ReceiptProof(acme, id, deposit_id).status().code(),
            ErrorCode::kFailedPrecondition);
  now_ = kDeadline + kMs;
  auto proof = procedures_->ReceiptProof(acme, id, deposit_id);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  auto key = ledger::PublicKeyJson(ledger_->key().public_key);
  const json head = (*proof)["head"];
  const json p = (*proof)["proof"];
  const auto report = ledger::VerifyReceiptDoc((*proof)["receipt"].dump(), key, &p, &head);
  EXPECT_EQ(report.outcome, ledger::VerifyReport::Outcome::kOk) << report.problem;
}

TEST_F(ProcedureTest, CompaniesThatDownloadedTheDceHearOfAmendmentsDocumentsAndCancellation) {
  const json t = Publish();
  const std::string id = t["id"];
  const Principal acme = Company("73282932000074", "Acme");
  now_ = kDeadline - 1000 * kMs;
  auto doc = procedures_->AddDocument(Buyer(), id, "rc.pdf", "application/pdf", "%PDF");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  ASSERT_TRUE(procedures_->DownloadDocument(&acme, id, (*doc)["sha256"].get<std::string>()).ok());
  json edited = *procedures_->Get(nullptr, id);
  edited["title"] = "Élagage et abattage";
  now_ += kMs;  // notifications are listed in time order
  auto amended = procedures_->Amend(Buyer(), id, edited.dump(), "Titre précisé");
  ASSERT_TRUE(amended.ok()) << amended.status().ToString();
  now_ += kMs;
  ASSERT_TRUE(procedures_->AddDocument(Buyer(), id, "plan.pdf", "application/pdf", "%PDF2").ok());
  now_ += kMs;
  ASSERT_TRUE(procedures_->Cancel(Buyer(), id, "Besoin disparu").ok());
  auto notes = procedures_->Notifications(acme);
  ASSERT_TRUE(notes.ok());
  std::vector<std::string> kinds;
  for (const auto& n : (*notes)["items"]) kinds.push_back(n["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"tender.amended", "tender.document_added",
                                             "tender.cancelled"}));
  // A company that downloaded nothing is told nothing.
  EXPECT_TRUE((*procedures_->Notifications(Company("44205913900018", "Bois")))["items"].empty());
}

TEST_F(ProcedureTest, DocumentsLargerThanThePublishedLimitAreRefused) {
  const json t = Publish();
  now_ = kDeadline - kMs;
  auto big = procedures_->StartDeposit(Company("73282932000074", "Acme"),
                                       t["id"].get<std::string>(), {{"offre.pdf", 1001, true}});
  EXPECT_EQ(big.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(big.status().field(), "documents[0].size");
}

}  // namespace
}  // namespace limpide::app

namespace limpide::app {
namespace {

// The ids of every page of a listing of Procedures (BuyerTenders, CompanyTenders).
template <typename List>
std::vector<std::string> AllIds(List&& list, int limit, int* pages) {
  std::vector<std::string> ids;
  store::PageRequest page{"", limit};
  for (*pages = 1;; ++*pages) {
    auto got = list(page);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) break;
    for (const auto& t : (*got)["items"]) ids.push_back(t["id"]);
    if (!(*got)["next"].is_string() || *pages > 50) break;
    page.after = (*got)["next"];
  }
  return ids;
}

TEST_F(ProcedureTest, BuyersAndCompaniesSeeOnlyTheirOwnConsultationsAPageAtATime) {
  Principal other = Buyer();
  other.org_id = "21690123100011";
  other.org_name = "Ville de Lyon";
  const Principal acme = Company("73282932000074", "Acme");
  const Principal bois = Company("44205913900018", "Bois");
  std::vector<std::string> mine, acme_sees;
  for (int i = 0; i < 7; ++i) {
    const json t = Publish();
    mine.push_back(t["id"]);
    const json theirs = {{"title", "Lyon " + std::to_string(i)}, {"procedure", "procedure_adaptee"},
                         {"cpv", "77211400-6"}, {"criteria", {{{"name", "Prix"}, {"weight", 100}}}},
                         {"deadline", "2030-03-17T17:46:40Z"}};
    ASSERT_TRUE(procedures_->CreateDraft(other, theirs.dump()).ok());
    // Acme asks on every other one, deposits on the first; Bois takes part in none.
    if (i % 2 == 0) {
      ASSERT_TRUE(procedures_->Ask(acme, t["id"].get<std::string>(), "Une question ?").ok());
      acme_sees.push_back(t["id"]);
    }
  }
  ASSERT_TRUE(Deposit(mine[1], acme, "offre", kDeadline - 10 * kMs, kDeadline - kMs).ok());
  acme_sees.push_back(mine[1]);
  std::sort(mine.rbegin(), mine.rend());
  std::sort(acme_sees.rbegin(), acme_sees.rend());

  int pages = 0;
  EXPECT_EQ(AllIds([&](auto page) { return procedures_->BuyerTenders(Buyer(), page); }, 3, &pages),
            mine);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(AllIds([&](auto page) { return procedures_->BuyerTenders(other, page); }, 50, &pages)
                .size(),
            7u);
  EXPECT_EQ(AllIds([&](auto page) { return procedures_->CompanyTenders(acme, page); }, 2, &pages),
            acme_sees);
  EXPECT_TRUE(
      AllIds([&](auto page) { return procedures_->CompanyTenders(bois, page); }, 2, &pages).empty());
  auto first = procedures_->CompanyTenders(acme, {"", 50});
  ASSERT_TRUE(first.ok());
  for (const auto& t : (*first)["items"]) {
    EXPECT_TRUE(t["mine"]["asked"].get<bool>() || t["mine"]["deposits"].get<int>() == 1) << t;
  }
  // Roles and bad pages.
  EXPECT_EQ(procedures_->BuyerTenders(acme, {"", 10}).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(procedures_->CompanyTenders(Buyer(), {"", 10}).status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(procedures_->BuyerTenders(Buyer(), {"", 0}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(procedures_->BuyerTenders(Buyer(), {"pas-un-curseur", 10}).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(ProcedureTest, ConsultationsStoredBeforeTheIndexAreIndexedOnce) {
  const json t = Publish();
  const std::string id = t["id"];
  const Principal acme = Company("73282932000074", "Acme");
  ASSERT_TRUE(Deposit(id, acme, "offre", kDeadline - 10 * kMs, kDeadline - kMs).ok());
  // Strip "orgs" from the stored bodies, as a store written before schema 6 holds them.
  for (const char* kind : {"tender", "deposit"}) {
    auto objects = store_->ListObjects(kind, "", {"", 100});
    ASSERT_TRUE(objects.ok());
    for (const auto& o : objects->items) {
      json body = json::parse(o.body);
      body.erase("orgs");
      auto txn = store_->BeginWrite();
      ASSERT_TRUE(txn.ok());
      ASSERT_TRUE((*txn)->PutObject(kind, o.id, body.dump(), o.version).ok());
      ASSERT_TRUE((*txn)->Commit().ok());
    }
  }
  EXPECT_TRUE((*procedures_->BuyerTenders(Buyer(), {"", 10}))["items"].empty());
  EXPECT_TRUE((*procedures_->CompanyTenders(acme, {"", 10}))["items"].empty());
  auto indexed = procedures_->IndexOrganizations();
  ASSERT_TRUE(indexed.ok()) << indexed.status().ToString();
  EXPECT_EQ(*indexed, 2);  // the consultation and the deposit
  EXPECT_EQ((*procedures_->BuyerTenders(Buyer(), {"", 10}))["items"].size(), 1u);
  auto seen = procedures_->CompanyTenders(acme, {"", 10});
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ((*seen)["items"].size(), 1u);
  EXPECT_EQ((*seen)["items"][0]["mine"]["deposits"], 1);
  EXPECT_EQ((*procedures_->Deposits(acme, id))["items"].size(), 1u);
  // Done once: the marker stops a second pass.
  EXPECT_EQ(*procedures_->IndexOrganizations(), 0);
}

}  // namespace
}  // namespace limpide::app

namespace limpide::app {
namespace {

TEST_F(ProcedureTest, AnUnsuccessfulEndIsToldToEveryCompanyThatDeposited) {
  const json t = Publish();
  const std::string id = t["id"];
  // Acme only deposits (it downloaded nothing and asked nothing); Bois only asks.
  const Principal acme = Company("73282932000074", "Acme");
  const Principal bois = Company("44205913900018", "Bois");
  ASSERT_TRUE(Deposit(id, acme, "offre", kDeadline - 10 * kMs, kDeadline - kMs).ok());
  now_ = kDeadline - 5 * kMs;
  ASSERT_TRUE(procedures_->Ask(bois, id, "Une question ?").ok());
  now_ = kDeadline + 5 * kMs;
  ASSERT_TRUE(procedures_->OpenBids(Buyer(), id, secret_, false).ok());
  EXPECT_EQ(procedures_->DeclareUnsuccessful(Buyer(), id, "").status().french(),
            "le motif est obligatoire");
  auto ended = procedures_->DeclareUnsuccessful(Buyer(), id, "Offres inacceptables");
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  EXPECT_EQ((*ended)["end_reason"], "Offres inacceptables");
  for (const Principal& who : {acme, bois}) {
    auto notes = procedures_->Notifications(who);
    ASSERT_TRUE(notes.ok());
    ASSERT_FALSE((*notes)["items"].empty()) << who.org_name;
    EXPECT_EQ((*notes)["items"].back()["kind"], "tender.unsuccessful") << who.org_name;
  }
  // A second end is the state machine's 409, in both languages.
  auto again = procedures_->Cancel(Buyer(), id, "Encore");
  EXPECT_EQ(again.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(again.status().french(),
            "la procédure est déjà terminée ; état de la consultation : Infructueuse");
}

// The public list through its index shows what the former full scan showed:
// no draft but to its buyer, test ones only on request or to their buyer, in
// id order, whatever the page size.
TEST_F(ProcedureTest, TheListShowsWhatEachReaderMaySeeInIdOrderAPageAtATime) {
  Principal lyon = Buyer();
  lyon.org_id = "21690123100011";
  lyon.org_name = "Ville de Lyon";
  const Principal acme = Company("73282932000074", "Acme");
  struct Made {
    std::string id, buyer;
    bool draft, test;
  };
  std::vector<Made> made;
  const auto make = [&](const Principal& buyer, bool publish, bool test, bool cancel) {
    now_ += kMs;  // ids are made of the time and random digits: no order among equals
    json draft = {{"title", "Consultation"}, {"procedure", "procedure_adaptee"},
                  {"cpv", "77211400-6"},     {"criteria", {{{"name", "Prix"}, {"weight", 100}}}},
                  {"deadline", "2030-03-17T17:46:40Z"}};
    if (test) draft["test"] = true;
    auto c = procedures_->CreateDraft(buyer, draft.dump());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    const std::string id = (*c)["id"];
    if (publish) {
      ASSERT_TRUE(procedures_->Publish(buyer, id).ok());
    }
    // A draft that is cancelled is no longer a draft: public, as before.
    if (cancel) {
      ASSERT_TRUE(procedures_->Cancel(buyer, id, "Abandon").ok());
    }
    made.push_back({id, buyer.org_id, !publish && !cancel, test});
  };
  now_ = kDeadline - int64_t{20} * 24 * 3600 * 1'000'000;
  for (int i = 0; i < 6; ++i) {
    make(Buyer(), true, false, false);
    make(lyon, i % 2 == 0, false, false);  // Lyon's drafts
    make(Buyer(), i % 3 == 0, true, false);  // test ones, some drafts
    if (i == 2) make(lyon, false, false, true);
  }
  const auto expected = [&](const Principal* who, bool test) {
    std::vector<std::string> ids;
    for (const auto& m : made) {
      const bool own = who && who->role == UserRole::kBuyerAgent && who->org_id == m.buyer;
      if (m.draft && !own) continue;
      if (m.test && !test && !own) continue;
      ids.push_back(m.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  const Principal buyer = Buyer();
  for (const Principal* who : {static_cast<const Principal*>(nullptr), &acme, &buyer,
                               static_cast<const Principal*>(&lyon)}) {
    for (const bool test : {false, true}) {
      for (const int limit : {1, 2, 5, 50}) {
        int pages = 0;
        EXPECT_EQ(AllIds([&](auto page) { return procedures_->List(who, page, test); }, limit,
                         &pages),
                  expected(who, test))
            << (who ? who->org_name : "anonymous") << " test=" << test << " limit=" << limit;
      }
    }
  }
  EXPECT_EQ(procedures_->List(nullptr, {"a/b", 10}, false).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(procedures_->List(nullptr, {"", 1001}, false).status().code(), ErrorCode::kInvalidArgument);

}

TEST_F(ProcedureTest, AListingOfAStoreWithoutTheIndexBuildsIt) {
  const std::string id = Publish()["id"];
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->DeleteObject("tender-list", "pub/" + id).ok());
    (void)(*txn)->DeleteObject("index-built", "tender-list");  // when a listing made it
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  // A fresh service, as after an upgrade.
  ProcedureOptions options;
  options.now = [this] { return domain::Instant{now_}; };
  Procedures fresh(*store_, *ledger_, options);
  auto list = fresh.List(nullptr, {"", 10}, false);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ((*list)["items"].size(), 1u);
  EXPECT_EQ((*list)["items"][0]["id"], id);
  EXPECT_TRUE(store_->GetObject("index-built", "tender-list").ok());
}

}  // namespace
}  // namespace limpide::app
