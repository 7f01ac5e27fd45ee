// The Store conformance suite: every engine must pass it. Written against
// store/store.h only; engines are listed in engines.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engines.h"
#include "store/store.h"

namespace limpide::store {
namespace {

using domain::Contract;
using domain::ContractNature;
using domain::Date;
using domain::Holder;
using domain::Money;
using domain::ProcedureType;
using ::testing::ElementsAre;
using testing::Engine;

// A contract with sensible defaults; each setter changes one field.
class ContractBuilder {
 public:
  ContractBuilder(std::string buyer_id, std::string id) {
    c_.buyer_id = std::move(buyer_id);
    c_.id = std::move(id);
    c_.uid = domain::MakeUid(c_.buyer_id, c_.id);
    c_.object = "Travaux de voirie";
    c_.schema_version = "2";
    c_.source = "test";
  }
  ContractBuilder& Object(std::string v) { return Set(c_.object, std::move(v)); }
  ContractBuilder& Cpv(std::string v) { return Set(c_.cpv, std::move(v)); }
  ContractBuilder& BuyerName(std::string v) { return Set(c_.buyer_name, std::move(v)); }
  ContractBuilder& Notified(int y, int m, int d) { return Set(c_.notified_on, Date{y, m, d}); }
  ContractBuilder& Amount(int64_t euros) { return Set(c_.amount, Money{euros * 100}); }
  ContractBuilder& Procedure(ProcedureType p) { return Set(c_.procedure, p); }
  ContractBuilder& Nature(ContractNature n) { return Set(c_.nature, n); }
  ContractBuilder& Source(std::string v) { return Set(c_.source, std::move(v)); }
  ContractBuilder& Flag(std::string v) {
    c_.flags.push_back(std::move(v));
    return *this;
  }
  ContractBuilder& PriceForm(std::string v) { return Set(c_.price_form, std::move(v)); }
  ContractBuilder& PlaceCodeType(std::string v) { return Set(c_.place.code_type, std::move(v)); }
  ContractBuilder& WithHolder(std::string id, std::string name = "", std::string type = "SIRET") {
    c_.holders.push_back({std::move(id), std::move(type), std::move(name)});
    return *this;
  }
  Contract Build() const { return c_; }
  operator Contract() const { return c_; }  // NOLINT(google-explicit-constructor)

 private:
  template <typename F, typename V>
  ContractBuilder& Set(F& field, V v) {
    field = std::move(v);
    return *this;
  }
  Contract c_;
};

constexpr char kBuyerA[] = "21750001600019";
constexpr char kBuyerB[] = "21690123100011";
constexpr char kHolderX[] = "44306184100047";
constexpr char kHolderY[] = "55208131766522";

class StoreConformance : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    url_ = GetParam().new_url();
    store_ = OpenOrDie();
  }
  void TearDown() override {
    store_.reset();
    GetParam().remove(url_);
  }

