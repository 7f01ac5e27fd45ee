// The index's document numbers (docs/search.md, "Document numbers"): layout 3
// numbers documents by round and department and counts facets over whole
// rounds; an index of an older layout keeps its numbering.
#include <gtest/gtest.h>
#include <xapian.h>

#include <string>
#include <vector>

#include "search/search.h"
#include "search_fixture.h"

namespace limpide::search {
namespace {

// `n` contracts "Travaux de voirie <prefix><i>" placed at `postcode`.
std::vector<domain::Contract> Many(const std::string& prefix, const std::string& postcode,
                                   const std::string& cpv, int n) {
  std::vector<domain::Contract> out;
  for (int i = 0; i < n; ++i) {
    auto c = MakeContract(prefix + std::to_string(i), "Travaux de voirie " + std::to_string(i));
    c.place = {postcode, "Code postal", ""};
    c.cpv = cpv;
    c.amount = domain::Money{100000 + i};
    c.nature = domain::ContractNature::kMarche;
    out.push_back(std::move(c));
  }
  return out;
}

int64_t CountOf(const SearchResults& r, const std::string& facet, const std::string& value) {
  for (const auto& f : r.facets) {
    if (f.name != facet) continue;
    for (const auto& v : f.values) {
      if (v.value == value) return v.count;
    }
  }
  return 0;
}

class LayoutTest : public SearchTest {
 protected:
  // 1,500 contracts in Ain (01), then 1,500 in Mayotte (976): in ledger
  // order, the first 1,500 matches of "voirie" are all in Ain.
  void PutAinThenMayotte() {
    Put(Many("A", "01000", "45233140-2", 1500));
    Put(Many("M", "97600", "90910000-9", 1500));
    ASSERT_EQ(CatchUp(UINT64_MAX, 1000), 3000u);
  }
  std::unique_ptr<Index> Reopen(int facet_sample) {
    index_.reset();
    auto index = Index::Open((dir_ / "search").string(), IndexOptions{.facet_sample = facet_sample});
    EXPECT_TRUE(index.ok());
    return index.ok() ? std::move(*index) : nullptr;
  }
};

TEST_F(LayoutTest, FacetsSampledOverRoundsSeeEveryDepartment) {
  PutAinThenMayotte();
  auto index = Reopen(300);
  SearchQuery q;
  q.text = "voirie";
  auto r = index->Search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->facets_exact);
  EXPECT_GE(r->facets_sampled, 150);
  EXPECT_LT(r->facets_sampled, 1000);
  // Both departments, each near its 1,500 (a sample drawn from the first
  // matches in ledger order would hold Ain only).
  EXPECT_GT(CountOf(*r, "department", "01"), 1000);
  EXPECT_LT(CountOf(*r, "department", "01"), 2000);
  EXPECT_GT(CountOf(*r, "department", "976"), 1000);
  EXPECT_LT(CountOf(*r, "department", "976"), 2000);
  EXPECT_GT(CountOf(*r, "cpv", "90"), 1000);

  // Within one department, the sample is drawn from every round of it.
  q.department = "976";
  r = index->Search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 1500);
  EXPECT_EQ(CountOf(*r, "department", "976"), 1500);  // fixed by the filter
  EXPECT_GT(CountOf(*r, "cpv", "90"), 1000);
  EXPECT_EQ(CountOf(*r, "cpv", "45"), 0);
}

TEST_F(LayoutTest, WhenOneRoundHoldsMoreThanTheSampleTheFirstRoundIsCounted) {
  PutAinThenMayotte();
  auto index = Reopen(20);  // a round holds about 3,000 / 64 = 47 matches
  SearchQuery q;
  q.text = "voirie";
  auto r = index->Search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->facets_exact);
  EXPECT_GT(r->facets_sampled, 20);
  EXPECT_LT(r->facets_sampled, 200);
  EXPECT_GT(CountOf(*r, "department", "01"), 500);
  EXPECT_GT(CountOf(*r, "department", "976"), 500);
  EXPECT_EQ(CountOf(*r, "department", "01") + CountOf(*r, "department", "976"), r->total);
}

TEST_F(LayoutTest, WhenTheSampleHoldsEveryMatchTheCountsAreExact) {
  PutAinThenMayotte();
  auto index = Reopen(5000);
  SearchQuery q;
  q.text = "voirie";
  auto r = index->Search(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->facets_exact);
  EXPECT_TRUE(r->total_exact);
  EXPECT_EQ(r->total, 3000);
  EXPECT_EQ(r->facets_sampled, 3000);
  EXPECT_EQ(CountOf(*r, "department", "01"), 1500);
  EXPECT_EQ(CountOf(*r, "department", "976"), 1500);
}

TEST_F(LayoutTest, ADepartmentIsAtMostOneRunOfNumbersPerRound) {
  PutAinThenMayotte();
  index_.reset();
  Xapian::Database db((dir_ / "search").string());
  for (const char* term : {"XD01", "XD976"}) {
    int runs = 0;
    Xapian::docid last = 0;
    for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) {
      if (*it != last + 1) ++runs;
      last = *it;
    }
    EXPECT_GT(runs, 1) << term;  // spread over rounds
    EXPECT_LE(runs, 64) << term;
  }
}

