// Consultations in the index, written by the real procedure service: found by
// a word of the title, CPV division, department, status and deadline range;
// amendments, closing and cancellation reach the index; nothing of the
// deposits does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "app/ledger.h"
#include "app/procedure.h"
#include "search_fixture.h"

namespace limpide::search {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr int64_t kDay = int64_t{86'400'000'000};
constexpr int64_t kNow = 1'900'000'000'000'000;  // 2030-03-17T17:46:40Z

app::Principal Buyer() {
  app::Principal p;
  p.user_id = "u_buyer";
  p.org_id = "21350238800019";
  p.org_name = "Commune de Rennes";
  p.role = app::UserRole::kBuyerAgent;
  return p;
}

class ConsultationSearchTest : public SearchTest {
 protected:
  void SetUp() override {
    SearchTest::SetUp();
    std::array<uint8_t, 32> seed{};
    seed[0] = 3;
    ledger_ = std::make_unique<app::LedgerService>(*store_, crypto::SigningKeyFromSeed(seed));
    app::ProcedureOptions options;
    options.now = [this] { return domain::Instant{now_}; };
    procedures_ = std::make_unique<app::Procedures>(*store_, *ledger_, options);
  }
  void TearDown() override {
    procedures_.reset();
    ledger_.reset();
    SearchTest::TearDown();
  }
  static json Draft(const std::string& title, const std::string& cpv, const std::string& place,
                    const std::string& deadline) {
    return {{"title", title},
            {"description", "Description publique de " + title},
            {"procedure", "procedure_adaptee"},
            {"cpv", cpv},
            {"place", {{"code", place}, {"type", "Code département"}}},
            {"estimatedValue", 40000},
            {"criteria", {{{"name", "Prix"}, {"weight", 100}}}},
            {"maxDocumentBytes", 1000},
            {"deadline", deadline}};
  }
  // Creates and publishes; returns the id and keeps the opening secret.
  std::string Publish(const json& draft) {
    auto created = procedures_->CreateDraft(Buyer(), draft.dump());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    const std::string id = (*created)["id"];
    auto published = procedures_->Publish(Buyer(), id);
    EXPECT_TRUE(published.ok()) << published.status().ToString();
    secrets_[id] = (*published)["opening_key"]["secret_key"];
    return id;
  }
  std::vector<std::string> Uids(SearchQuery q) {
    std::vector<std::string> out;
    for (const auto& h : Find(q).hits) out.push_back(h.document.uid);
    return out;
  }
  // The day of ledger entry `seq` (its time is the store's clock, UTC).
  std::string PublishedOn(uint64_t seq) {
    auto entries = store_->LedgerEntries(seq, seq + 1);
    EXPECT_TRUE(entries.ok() && entries->size() == 1);
    return entries->at(0).time.substr(0, 10);
  }
  static SearchQuery Words(const std::string& text) {
    SearchQuery q;
    q.text = text;
    return q;
  }