  std::unique_ptr<Store> OpenOrDie() {
    auto s = OpenStore(url_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // Upserts `contracts` in one transaction and commits; returns the outcomes.
  std::vector<UpsertOutcome> Put(const std::vector<Contract>& contracts) {
    auto txn = store_->BeginWrite();
    EXPECT_TRUE(txn.ok()) << txn.status().ToString();
    std::vector<UpsertOutcome> out;
    for (const auto& c : contracts) {
      auto r = (*txn)->UpsertContract(c);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) out.push_back(*r);
    }
    EXPECT_TRUE((*txn)->Commit().ok());
    return out;
  }
  UpsertOutcome Put(const Contract& c) { return Put(std::vector<Contract>{c}).at(0); }

  // Every uid matching `filter`, walking all pages of size `limit`.
  std::vector<std::string> ListAll(const ContractFilter& filter, int limit = 1000) {
    std::vector<std::string> uids;
    PageRequest page{.after = "", .limit = limit};
    for (int guard = 0; guard < 100000; ++guard) {
      auto r = store_->ListContracts(filter, page);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      EXPECT_LE(static_cast<int>(r->items.size()), limit);
      for (const auto& c : r->items) uids.push_back(c.uid);
      if (r->next.empty()) break;
      EXPECT_EQ(static_cast<int>(r->items.size()), limit) << "short page before the end";
      page.after = r->next;
    }
    return uids;
  }
  std::vector<std::string> Uids(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  std::string url_;
  std::unique_ptr<Store> store_;
};

std::string Uid(const char* buyer, const char* id) { return domain::MakeUid(buyer, id); }

// ---- Opening ------------------------------------------------------------------

TEST_P(StoreConformance, OpenedStoreReportsItsSchemaVersion) {
  EXPECT_GE(store_->schema_version(), 1);
}

TEST_P(StoreConformance, ReopenKeepsData) {
  Put(ContractBuilder(kBuyerA, "1").WithHolder(kHolderX, "Acme"));
  const int version = store_->schema_version();
  store_.reset();
  store_ = OpenOrDie();
  ASSERT_TRUE(store_);
  EXPECT_EQ(store_->schema_version(), version);
  auto c = store_->GetContract(Uid(kBuyerA, "1"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c, ContractBuilder(kBuyerA, "1").WithHolder(kHolderX, "Acme").Build());
}

TEST_P(StoreConformance, NewerSchemaIsRefused) {
  const int version = store_->schema_version();
  store_.reset();
  GetParam().record_migration(url_, version + 1);
  auto s = OpenStore(url_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kFailedPrecondition) << s.status().ToString();
}

TEST_P(StoreConformance, UnknownUrlSchemeIsInvalidArgument) {
  auto s = OpenStore("mysql://localhost/limpide");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidArgument);
}

// ---- Upserts and transactions -------------------------------------------------

TEST_P(StoreConformance, UpsertOfNewContractIsInserted) {
  EXPECT_EQ(Put(ContractBuilder(kBuyerA, "1")), UpsertOutcome::kInserted);
}

TEST_P(StoreConformance, UpsertOfIdenticalContractIsUnchanged) {
  const Contract c = ContractBuilder(kBuyerA, "1").Amount(1000).WithHolder(kHolderX);
  EXPECT_EQ(Put(c), UpsertOutcome::kInserted);
  EXPECT_EQ(Put(c), UpsertOutcome::kUnchanged);
}

TEST_P(StoreConformance, SourceAndFlagsDoNotCountAsContent) {
  Put(ContractBuilder(kBuyerA, "1").Source("first.json"));
  EXPECT_EQ(Put(ContractBuilder(kBuyerA, "1").Source("second.json").Flag("amount_repaired")),
            UpsertOutcome::kUnchanged);
  auto c = store_->GetContract(Uid(kBuyerA, "1"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->source, "first.json");  // nothing was written
  EXPECT_TRUE(c->flags.empty());
}

TEST_P(StoreConformance, UpsertOfChangedContractIsUpdatedAndReplacesChildren) {
  Put(ContractBuilder(kBuyerA, "1").Amount(10).WithHolder(kHolderX).WithHolder(kHolderY));
  const Contract changed = ContractBuilder(kBuyerA, "1").Amount(20).WithHolder(kHolderY);
  EXPECT_EQ(Put(changed), UpsertOutcome::kUpdated);
  auto c = store_->GetContract(changed.uid);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, changed);
  EXPECT_TRUE(ListAll({.holder_id = kHolderX}).empty());
  EXPECT_THAT(ListAll({.holder_id = kHolderY}), ElementsAre(changed.uid));
}

TEST_P(StoreConformance, EveryFieldChangeIsAnUpdate) {
  const Contract base = ContractBuilder(kBuyerA, "1");
  Put(base);
  std::vector<std::function<void(Contract&)>> edits = {
      [](Contract& c) { c.object += "!"; },
      [](Contract& c) { c.buyer_name = "Ville"; },
      [](Contract& c) { c.kind = domain::ContractKind::kConcession; },
      [](Contract& c) { c.cpv = "45000000-7"; },
      [](Contract& c) { c.place.code = "75001"; },
      [](Contract& c) { c.duration_months = 0; },
      [](Contract& c) { c.amount = Money{0}; },
      [](Contract& c) { c.public_subsidy = Money{1}; },
      [](Contract& c) {
        c.published_on = Date{2020, 1, 1};
      },
      [](Contract& c) {
        c.execution_start = Date{2020, 1, 1};
      },
      [](Contract& c) { c.extra_json = R"({"a":1})"; },
      [](Contract& c) {
        c.holders.push_back({"1", "TVA", ""});
      },
      [](Contract& c) { c.schema_version = "1"; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    Contract c = base;
    edits[i](c);
    EXPECT_EQ(Put(c), UpsertOutcome::kUpdated) << "edit " << i;
    EXPECT_EQ(Put(base), UpsertOutcome::kUpdated) << "edit " << i;
  }
}

// A later import of the initial data never undoes an amendment
// (docs/ocds-import.md); a corrected modification replaces the stored one of
// the same id.
TEST_P(StoreConformance, AmendmentsKeepTheirHistory) {
  const Contract base = ContractBuilder(kBuyerA, "1");
  domain::Modification m1;
  m1.id = "1";
  m1.amount = Money{5};
  Contract amended = base;
  amended.modifications = {m1};
  EXPECT_EQ(Put(base), UpsertOutcome::kInserted);
  EXPECT_EQ(Put(amended), UpsertOutcome::kUpdated);
  EXPECT_EQ(Put(base), UpsertOutcome::kUnchanged);
  auto back = store_->GetContract(base.uid);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->modifications, amended.modifications);

  domain::Modification m2;
  m2.id = "2";
  domain::Modification m1_fixed = m1;
  m1_fixed.amount = Money{6};
  Contract corrected = base;
  corrected.modifications = {m2, m1_fixed};
  EXPECT_EQ(Put(corrected), UpsertOutcome::kUpdated);
  back = store_->GetContract(base.uid);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->modifications, corrected.modifications);
  // Only the second is sent again: the first stays, in its place.
  Contract partial = base;
  partial.modifications = {m2};
  EXPECT_EQ(Put(partial), UpsertOutcome::kUnchanged);
}

TEST_P(StoreConformance, UpsertWithoutUidIsInvalidArgument) {
  auto txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  Contract c = ContractBuilder(kBuyerA, "1");
  c.uid.clear();
  auto r = (*txn)->UpsertContract(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
}

TEST_P(StoreConformance, RollbackOnDestroyLeavesNothing) {
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(
        (*txn)->UpsertContract(ContractBuilder(kBuyerA, "1").WithHolder(kHolderX, "X")).ok());
  }
  auto c = store_->GetContract(Uid(kBuyerA, "1"));
  EXPECT_EQ(c.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetOrganization(kBuyerA).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetOrganization(kHolderX).status().code(), ErrorCode::kNotFound);
  // The store stays writable, and the organization names rolled back are
  // written again by the next transaction.
  Put(ContractBuilder(kBuyerA, "1").WithHolder(kHolderX, "X"));
  auto org = store_->GetOrganization(kHolderX);
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->name, "X");
}