TEST_F(LayoutTest, AContractThatMovesIsFoundInItsNewDepartmentOnly) {
  auto c = MakeContract("X1", "Entretien de la voirie");
  c.place = {"44000", "Code postal", ""};
  Put({c});
  Put(Many("N", "44000", "45233140-2", 3));
  ASSERT_EQ(CatchUp(), 4u);
  c.place = {"75001", "Code postal", ""};
  Put({c});
  ASSERT_EQ(CatchUp(), 5u);
  EXPECT_EQ(*index_->DocumentCount(), 4u);
  SearchQuery q;
  q.text = "entretien";
  q.department = "44";
  EXPECT_EQ(Find(q).total, 0);
  q.department = "75";
  EXPECT_EQ(Ids(Find(q)), std::vector<std::string>{"X1"});
  // Its old department keeps the others; a new one there takes a new number.
  Put(Many("P", "44000", "45233140-2", 1));
  ASSERT_EQ(CatchUp(), 6u);
  EXPECT_EQ(*index_->DocumentCount(), 5u);
  q.text = "voirie";
  q.department = "44";
  EXPECT_EQ(Find(q).total, 4);
}

TEST_F(LayoutTest, NumbersAreNotReusedAfterReopening) {
  Put(Many("A", "44000", "45233140-2", 20));
  ASSERT_EQ(CatchUp(), 20u);
  OpenIndex();
  Put(Many("B", "44000", "45233140-2", 20));
  ASSERT_EQ(CatchUp(), 40u);
  EXPECT_EQ(*index_->DocumentCount(), 40u);
  SearchQuery q;
  q.department = "44";
  EXPECT_EQ(Find(q).total, 40);
}

TEST_F(LayoutTest, ApplyingTheSameEntriesAgainChangesNothing) {
  Put(Many("A", "44000", "45233140-2", 30));
  Put(Many("B", "", "45233140-2", 30));  // no department
  ASSERT_EQ(CatchUp(), 60u);
  auto entries = store_->LedgerEntries(0, 60);
  ASSERT_TRUE(entries.ok());
  ASSERT_TRUE(index_->Apply(*entries).ok());
  EXPECT_EQ(*index_->DocumentCount(), 60u);
  EXPECT_EQ(Find("voirie").total, 60);
  SearchQuery q;
  q.department = "44";
  EXPECT_EQ(Find(q).total, 30);
}

// Xapian 1.4.22 fails on a query without weight over a term in every
// document when document numbers have gaps; Index::Search gives such
// queries MatchAll's weight (index.cpp, Unweighted).
TEST_F(LayoutTest, FiltersAloneOnATermInEveryDocumentAreSearched) {
  PutAinThenMayotte();
  auto index = Reopen(100000);
  for (const char* text : {"cpv:45 OR cpv:90", "montant:1000..2000", "nature:marche -chaussee",
                           "departement:01 OR departement:976"}) {
    for (auto sort : {SortOrder::kRelevance, SortOrder::kDate}) {
      SearchQuery q;
      q.text = text;
      q.sort = sort;
      auto r = index->Search(q);
      ASSERT_TRUE(r.ok()) << text << ": " << r.status().ToString();
      EXPECT_EQ(r->total, 3000) << text;
    }
  }
}

std::vector<Xapian::docid> Postings(const std::string& dir, const std::string& term) {
  Xapian::Database db(dir);
  std::vector<Xapian::docid> out;
  for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) out.push_back(*it);
  return out;
}

TEST_F(LayoutTest, ACompactCopyKeepsNumbersPositionAndAnswers) {
  PutAinThenMayotte();
  index_.reset();
  const std::string from = (dir_ / "search").string(), to = (dir_ / "compact").string();
  ASSERT_TRUE(CompactIndex(from, to).ok());
  EXPECT_EQ(Postings(to, "XD976"), Postings(from, "XD976"));
  EXPECT_EQ(Postings(to, "XR5"), Postings(from, "XR5"));
  auto index = Index::Open(to);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*(*index)->Position(), 3000u);
  EXPECT_EQ(*(*index)->DocumentCount(), 3000u);
  SearchQuery q;
  q.text = "voirie";
  q.department = "976";
  auto r = (*index)->Search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 1500);
  // New documents still take numbers after the cells' last ones.
  index->reset();
  Put(Many("Z", "97600", "90910000-9", 10));
  auto reopened = Index::Open(to);
  ASSERT_TRUE(reopened.ok());
  index_ = std::move(*reopened);
  ASSERT_EQ(CatchUp(), 3010u);
  EXPECT_EQ(Find(q).total, 1510);

  auto missing = CompactIndex((dir_ / "nothing").string(), (dir_ / "out").string());
  EXPECT_EQ(missing.code(), ErrorCode::kUnavailable);
}

TEST_F(LayoutTest, AnIndexOfTheOlderLayoutKeepsLedgerOrder) {
  index_.reset();
  std::filesystem::remove_all(dir_ / "search");
  {
    Xapian::WritableDatabase db((dir_ / "search").string(), Xapian::DB_CREATE);
    db.set_metadata("layout", "2");
    db.commit();
  }
  OpenIndex();
  PutAinThenMayotte();
  auto index = Reopen(300);
  SearchQuery q;
  q.text = "voirie";
  q.department = "976";
  q.amount_min = domain::Money{100500};
  auto r = index->Search(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 1000);
  index.reset();
  Xapian::Database db((dir_ / "search").string());
  EXPECT_EQ(db.get_lastdocid(), 3000u);  // numbered 1, 2, 3… as applied
  EXPECT_EQ(db.get_metadata("layout"), "2");
}

}  // namespace
}  // namespace limpide::search