  std::unique_ptr<app::LedgerService> ledger_;
  std::unique_ptr<app::Procedures> procedures_;
  std::map<std::string, std::string> secrets_;
  int64_t now_ = kNow;
};

TEST_F(ConsultationSearchTest, APublishedConsultationIsFoundByTitleCpvDivisionPlaceAndDeadline) {
  const std::string elagage = Publish(Draft("Élagage des platanes du mail", "77211400-6", "35",
                                            "2030-04-01T10:00:00Z"));
  const std::string voirie =
      Publish(Draft("Réfection de la voirie communale", "45233140-2", "44", "2030-05-01T10:00:00Z"));
  Put({MakeContract("E1", "Travaux d'élagage des arbres")});  // a contract beside them
  CatchUp();

  EXPECT_THAT(Uids(Words("platanes")), ElementsAre(elagage));
  // Accents and stems as for contracts; the description is searched too.
  EXPECT_THAT(Uids(Words("elagage")), UnorderedElementsAre(elagage, "21440109300015E1"));
  EXPECT_THAT(Uids(Words("description publique refection")), ElementsAre(voirie));

  SearchQuery q = Words("elagage");
  q.type = "consultation";
  EXPECT_THAT(Uids(q), ElementsAre(elagage));
  q.type = "contract";
  EXPECT_THAT(Uids(q), ElementsAre("21440109300015E1"));

  SearchQuery division;
  division.cpv = "45";
  EXPECT_THAT(Uids(division), ElementsAre(voirie));
  SearchQuery department;
  department.department = "35";
  EXPECT_THAT(Uids(department), ElementsAre(elagage));
  SearchQuery open;
  open.status = "open";
  EXPECT_THAT(Uids(open), UnorderedElementsAre(elagage, voirie));

  SearchQuery april;
  april.deadline_from = *domain::ParseInstant("2030-04-01T00:00:00Z");
  april.deadline_to = *domain::ParseInstant("2030-04-30T23:59:59Z");
  EXPECT_THAT(Uids(april), ElementsAre(elagage));  // and not the contract, which has no deadline
  SearchQuery later;
  later.deadline_from = *domain::ParseInstant("2030-04-01T10:00:00.001Z");
  EXPECT_THAT(Uids(later), ElementsAre(voirie));

  // Soonest deadline first, contracts last.
  SearchQuery by_deadline;
  by_deadline.sort = SortOrder::kDeadline;
  EXPECT_THAT(Uids(by_deadline), ElementsAre(elagage, voirie, "21440109300015E1"));

  const auto hit = Find(Words("platanes")).hits.at(0).document;
  EXPECT_EQ(hit.type, "consultation");
  EXPECT_EQ(hit.buyer_id, "21350238800019");
  EXPECT_EQ(hit.buyer_name, "Commune de Rennes");
  EXPECT_EQ(hit.status, "open");
  EXPECT_EQ(hit.state, "published");
  EXPECT_EQ(hit.cpv, "77211400-6");
  EXPECT_EQ(hit.department, "35");
  EXPECT_EQ(hit.procedure, "procedure_adaptee");
  ASSERT_TRUE(hit.amount.has_value());
  EXPECT_EQ(hit.amount->cents, 4000000);
  ASSERT_TRUE(hit.deadline.has_value());
  EXPECT_EQ(domain::FormatInstant(*hit.deadline), "2030-04-01T10:00:00Z");
  ASSERT_TRUE(hit.date.has_value());
  EXPECT_EQ(domain::FormatDate(*hit.date), PublishedOn(0));  // the ledger entry's day
}

TEST_F(ConsultationSearchTest, AnAmendmentReplacesTheWordingAndACancellationTheStatus) {
  // (Words of the CPV label, "mobilier scolaire", stay searchable: not used here.)
  const std::string id = Publish(Draft("Fourniture de pupitres en chêne", "39160000-1", "35",
                                       "2030-04-01T10:00:00Z"));
  CatchUp();
  json amended = Draft("Fourniture de tableaux numériques", "39160000-1", "35",
                       "2030-04-15T10:00:00Z");
  auto a = procedures_->Amend(Buyer(), id, amended.dump(), "Objet précisé, délai allongé");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  CatchUp();
  EXPECT_TRUE(Uids(Words("pupitres")).empty());
  EXPECT_THAT(Uids(Words("tableaux numeriques")), ElementsAre(id));
  const auto hit = Find(Words("tableaux")).hits.at(0).document;
  EXPECT_EQ(domain::FormatInstant(*hit.deadline), "2030-04-15T10:00:00Z");
  EXPECT_EQ(domain::FormatDate(*hit.date), PublishedOn(0));  // published on, not amended on

  auto c = procedures_->Cancel(Buyer(), id, "Besoin disparu");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  CatchUp();
  SearchQuery cancelled;
  cancelled.status = "cancelled";
  EXPECT_THAT(Uids(cancelled), ElementsAre(id));
  SearchQuery open;
  open.status = "open";
  EXPECT_TRUE(Uids(open).empty());
  EXPECT_EQ(Find(Words("tableaux")).hits.at(0).document.state, "cancelled");
}

TEST_F(ConsultationSearchTest, ClosingAndOpeningChangeTheStatusAndIndexNothingOfTheBids) {
  const std::string id = Publish(Draft("Entretien des espaces verts", "77310000-6", "35",
                                       "2030-03-20T10:00:00Z"));
  app::Principal company;
  company.user_id = "u_company";
  company.org_id = "73282932000074";
  company.org_name = "Zygomatique Paysages";
  company.role = app::UserRole::kCompanyRep;
  auto d = procedures_->StartDeposit(company, id, {{"offre-confidentielle.txt", 10, false}});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const std::string deposit = (*d)["id"];
  ASSERT_TRUE(procedures_->PutChunk(company, id, deposit, 0, 0, "prixsecret").ok());
  ASSERT_TRUE(procedures_->CompleteDeposit(company, id, deposit).ok());
  CatchUp();

  now_ = kNow + 3 * kDay;  // past the deadline
  auto closed = procedures_->CloseDue();
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  ASSERT_EQ(*closed, 1);
  CatchUp();
  SearchQuery q;
  q.status = "closed";
  EXPECT_THAT(Uids(q), ElementsAre(id));
  EXPECT_THAT(Uids(Words("espaces verts")), ElementsAre(id));  // its words kept on closing
  EXPECT_EQ(Find(Words("espaces verts")).hits.at(0).document.state, "closed");

  auto opened = procedures_->OpenBids(Buyer(), id, secrets_[id], /*include_late=*/false);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  CatchUp();
  EXPECT_EQ(Find(Words("espaces verts")).hits.at(0).document.state, "opened");
  // The bidder and its documents are in the ledger now (tender.opened), but
  // not in the index.
  EXPECT_TRUE(Uids(Words("zygomatique")).empty());
  EXPECT_TRUE(Uids(Words("confidentielle")).empty());
  EXPECT_TRUE(Uids(Words("prixsecret")).empty());
  SearchQuery supplier;
  supplier.supplier = "73282932000074";
  EXPECT_TRUE(Uids(supplier).empty());
  EXPECT_EQ(index_->skipped(), 0);
}

TEST_F(ConsultationSearchTest, ReapplyingTheLedgerFromScratchGivesTheSameIndex) {
  const std::string id =
      Publish(Draft("Maintenance des ascenseurs", "50750000-7", "35", "2030-04-01T10:00:00Z"));
  ASSERT_TRUE(procedures_->Cancel(Buyer(), id, "Erreur").ok());
  CatchUp();
  const auto first = Find(Words("ascenseurs"));
  std::filesystem::remove_all(dir_ / "search");
  OpenIndex();
  CatchUp();
  const auto again = Find(Words("ascenseurs"));
  ASSERT_EQ(again.hits.size(), 1u);
  EXPECT_EQ(again.hits[0].document.state, first.hits[0].document.state);
  EXPECT_EQ(again.hits[0].document.date, first.hits[0].document.date);
}

TEST(ConsultationDocumentTest, ReadsThePublicFieldsOfAnEntryBody) {
  auto d = ConsultationDocument(
      R"({"tender":"2030-03-17-abcd","title":"Élagage","description":"Des arbres",)"
      R"("buyer":{"id":"21350238800019","name":"Rennes"},"procedure":"procedure_adaptee",)"
      R"("nature":"marche","cpv":"77211400-6","place":"69123","place_type":"Code commune",)"
      R"("deadline":"2030-04-01T10:00:00.000Z","state":"standstill",)"
      R"("estimated_value_cents":123,"bids":[{"company":{"name":"Secret"}}]})",
      domain::Date{2030, 3, 17});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->type, "consultation");
  EXPECT_EQ(d->uid, "2030-03-17-abcd");
  EXPECT_EQ(d->department, "69");
  EXPECT_EQ(d->status, "awarded");
  EXPECT_EQ(d->amount->cents, 123);
  EXPECT_THAT(d->more_text, ElementsAre("Des arbres"));
  EXPECT_TRUE(d->holders.empty());