TEST_P(StoreConformance, CommitTwiceIsAnError) {
  auto txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_FALSE((*txn)->Commit().ok());
  EXPECT_FALSE((*txn)->UpsertContract(ContractBuilder(kBuyerA, "1")).ok());
}

TEST_P(StoreConformance, BeginWriteWaitsForThePreviousTransaction) {
  auto first = store_->BeginWrite();
  ASSERT_TRUE(first.ok());
  std::atomic<bool> committed{false};
  auto second = std::async(std::launch::async, [&] {
    auto txn = store_->BeginWrite();
    const bool after = committed.load();
    EXPECT_TRUE(txn.ok());
    return after;
  });
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  ASSERT_TRUE((*first)->UpsertContract(ContractBuilder(kBuyerA, "1")).ok());
  committed = true;
  ASSERT_TRUE((*first)->Commit().ok());
  EXPECT_TRUE(second.get());
}

// ---- Reading back ---------------------------------------------------------------

TEST_P(StoreConformance, GetOfUnknownUidIsNotFound) {
  EXPECT_EQ(store_->GetContract("nope").status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, RoundTripKeepsEveryField) {
  Contract c;
  c.uid = "21750001600019-2024-001";
  c.id = "2024-001";
  c.kind = domain::ContractKind::kConcession;
  c.buyer_id = kBuyerA;
  c.buyer_name = "Ville de Paris \xef\xbf\xbd";  // with U+FFFD
  c.nature = ContractNature::kDelegationServicePublic;
  c.procedure = ProcedureType::kNegocieeOuverte;
  c.object = "Délégation \"service\" de l'eau\n\ttab \\ 100% _x_";
  c.cpv = "65100000-4";
  c.place = {"75056", "Code commune", "Paris"};
  c.duration_months = 120;
  c.amount = Money{123456789012};
  c.public_subsidy = Money{-5};
  c.notified_on = Date{2023, 12, 31};
  c.published_on = Date{2024, 1, 2};
  c.execution_start = Date{2024, 2, 29};
  c.price_form = "Ferme et actualisable";
  c.holders = {
      {kHolderX, "SIRET", "Eau & Cie"}, {"FR12345678901", "TVA", ""}, {kHolderX, "SIRET", ""}};
  domain::Modification m1;
  m1.id = "1";
  m1.object = "Avenant \"1\"";
  m1.signed_on = Date{2024, 6, 1};
  m1.published_on = Date{2024, 6, 3};
  m1.duration_months = 132;
  m1.amount = Money{0};
  m1.holders = {{kHolderY, "SIRET", "Nouveau \\ \"titulaire\" \x01"}};
  domain::Modification m2;  // everything absent
  m2.id = "2";
  c.modifications = {m1, m2};
  c.extra_json = R"({"considerationsSociales":["Pas de considération sociale"],"techniques":[]})";
  c.schema_version = "2";
  c.source = "decp-2024.json";
  c.flags = {"cpv_repaired", "name \"quoted\""};
  Put(c);
  auto back = store_->GetContract(c.uid);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
  auto page = store_->ListContracts({}, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0], c);
}

TEST_P(StoreConformance, RoundTripKeepsAbsentFields) {
  Contract c;
  c.uid = "x";
  Put(c);
  auto back = store_->GetContract("x");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
}

TEST_P(StoreConformance, RoundTripKeepsBytesThatAreNotUtf8) {
  Contract c =
      ContractBuilder(kBuyerA, "1").Object("caf\xe9").Flag("bad \xff").WithHolder("h", "n\xc3");
  domain::Modification m;
  m.holders = {{"h\xfe", "SIRET", "\xe9t\xe9"}};
  c.modifications = {m};
  Put(c);
  auto back = store_->GetContract(c.uid);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
}

