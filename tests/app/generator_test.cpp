// The synthetic data generator (limpide gen) learnt from the real 2019 DECP
// files: same seed, same data; every value valid; the counts asked for, the
// consultations open.
#include "app/generator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "app/ledger.h"
#include "domain/cpv.h"
#include "domain/siret.h"
#include "formats/consultation_json.h"
#include "formats/contract_json.h"

namespace limpide::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kReal = std::string(LIMPIDE_SHARED_DATA) + "/decp/real-2019-decp-rama/";

const ContractModel& Model() {
  static const ContractModel* model = [] {
    auto m = ContractModel::FromFiles(
        {kReal + "marches-publics.info.json", kReal + "data.gouv.fr_aife.json"});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? m->release() : nullptr;
  }();
  return *model;
}

TEST(GeneratorTest, TheSameSeedGivesTheSameDataAndAnotherSeedOther) {
  const domain::Instant now{1'900'000'000'000'000};
  for (uint64_t rank : {0u, 1u, 999u, 123456u}) {
    EXPECT_EQ(formats::ContractLedgerText(Model().Contract(7, rank)),
              formats::ContractLedgerText(Model().Contract(7, rank)))
        << rank;
    EXPECT_EQ(Model().Consultation(7, rank, now).json, Model().Consultation(7, rank, now).json);
    EXPECT_EQ(Model().Consultation(7, rank, now).id, Model().Consultation(7, rank, now).id);
  }
  int same = 0;
  for (uint64_t rank = 0; rank < 50; ++rank) {
    same += Model().Contract(7, rank).object == Model().Contract(8, rank).object ? 1 : 0;
  }
  EXPECT_LT(same, 10);
  EXPECT_NE(Model().Contract(7, 0).uid, Model().Contract(8, 0).uid);
}

TEST(GeneratorTest, ValuesAreValidAndSpreadLikeTheRealData) {
  const auto& cpv = domain::CpvTable::Get();
  std::set<std::string> uids, buyers, holders, divisions, objects;
  for (uint64_t rank = 0; rank < 5000; ++rank) {
    const domain::Contract c = Model().Contract(3, rank);
    EXPECT_TRUE(uids.insert(c.uid).second) << "duplicate uid " << c.uid;
    EXPECT_TRUE(domain::IsValidSiret(c.buyer_id)) << c.buyer_id;
    ASSERT_EQ(c.holders.size(), 1u);
    EXPECT_TRUE(domain::IsValidSiret(c.holders[0].id)) << c.holders[0].id;
    auto parsed = domain::ParseCpv(c.cpv);
    ASSERT_TRUE(parsed.ok()) << c.cpv;
    EXPECT_NE(cpv.Find(c.cpv.substr(0, 8)), nullptr);
    EXPECT_EQ(c.cpv, cpv.Find(c.cpv.substr(0, 8))->code);  // with its check digit
    ASSERT_TRUE(c.amount.has_value());
    EXPECT_GT(c.amount->cents, 0);
    ASSERT_TRUE(c.notified_on.has_value());
    EXPECT_GE(c.notified_on->year, 2019);
    EXPECT_LE(c.notified_on->year, 2025);
    EXPECT_FALSE(c.object.empty());
    EXPECT_FALSE(c.place.code.empty());
    EXPECT_TRUE(c.procedure.has_value());
    EXPECT_TRUE(c.nature.has_value());
    buyers.insert(c.buyer_id);
    holders.insert(c.holders[0].id);
    divisions.insert(c.cpv.substr(0, 2));
    objects.insert(c.object);
  }
  // Drawn from the real variety, not a handful of values.
  EXPECT_GT(buyers.size(), 300u);
  EXPECT_GT(holders.size(), 2000u);
  EXPECT_GT(divisions.size(), 30u);
  EXPECT_GT(objects.size(), 2500u);
}

TEST(GeneratorTest, ConsultationsAreValidDraftsOpenForFortyToNinetyDays) {
  const domain::Instant now{1'900'000'000'000'000};
  std::set<std::string> ids;
  for (uint64_t rank = 0; rank < 2000; ++rank) {
    const auto n = Model().Consultation(5, rank, now);
    EXPECT_TRUE(ids.insert(n.id).second) << "duplicate id " << n.id;
    EXPECT_TRUE(domain::IsValidSiret(n.buyer.org_id));
    auto c = formats::ConsultationFromJson(n.json);
    ASSERT_TRUE(c.ok()) << c.status().ToString() << "\n" << n.json;
    // The buyer comes from the publishing agent, as Procedures sets it.
    c->buyer_id = n.buyer.org_id;
    c->buyer_name = n.buyer.org_name;
    const Status valid = domain::ValidateDraft(*c);
    EXPECT_TRUE(valid.ok()) << valid.ToString() << "\n" << n.json;
    EXPECT_GE(c->deadline.micros - now.micros, int64_t{39} * 86'400'000'000);
    EXPECT_LE(c->deadline.micros - now.micros, int64_t{91} * 86'400'000'000);
    EXPECT_NE(c->procedure, domain::ProcedureType::kSansPubliciteNiConcurrence);
  }
}

class GenerateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("limpide-gen-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Generates into a fresh store; returns the contracts' ledger bodies.
  std::vector<std::string> Run(const std::string& name, uint64_t contracts, uint64_t tenders,
                               uint64_t seed, uint64_t batch, GenerateReport* report = nullptr) {
    auto store = store::OpenStore("sqlite:" + (dir_ / (name + ".db")).string());
    EXPECT_TRUE(store.ok());
    std::array<uint8_t, 32> key_seed{};
    LedgerService ledger(**store, crypto::SigningKeyFromSeed(key_seed));
    ProcedureOptions options;
    options.now = [] { return domain::Instant{1'900'000'000'000'000}; };
    Procedures procedures(**store, ledger, options);
    auto r = Generate(**store, procedures, Model(),
                      GenerateOptions{.contracts = contracts, .tenders = tenders, .seed = seed,
                                      .batch = batch});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (report && r.ok()) *report = *r;
    auto counts = (*store)->CountContracts({});
    EXPECT_TRUE(counts.ok());
    EXPECT_EQ(counts->contracts, static_cast<int64_t>(contracts));
    auto size = (*store)->LedgerSize();
    EXPECT_EQ(*size, contracts + tenders);
    std::vector<std::string> contract_bodies;
    auto entries = (*store)->LedgerEntries(0, *size);
    int published = 0;
    for (const auto& e : *entries) {
      json body = json::parse(e.entry)["body"];
      if (e.kind == "contract.created") {
        contract_bodies.push_back(body.dump());
      } else {
        EXPECT_EQ(e.kind, "tender.published");
        EXPECT_EQ(body["state"], "published");
        EXPECT_GT(body["deadline"].get<std::string>(), "2030-03-17T17:46:40.000Z");
        ++published;
      }
    }
    EXPECT_EQ(published, static_cast<int>(tenders));
    auto listed = procedures.List(nullptr, {"", 1000}, false);
    EXPECT_TRUE(listed.ok());
    return contract_bodies;
  }
  fs::path dir_;
};

TEST_F(GenerateTest, WritesTheCountsAskedAndTheSameSeedWritesTheSameContracts) {
  GenerateReport report;
  const auto a = Run("a", 2500, 120, 11, 1000, &report);
  EXPECT_EQ(report.contracts, 2500u);
  EXPECT_EQ(report.tenders, 120u);
  const auto b = Run("b", 2500, 120, 11, 700);  // other batches: same data
  EXPECT_EQ(a, b);
  const auto c = Run("c", 2500, 0, 12, 1000);
  EXPECT_NE(a, c);
}

TEST(GeneratorModelTest, TooFewUsableContractsOrAMissingFileIsAnError) {
  const fs::path tiny = fs::temp_directory_path() / ("limpide-gen-tiny-" + std::to_string(::getpid()) + ".json");
  std::ofstream(tiny) << R"({"marches": []})";
  auto empty = ContractModel::FromFiles({tiny.string()});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ContractModel::FromFiles({"/nonexistent/decp.json"}).ok());
  fs::remove(tiny);
}

}  // namespace
}  // namespace limpide::app