  EXPECT_FALSE(ConsultationDocument("[]").ok());
  EXPECT_FALSE(ConsultationDocument(R"({"title":"no id"})").ok());
  EXPECT_FALSE(ConsultationDocument(R"({"tender":"x"})").ok());
  EXPECT_FALSE(ConsultationDocument("{").ok());
}

TEST(ConsultationDocumentTest, StatusesGroupTheLifecycleStates) {
  EXPECT_EQ(StatusOfState("published"), "open");
  EXPECT_EQ(StatusOfState("closed"), "closed");
  EXPECT_EQ(StatusOfState("opened"), "closed");
  EXPECT_EQ(StatusOfState("evaluated"), "closed");
  EXPECT_EQ(StatusOfState("awarded"), "awarded");
  EXPECT_EQ(StatusOfState("signed"), "awarded");
  EXPECT_EQ(StatusOfState("data_published"), "awarded");
  EXPECT_EQ(StatusOfState("cancelled"), "cancelled");
  EXPECT_EQ(StatusOfState("unsuccessful"), "unsuccessful");
  EXPECT_EQ(StatusOfState("draft"), "");
}

TEST(ConsultationParamsTest, TypeStatusAndDeadlineAreCheckedAndDatesAreParisDays) {
  auto q = ParseSearchParams({{"type", "consultation"},
                              {"status", "open"},
                              {"deadline_from", "2030-07-01"},
                              {"deadline_to", "2030-07-31"},
                              {"sort", "deadline"}},
                             true);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->type, "consultation");
  EXPECT_EQ(q->status, "open");
  EXPECT_EQ(q->sort, SortOrder::kDeadline);
  // Summer time: a Paris day starts at 22:00 UTC the day before.
  EXPECT_EQ(domain::FormatInstant(*q->deadline_from), "2030-06-30T22:00:00Z");
  EXPECT_EQ(domain::FormatInstant(*q->deadline_to), "2030-07-31T21:59:59.999999Z");
  auto winter = ParseSearchParams({{"deadline_from", "2030-01-10"}}, true);
  ASSERT_TRUE(winter.ok());
  EXPECT_EQ(domain::FormatInstant(*winter->deadline_from), "2030-01-09T23:00:00Z");
  auto instant = ParseSearchParams({{"deadline_to", "2030-01-10T12:00:00Z"}}, true);
  ASSERT_TRUE(instant.ok());
  EXPECT_EQ(domain::FormatInstant(*instant->deadline_to), "2030-01-10T12:00:00Z");

  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"type", "tender"},
                                                        {"status", "published"},
                                                        {"deadline_from", "demain"},
                                                        {"deadline_to", "2030-13-01"},
                                                        {"sort", "soon"}}) {
    auto bad = ParseSearchParams({{name, value}}, true);
    ASSERT_FALSE(bad.ok()) << name;
    EXPECT_EQ(bad.status().field(), name);
  }
  auto reversed =
      ParseSearchParams({{"deadline_from", "2030-02-01"}, {"deadline_to", "2030-01-01"}}, true);
  ASSERT_FALSE(reversed.ok());
  EXPECT_EQ(reversed.status().field(), "deadline_to");
}

}  // namespace
}  // namespace limpide::search