TEST_P(StoreConformance, ContractWithObjectReadsTheObjectStoredUnderItsUidInTheKindAsked) {
  // A uid with a quote and a byte that is not UTF-8: both engines compare the
  // contract's uid and the object's id as bytes.
  const Contract a = ContractBuilder(kBuyerA, "l'\xe9t\xe9-1").Flag("f").WithHolder(kHolderX, "X");
  const Contract b = ContractBuilder(kBuyerA, "2");
  Put({a, b});
  const std::string body = R"({"sources":[{"source":"a.json"}],"uid":"x"})";
  {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->PutObject("contract-sources", a.uid, body, 0).ok());
    // Another kind under b's uid, and the kind asked under a uid with no contract.
    ASSERT_TRUE((*txn)->PutObject("other", b.uid, "{}", 0).ok());
    ASSERT_TRUE((*txn)->PutObject("contract-sources", "no-such-contract", "{}", 0).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  auto got = store_->GetContractWithObject(a.uid, "contract-sources");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->contract, a);
  ASSERT_TRUE(got->object.has_value());
  EXPECT_EQ(got->object->kind, "contract-sources");
  EXPECT_EQ(got->object->id, a.uid);
  EXPECT_EQ(got->object->version, 1);
  EXPECT_EQ(got->object->body, body);
  auto alone = store_->GetObject("contract-sources", a.uid);
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(got->object->updated, alone->updated);

  auto other_kind = store_->GetContractWithObject(b.uid, "contract-sources");
  ASSERT_TRUE(other_kind.ok()) << other_kind.status().ToString();
  EXPECT_EQ(other_kind->contract, b);
  EXPECT_FALSE(other_kind->object.has_value());
  auto asked_kind = store_->GetContractWithObject(b.uid, "other");
  ASSERT_TRUE(asked_kind.ok());
  ASSERT_TRUE(asked_kind->object.has_value());
  EXPECT_EQ(asked_kind->object->body, "{}");

  // No contract: not_found, whether an object is stored under the uid or not.
  EXPECT_EQ(store_->GetContractWithObject("no-such-contract", "contract-sources").status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetContractWithObject("nope", "contract-sources").status().code(),
            ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ContractWithObjectSeesTheObjectsLaterWritesAndDeletion) {
  const Contract a = ContractBuilder(kBuyerA, "1");
  Put(a);
  auto write = [&](const std::function<void(WriteTransaction&)>& f) {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    f(**txn);
    ASSERT_TRUE((*txn)->Commit().ok());
  };
  write([&](WriteTransaction& t) { ASSERT_TRUE(t.PutObject("k", a.uid, R"({"n":1})", 0).ok()); });
  write([&](WriteTransaction& t) { ASSERT_TRUE(t.PutObject("k", a.uid, R"({"n":2})", 1).ok()); });
  auto got = store_->GetContractWithObject(a.uid, "k");
  ASSERT_TRUE(got.ok() && got->object.has_value());
  EXPECT_EQ(got->object->version, 2);
  EXPECT_EQ(got->object->body, R"({"n":2})");
  write([&](WriteTransaction& t) { ASSERT_TRUE(t.DeleteObject("k", a.uid).ok()); });
  got = store_->GetContractWithObject(a.uid, "k");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->object.has_value());
  EXPECT_EQ(got->contract, a);
}

// The contract row says whether its sources object exists (migration 7): the
// answer must be the same whatever order and path the writes took.
TEST_P(StoreConformance, ContractSourcesAreFoundWhateverWasWrittenFirst) {
  const Contract before = ContractBuilder(kBuyerA, "object-first");
  const Contract after = ContractBuilder(kBuyerA, "contract-first");
  const Contract copied = ContractBuilder(kBuyerA, "copied");
  const Contract rolled_back = ContractBuilder(kBuyerA, "rolled-back");
  const auto sources_of = [&](const Contract& c) -> std::optional<std::string> {
    auto got = store_->GetContractWithObject(c.uid, kContractSourcesKind);
    EXPECT_TRUE(got.ok()) << c.uid << ": " << got.status().ToString();
    if (!got.ok()) return std::nullopt;
    EXPECT_EQ(got->contract, c);
    if (!got->object) return std::nullopt;
    EXPECT_EQ(got->object->kind, kContractSourcesKind);
    EXPECT_EQ(got->object->id, c.uid);
    return got->object->body;
  };
  auto write = [&](const std::function<void(WriteTransaction&)>& f, bool commit = true) {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    f(**txn);
    if (commit) {
      ASSERT_TRUE((*txn)->Commit().ok());
    }
  };
  write([&](WriteTransaction& t) {
    ASSERT_TRUE(t.PutObject(kContractSourcesKind, before.uid, R"({"n":1})", 0).ok());
  });
  Put({before, after, copied, rolled_back});
  EXPECT_EQ(sources_of(before), R"({"n":1})");
  EXPECT_EQ(sources_of(after), std::nullopt);

  write([&](WriteTransaction& t) {
    ASSERT_TRUE(t.PutObject(kContractSourcesKind, after.uid, R"({"n":2})", 0).ok());
    ASSERT_TRUE(t.PutObject(kContractSourcesKind, before.uid, R"({"n":3})", 1).ok());
    ASSERT_TRUE(t.CopyObject({std::string(kContractSourcesKind), copied.uid, 4, R"({"n":4})",
                              "2026-01-02T03:04:05.678Z"})
                    .ok());
  });
  write([&](WriteTransaction& t) {
    ASSERT_TRUE(t.PutObject(kContractSourcesKind, rolled_back.uid, R"({"n":5})", 0).ok());
  }, /*commit=*/false);
  EXPECT_EQ(sources_of(after), R"({"n":2})");
  EXPECT_EQ(sources_of(before), R"({"n":3})");
  EXPECT_EQ(sources_of(copied), R"({"n":4})");
  EXPECT_EQ(sources_of(rolled_back), std::nullopt);

  // An update of the contract keeps it; a deletion of the object clears it,
  // and a new object sets it again.
  Put(ContractBuilder(kBuyerA, "contract-first").Object("Autre objet"));
  auto updated = store_->GetContractWithObject(after.uid, kContractSourcesKind);
  ASSERT_TRUE(updated.ok());
  ASSERT_TRUE(updated->object.has_value());
  EXPECT_EQ(updated->object->body, R"({"n":2})");
  write([&](WriteTransaction& t) { ASSERT_TRUE(t.DeleteObject(kContractSourcesKind, before.uid).ok()); });
  EXPECT_EQ(sources_of(before), std::nullopt);
  write([&](WriteTransaction& t) {
    ASSERT_TRUE(t.PutObject(kContractSourcesKind, before.uid, R"({"n":6})", 0).ok());
  });
  EXPECT_EQ(sources_of(before), R"({"n":6})");
}

// ---- Listing and pagination ----------------------------------------------------

TEST_P(StoreConformance, EmptyStoreListsNothing) {
  auto page = store_->ListContracts({}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_TRUE(page->next.empty());
}

TEST_P(StoreConformance, ListIsNewestFirstThenByUidWithUndatedLast) {
  Put({ContractBuilder(kBuyerA, "b").Notified(2020, 1, 1), ContractBuilder(kBuyerA, "undated"),
       ContractBuilder(kBuyerA, "a").Notified(2020, 1, 1),
       ContractBuilder(kBuyerA, "c").Notified(2021, 5, 1)});
  EXPECT_THAT(ListAll({}), ElementsAre(Uid(kBuyerA, "c"), Uid(kBuyerA, "a"), Uid(kBuyerA, "b"),
                                       Uid(kBuyerA, "undated")));
}

TEST_P(StoreConformance, KeysetPaginationVisitsEveryRowOnce) {
  // 300 contracts on 7 dates (many equal) plus undated ones.
  std::vector<Contract> all;
  for (int i = 0; i < 300; ++i) {
    ContractBuilder b(i % 3 ? kBuyerA : kBuyerB, "n" + std::to_string((i * 7919) % 1000));
    if (i % 11 != 0) b.Notified(2020 + (i % 7) / 3, 1 + i % 7, 1);
    all.push_back(b);
  }
  Put(all);
  std::vector<Contract> expected = all;
  std::sort(expected.begin(), expected.end(), [](const Contract& a, const Contract& b) {
    if (a.notified_on.has_value() != b.notified_on.has_value()) return a.notified_on.has_value();
    if (a.notified_on != b.notified_on) return *a.notified_on > *b.notified_on;
    return a.uid < b.uid;
  });
  std::vector<std::string> expected_uids;
  for (const auto& c : expected) expected_uids.push_back(c.uid);
  for (int limit : {1, 2, 7, 50, 299, 300, 301, 1000}) {
    EXPECT_EQ(ListAll({}, limit), expected_uids) << "limit " << limit;
  }
  // With a filter too.
  std::vector<std::string> of_b;
  for (const auto& c : expected) {
    if (c.buyer_id == kBuyerB) of_b.push_back(c.uid);
  }
  for (int limit : {1, 3, 64}) EXPECT_EQ(ListAll({.buyer_id = kBuyerB}, limit), of_b);
}

TEST_P(StoreConformance, LastFullPageHasNoNextCursor) {
  Put({ContractBuilder(kBuyerA, "1"), ContractBuilder(kBuyerA, "2")});
  auto page = store_->ListContracts({}, {.after = "", .limit = 2});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 2u);
  EXPECT_TRUE(page->next.empty());
}

TEST_P(StoreConformance, CursorStaysValidWhenItsRowIsGone) {
  Put({ContractBuilder(kBuyerA, "1").Notified(2020, 1, 3),
       ContractBuilder(kBuyerA, "2").Notified(2020, 1, 2),
       ContractBuilder(kBuyerA, "3").Notified(2020, 1, 1)});
  auto first = store_->ListContracts({}, {.after = "", .limit = 1});
  ASSERT_TRUE(first.ok());
  // Moving the first row elsewhere in the order does not disturb the walk.
  Put(ContractBuilder(kBuyerA, "1").Notified(2019, 1, 1));
  auto second = store_->ListContracts({}, {.after = first->next, .limit = 10});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 3u);
  EXPECT_EQ(second->items[0].uid, Uid(kBuyerA, "2"));
}

TEST_P(StoreConformance, BadCursorIsInvalidArgumentNamingAfter) {
  Put(ContractBuilder(kBuyerA, "1"));
  for (const char* bad :
       {"x", "!!!!", "bm90IGEgY3Vyc29y", "YzEKMjAyMC0xMy0wMQp1", "YzEK", "====", "YzEKCg"}) {
    auto page = store_->ListContracts({}, {.after = bad, .limit = 10});
    ASSERT_FALSE(page.ok()) << bad;
    EXPECT_EQ(page.status().code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(page.status().field(), "after") << bad;
  }
}

TEST_P(StoreConformance, LimitOutsideOneToThousandIsInvalidArgumentNamingLimit) {
  for (int limit : {0, -1, 1001}) {
    auto page = store_->ListContracts({}, {.after = "", .limit = limit});
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(page.status().field(), "limit");
  }
  EXPECT_TRUE(store_->ListContracts({}, {.after = "", .limit = 1000}).ok());
}

// ---- Filters ------------------------------------------------------------------

class FilterTest : public StoreConformance {
 protected:
  void SetUp() override {
    StoreConformance::SetUp();
    Put({ContractBuilder(kBuyerA, "1")
             .Object("Rénovation de l'école Jules-Ferry")
             .Cpv("45214200-2")
             .Procedure(ProcedureType::kAppelOffresOuvert)
             .Nature(ContractNature::kMarche)
             .Notified(2023, 3, 15)
             .Amount(100000)
             .WithHolder(kHolderX, "Bâtir SA"),
         ContractBuilder(kBuyerA, "2")
             .Object("Fourniture de papier 100% recyclé")
             .Cpv("30197630-1")
             .Procedure(ProcedureType::kProcedureAdaptee)
             .Nature(ContractNature::kAccordCadre)
             .Notified(2023, 3, 16)
             .Amount(5000)
             .WithHolder(kHolderY, "Papeterie"),
         ContractBuilder(kBuyerB, "3")
             .Object("RENOVATION énergétique du gymnase")
             .Cpv("45000000-7")
             .Procedure(ProcedureType::kAppelOffresOuvert)
             .Nature(ContractNature::kMarche)
             .Notified(2024, 1, 1)
             .Amount(250000)
             .WithHolder(kHolderX)
             .WithHolder(kHolderY),
         ContractBuilder(kBuyerB, "4").Object("Contrat_sans date ni montant")});
  }
  std::vector<std::string> Match(const ContractFilter& f) { return Uids(ListAll(f)); }
  std::vector<std::string> U(std::initializer_list<const char*> ids) {
    std::vector<std::string> out;
    for (const char* id : ids) out.push_back(Uid(id[0] <= '2' ? kBuyerA : kBuyerB, id));
    return Uids(out);
  }
};

TEST_P(FilterTest, NoFilterListsEverything) { EXPECT_EQ(Match({}), U({"1", "2", "3", "4"})); }
TEST_P(FilterTest, EachFilterByBuyerIdIsExact) {
  EXPECT_EQ(Match({.buyer_id = kBuyerB}), U({"3", "4"}));
  EXPECT_TRUE(Match({.buyer_id = "2169012310001"}).empty());
}
TEST_P(FilterTest, EachFilterByHolderIdFindsAnyHolder) {
  EXPECT_EQ(Match({.holder_id = kHolderX}), U({"1", "3"}));
  EXPECT_EQ(Match({.holder_id = kHolderY}), U({"2", "3"}));
}
TEST_P(FilterTest, EachFilterByCpvPrefix) {
  EXPECT_EQ(Match({.cpv_prefix = "45"}), U({"1", "3"}));
  EXPECT_EQ(Match({.cpv_prefix = "452"}), U({"1"}));
  EXPECT_EQ(Match({.cpv_prefix = "45214200"}), U({"1"}));
  EXPECT_EQ(Match({.cpv_prefix = "4599"}), U({}));
  EXPECT_EQ(Match({.cpv_prefix = "30197630"}), U({"2"}));
}
TEST_P(FilterTest, BadCpvPrefixIsInvalidArgument) {
  for (const char* bad : {"4", "45a", "123456789", "45%"}) {
    auto r = store_->ListContracts({.cpv_prefix = bad}, {});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), "cpv_prefix");
  }
}
TEST_P(FilterTest, EachFilterByProcedureAndNature) {
  EXPECT_EQ(Match({.procedure = ProcedureType::kAppelOffresOuvert}), U({"1", "3"}));
  EXPECT_EQ(Match({.nature = ContractNature::kAccordCadre}), U({"2"}));
  EXPECT_EQ(Match({.nature = ContractNature::kConcessionTravaux}), U({}));
}
TEST_P(FilterTest, EachFilterByNotificationDateIsInclusiveAndSkipsUndated) {
  EXPECT_EQ(Match({.notified_from = Date{2023, 3, 16}}), U({"2", "3"}));
  EXPECT_EQ(Match({.notified_to = Date{2023, 3, 16}}), U({"1", "2"}));
  EXPECT_EQ(Match({.notified_from = Date{2023, 3, 16}, .notified_to = Date{2023, 3, 16}}),
            U({"2"}));
}
TEST_P(FilterTest, EachFilterByAmountIsInclusiveAndSkipsUnknownAmounts) {
  EXPECT_EQ(Match({.amount_min = Money{100000 * 100}}), U({"1", "3"}));
  EXPECT_EQ(Match({.amount_max = Money{100000 * 100}}), U({"1", "2"}));
  EXPECT_EQ(Match({.amount_min = Money{5000 * 100}, .amount_max = Money{5000 * 100}}), U({"2"}));
}
TEST_P(FilterTest, EachFilterByTextNeedsEveryFoldedWord) {
  EXPECT_EQ(Match({.text = "renovation"}), U({"1", "3"}));
  EXPECT_EQ(Match({.text = "  RÉNOVATION   gymnase "}), U({"3"}));
  EXPECT_EQ(Match({.text = "renov ecole"}), U({"1"}));
  EXPECT_EQ(Match({.text = "renovation papier"}), U({}));
}
TEST_P(FilterTest, TextFilterTakesPercentAndUnderscoreLiterally) {
  EXPECT_EQ(Match({.text = "100%"}), U({"2"}));
  EXPECT_EQ(Match({.text = "%"}), U({"2"}));
  EXPECT_EQ(Match({.text = "contrat_sans"}), U({"4"}));
  EXPECT_EQ(Match({.text = "_"}), U({"4"}));
}
TEST_P(FilterTest, FiltersCombine) {
  EXPECT_EQ(Match({.holder_id = kHolderX, .cpv_prefix = "45", .text = "gymnase"}), U({"3"}));
  EXPECT_EQ(Match({.buyer_id = kBuyerA,
                   .procedure = ProcedureType::kAppelOffresOuvert,
                   .notified_from = Date{2023, 1, 1},
                   .amount_max = Money{100000 * 100}}),
            U({"1"}));
}
TEST_P(FilterTest, CountContractsCountsAndSumsMatches) {
  auto all = store_->CountContracts({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->contracts, 4);
  EXPECT_EQ(all->buyers, 2);
  EXPECT_EQ(all->holders, 2);
  EXPECT_EQ(all->total_amount, Money{355000 * 100});
  auto renov = store_->CountContracts({.text = "renovation"});
  ASSERT_TRUE(renov.ok());
  EXPECT_EQ(renov->contracts, 2);
  EXPECT_EQ(renov->total_amount, Money{350000 * 100});
  auto none = store_->CountContracts({.buyer_id = "0"});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->contracts, 0);
  EXPECT_EQ(none->total_amount, Money{0});
}

// ---- Organizations -------------------------------------------------------------

TEST_P(FilterTest, GetOrganizationTotalsAsBuyerAndAsHolder) {
  auto a = store_->GetOrganization(kBuyerA);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->contracts_as_buyer, 2);
  EXPECT_EQ(a->amount_as_buyer, Money{105000 * 100});
  EXPECT_EQ(a->contracts_as_holder, 0);
  auto x = store_->GetOrganization(kHolderX);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->name, "Bâtir SA");
  EXPECT_EQ(x->contracts_as_holder, 2);
  EXPECT_EQ(x->amount_as_holder, Money{350000 * 100});
  EXPECT_EQ(x->contracts_as_buyer, 0);
}

TEST_P(StoreConformance, UnknownOrganizationIsNotFound) {
  EXPECT_EQ(store_->GetOrganization("123").status().code(), ErrorCode::kNotFound);
}

TEST_P(StoreConformance, OrganizationNameIsFilledThenOnlyImproved) {
  const std::string broken = "Soci\xef\xbf\xbd\x74\xc3\xa9";  // "Soci�té"
  Put(ContractBuilder(kBuyerA, "1").WithHolder(kHolderX, ""));
  auto name = [&] { return store_->GetOrganization(kHolderX)->name; };
  EXPECT_EQ(name(), "");
  Put(ContractBuilder(kBuyerA, "2").WithHolder(kHolderX, broken));
  EXPECT_EQ(name(), broken);
  Put(ContractBuilder(kBuyerA, "3").WithHolder(kHolderX, "Société"));
  EXPECT_EQ(name(), "Société");
  Put(ContractBuilder(kBuyerA, "4").WithHolder(kHolderX, broken));
  Put(ContractBuilder(kBuyerA, "5").WithHolder(kHolderX, ""));
  EXPECT_EQ(name(), "Société");
  Put(ContractBuilder(kBuyerB, "1").BuyerName("Ville"));
  EXPECT_EQ(store_->GetOrganization(kBuyerB)->name, "Ville");
}

TEST_P(StoreConformance, ListPartnersOrdersByAmount) {
  Put({ContractBuilder(kBuyerA, "1").Amount(10).WithHolder(kHolderX, "X"),
       ContractBuilder(kBuyerA, "2").Amount(30).WithHolder(kHolderY, "Y"),
       ContractBuilder(kBuyerA, "3").Amount(25).WithHolder(kHolderX).WithHolder(kHolderX),
       ContractBuilder(kBuyerB, "1").Amount(1).WithHolder(kHolderX).BuyerName("B")});
  auto holders = store_->ListPartners(kBuyerA, Role::kBuyer, 10);
  ASSERT_TRUE(holders.ok()) << holders.status().ToString();
  ASSERT_EQ(holders->size(), 2u);
  EXPECT_EQ((*holders)[0].id, kHolderX);
  EXPECT_EQ((*holders)[0].name, "X");
  EXPECT_EQ((*holders)[0].contracts, 2);
  EXPECT_EQ((*holders)[0].amount, Money{3500});
  EXPECT_EQ((*holders)[1].id, kHolderY);
  EXPECT_EQ((*holders)[1].amount, Money{3000});
  auto buyers = store_->ListPartners(kHolderX, Role::kHolder, 1);
  ASSERT_TRUE(buyers.ok());
  ASSERT_EQ(buyers->size(), 1u);
  EXPECT_EQ((*buyers)[0].id, kBuyerA);
  EXPECT_EQ((*buyers)[0].contracts, 2);
  auto all_buyers = store_->ListPartners(kHolderX, Role::kHolder, 10);
  ASSERT_TRUE(all_buyers.ok());
  ASSERT_EQ(all_buyers->size(), 2u);
  EXPECT_EQ((*all_buyers)[1].name, "B");
  EXPECT_EQ(store_->ListPartners(kBuyerA, Role::kBuyer, 0).status().code(),
            ErrorCode::kInvalidArgument);
  auto none = store_->ListPartners("0", Role::kBuyer, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformance, DistinctValuesAreSortedAndNonEmpty) {
  Put({ContractBuilder(kBuyerA, "1")
           .Procedure(ProcedureType::kProcedureAdaptee)
           .PriceForm("Ferme")
           .PlaceCodeType("Code postal")
           .WithHolder(kHolderX, "", "SIRET"),
       ContractBuilder(kBuyerA, "2")
           .Procedure(ProcedureType::kAppelOffresOuvert)
           .Nature(ContractNature::kMarche)
           .PriceForm("Révisable")
           .WithHolder("BE0123", "", "TVA"),
       ContractBuilder(kBuyerA, "3")
           .Procedure(ProcedureType::kProcedureAdaptee)
           .PriceForm("Ferme")});
  auto v = [&](std::string_view col) {
    auto r = store_->DistinctValues(col);
    EXPECT_TRUE(r.ok()) << col;
    return r.ok() ? *r : std::vector<std::string>{};
  };
  EXPECT_THAT(v("procedure"),
              ElementsAre(std::string(domain::Code(ProcedureType::kAppelOffresOuvert)),
                          std::string(domain::Code(ProcedureType::kProcedureAdaptee))));
  EXPECT_THAT(v("nature"), ElementsAre(std::string(domain::Code(ContractNature::kMarche))));
  EXPECT_THAT(v("holder_id_type"), ElementsAre("SIRET", "TVA"));
  EXPECT_THAT(v("place_code_type"), ElementsAre("Code postal"));
  EXPECT_THAT(v("price_form"), ElementsAre("Ferme", "Révisable"));
  EXPECT_EQ(store_->DistinctValues("object").status().code(), ErrorCode::kInvalidArgument);
}

// ---- Concurrency ---------------------------------------------------------------

TEST_P(StoreConformance, ConcurrentReadsDuringWrite) {
  Put(ContractBuilder(kBuyerA, "old"));
  auto txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->UpsertContract(ContractBuilder(kBuyerA, "new")).ok());
  // Readers neither wait for the open write nor see it.
  std::vector<std::future<int>> readers;
  for (int t = 0; t < 4; ++t) {
    readers.push_back(std::async(std::launch::async, [&] {
      int seen = 0;
      for (int i = 0; i < 50; ++i) {
        auto page = store_->ListContracts({}, {});
        EXPECT_TRUE(page.ok());
        if (page.ok()) seen = static_cast<int>(page->items.size());
        EXPECT_EQ(store_->GetContract(Uid(kBuyerA, "new")).status().code(), ErrorCode::kNotFound);
      }
      return seen;
    }));
  }
  for (auto& r : readers) {
    ASSERT_EQ(r.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_EQ(r.get(), 1);
  }
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_TRUE(store_->GetContract(Uid(kBuyerA, "new")).ok());
}

TEST_P(StoreConformance, ReadersSeeWholeTransactionsWhileAWriterCommits) {
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int batch = 0; batch < 20; ++batch) {
      std::vector<Contract> cs;
      for (int i = 0; i < 10; ++i) {
        cs.push_back(ContractBuilder(kBuyerA, std::to_string(batch * 10 + i)).Amount(1));
      }
      Put(cs);
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        auto counts = store_->CountContracts({});
        ASSERT_TRUE(counts.ok());
        EXPECT_EQ(counts->contracts % 10, 0);  // never half a batch
        EXPECT_EQ(counts->total_amount.cents, counts->contracts * 100);
      }
    });
  }
  writer.join();
  for (auto& r : readers) r.join();
  EXPECT_EQ(ListAll({}, 37).size(), 200u);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreConformance, ::testing::ValuesIn(testing::AllEngines()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Engines, FilterTest, ::testing::ValuesIn(testing::AllEngines()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace limpide::store
