// Proof vectors for every tree of 1 to 64 leaves, against an independent, naive transcription of
// RFC 9162 §2.1 written here (straight recursion over the list of entries, hashing with
// crypto::Sha256 and explicit prefixes, nothing from ledger/ but what is under test).
#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace limpide::ledger {
namespace {

constexpr uint64_t kMaxSize = 64;

std::string Raw(const Hash& h) { return std::string(reinterpret_cast<const char*>(h.data()), 32); }

// ---- RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, literally ----

using Entries = std::vector<std::string>;

Entries Slice(const Entries& d, size_t begin, size_t end) {
  return Entries(d.begin() + static_cast<ptrdiff_t>(begin),
                 d.begin() + static_cast<ptrdiff_t>(end));
}

// The largest power of two smaller than n (n > 1).
size_t K(size_t n) {
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash Mth(const Entries& d) {
  const size_t n = d.size();
  if (n == 0) return crypto::Sha256("");
  if (n == 1) return crypto::Sha256(std::string(1, '\x00') + d[0]);
  const size_t k = K(n);
  return crypto::Sha256(std::string(1, '\x01') + Raw(Mth(Slice(d, 0, k))) +
                        Raw(Mth(Slice(d, k, n))));
}

std::vector<Hash> Path(size_t m, const Entries& d) {
  const size_t n = d.size();
  if (n == 1) return {};
  const size_t k = K(n);
  std::vector<Hash> out;
  if (m < k) {
    out = Path(m, Slice(d, 0, k));
    out.push_back(Mth(Slice(d, k, n)));
  } else {
    out = Path(m - k, Slice(d, k, n));
    out.push_back(Mth(Slice(d, 0, k)));
  }
  return out;
}

std::vector<Hash> Subproof(size_t m, const Entries& d, bool b) {
  const size_t n = d.size();
  if (m == n) return b ? std::vector<Hash>{} : std::vector<Hash>{Mth(d)};
  const size_t k = K(n);
  std::vector<Hash> out;
  if (m <= k) {
    out = Subproof(m, Slice(d, 0, k), b);
    out.push_back(Mth(Slice(d, k, n)));
  } else {
    out = Subproof(m - k, Slice(d, k, n), false);
    out.push_back(Mth(Slice(d, 0, k)));
  }
  return out;
}

std::vector<Hash> Proof(size_t m, const Entries& d) { return Subproof(m, d, true); }

// ---- The stored tree: leaf hashes and the completed subtrees that Frontier::Append reports ----

class Fixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    entries_ = new Entries;
    leaves_ = new std::vector<Hash>;
    table_ = new std::map<std::pair<int, uint64_t>, Hash>;
    roots_ = new std::vector<Hash>{EmptyRoot()};
    Frontier frontier;
    for (uint64_t i = 0; i < kMaxSize; ++i) {
      entries_->push_back("leaf-" + std::to_string(i));
      const Hash leaf = LeafHash(entries_->back());
      leaves_->push_back(leaf);
      (*table_)[{0, i}] = leaf;
      std::vector<std::pair<NodeId, Hash>> completed;
      frontier.Append(leaf, &completed);
      for (const auto& [id, hash] : completed) {
        EXPECT_FALSE(table_->count({id.level, id.index})) << "completed twice";
        (*table_)[{id.level, id.index}] = hash;
      }
      roots_->push_back(frontier.Root());
    }
    proofs_ = new std::vector<std::vector<std::vector<Hash>>>(
        kMaxSize + 1, std::vector<std::vector<Hash>>(kMaxSize + 1));
    for (uint64_t n = 1; n <= kMaxSize; ++n) {
      for (uint64_t m = 1; m < n; ++m) (*proofs_)[m][n] = Proof(m, Prefix(n));
    }
  }
  static void TearDownTestSuite() {
    delete entries_;
    delete leaves_;
    delete table_;
    delete roots_;
    delete proofs_;
  }

  // A reader of the tree of `size` leaves that counts its calls and fails the test when asked
  // for a node outside that tree.
  NodeReader Reader(uint64_t size) {
    return [this, size](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
      ++calls_;
      std::vector<Hash> out;
      for (const NodeId& id : ids) {
        EXPECT_LE((id.index + 1) << id.level, size) << "node outside the tree";
        auto it = table_->find({id.level, id.index});
        if (it == table_->end()) return Status::NotFound("no such node");
        out.push_back(it->second);
      }
      return out;
    };
  }

  static Entries Prefix(uint64_t size) { return Slice(*entries_, 0, size); }
  static std::vector<Hash> PrefixLeaves(uint64_t size) {
    return {leaves_->begin(), leaves_->begin() + static_cast<ptrdiff_t>(size)};
  }

  static Entries* entries_;
  static std::vector<Hash>* leaves_;
  static std::map<std::pair<int, uint64_t>, Hash>* table_;
  static std::vector<Hash>* roots_;  // roots_[n]: Frontier::Root() after n appends
  // proofs_[m][n]: the naive PROOF(m, D[n]) (empty when m == n).
  static std::vector<std::vector<std::vector<Hash>>>* proofs_;
  int calls_ = 0;
};

Entries* Fixture::entries_ = nullptr;
std::vector<Hash>* Fixture::leaves_ = nullptr;
std::map<std::pair<int, uint64_t>, Hash>* Fixture::table_ = nullptr;
std::vector<Hash>* Fixture::roots_ = nullptr;
std::vector<std::vector<std::vector<Hash>>>* Fixture::proofs_ = nullptr;

Hash Flip(Hash h, int bit) {
  h[bit / 8 % 32] ^= static_cast<uint8_t>(1 << (bit % 8));
  return h;
}

using MerkleTree = Fixture;

TEST_F(MerkleTree, HashesUseTheRfc9162Prefixes) {
  EXPECT_EQ(LeafHash("abc"), crypto::Sha256(std::string("\x00", 1) + "abc"));
  const Hash a = crypto::Sha256("a"), b = crypto::Sha256("b");
  EXPECT_EQ(NodeHash(a, b), crypto::Sha256("\x01" + Raw(a) + Raw(b)));
  EXPECT_EQ(crypto::ToHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(MerkleTree, RootOfEverySizeMatchesTheRfcDefinition) {
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    const Hash expected = Mth(Prefix(n));
    EXPECT_EQ((*roots_)[n], expected) << "Frontier after " << n << " appends";
    EXPECT_EQ(RootOf(PrefixLeaves(n)), expected) << n;
    calls_ = 0;
    auto root = RootHash(n, Reader(n));
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, expected) << n;
    EXPECT_EQ(calls_, n == 0 ? 0 : 1) << n;
  }
}

TEST_F(MerkleTree, InclusionProofsMatchTheRfcDefinitionAndVerify) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const Entries d = Prefix(n);
    const Hash root = Mth(d);
    for (uint64_t m = 0; m < n; ++m) {
      SCOPED_TRACE("leaf " + std::to_string(m) + " of " + std::to_string(n));
      const std::vector<Hash> expected = Path(m, d);
      calls_ = 0;
      auto proof = InclusionProof(m, n, Reader(n));
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      EXPECT_EQ(*proof, expected);
      EXPECT_EQ(calls_, n == 1 ? 0 : 1);
      EXPECT_EQ(InclusionProofOf(PrefixLeaves(n), m), expected);

      const Hash leaf = (*leaves_)[m];
      EXPECT_TRUE(VerifyInclusion(leaf, m, n, expected, root).ok());
      // Every flipped hash, a wrong leaf, a wrong root.
      for (size_t i = 0; i < expected.size(); ++i) {
        std::vector<Hash> bad = expected;
        bad[i] = Flip(bad[i], static_cast<int>(i * 37 + m));
        EXPECT_FALSE(VerifyInclusion(leaf, m, n, bad, root).ok()) << "flipped hash " << i;
      }
      EXPECT_FALSE(VerifyInclusion(Flip(leaf, 3), m, n, expected, root).ok());
      EXPECT_FALSE(VerifyInclusion(leaf, m, n, expected, Flip(root, 200)).ok());
      // Wrong index: every other index of the same tree.
      for (uint64_t other = 0; other < n + 2; ++other) {
        if (other == m) continue;
        EXPECT_FALSE(VerifyInclusion(leaf, other, n, expected, root).ok()) << "index " << other;
      }
      // Wrong size, with the true root of that size.
      for (uint64_t other = m + 1; other <= kMaxSize; ++other) {
        if (other == n) continue;
        EXPECT_FALSE(VerifyInclusion(leaf, m, other, expected, (*roots_)[other]).ok())
            << "size " << other;
      }
      // One hash too many or too few.
      std::vector<Hash> longer = expected;
      longer.push_back(root);
      Status s = VerifyInclusion(leaf, m, n, longer, root);
      EXPECT_FALSE(s.ok());
      EXPECT_NE(s.message().find("needs " + std::to_string(expected.size())), std::string::npos)
          << s.message();
      if (!expected.empty()) {
        std::vector<Hash> shorter(expected.begin(), expected.end() - 1);
        EXPECT_FALSE(VerifyInclusion(leaf, m, n, shorter, root).ok());
      }
    }
  }
}

TEST_F(MerkleTree, ConsistencyProofsMatchTheRfcDefinitionAndVerify) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const Hash second_root = Mth(Prefix(n));
    for (uint64_t m = 1; m <= n; ++m) {
      SCOPED_TRACE("first " + std::to_string(m) + ", second " + std::to_string(n));
      const std::vector<Hash>& expected = (*proofs_)[m][n];
      calls_ = 0;
      auto proof = ConsistencyProof(m, n, Reader(n));
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      EXPECT_EQ(*proof, expected);
      EXPECT_EQ(calls_, m == n ? 0 : 1);

      const Hash first_root = (*roots_)[m];
      EXPECT_TRUE(VerifyConsistency(m, n, expected, first_root, second_root).ok());
      for (size_t i = 0; i < expected.size(); ++i) {
        std::vector<Hash> bad = expected;
        bad[i] = Flip(bad[i], static_cast<int>(i * 41 + m));
        EXPECT_FALSE(VerifyConsistency(m, n, bad, first_root, second_root).ok())
            << "flipped hash " << i;
      }
      EXPECT_FALSE(VerifyConsistency(m, n, expected, Flip(first_root, 9), second_root).ok());
      EXPECT_FALSE(VerifyConsistency(m, n, expected, first_root, Flip(second_root, 9)).ok());
      // Wrong sizes, each with the true roots of the sizes claimed: only a proof that happens
      // to be the right one for those sizes may pass. All pairs for small trees (the cross
      // product is quartic), the neighbouring sizes for the others.
      std::vector<std::pair<uint64_t, uint64_t>> others;
      if (n <= 8) {
        for (uint64_t m2 = 1; m2 <= kMaxSize; ++m2) {
          for (uint64_t n2 = m2; n2 <= kMaxSize; ++n2) others.push_back({m2, n2});
        }
      } else {
        others = {{m - 1, n}, {m + 1, n}, {m, n - 1}, {m, n + 1}, {m - 1, n - 1}, {m + 1, n + 1}};
      }
      for (auto [m2, n2] : others) {
        if ((m2 == m && n2 == n) || m2 < 1 || m2 > n2 || n2 > kMaxSize) continue;
        const bool ok = VerifyConsistency(m2, n2, expected, (*roots_)[m2], (*roots_)[n2]).ok();
        EXPECT_EQ(ok, (*proofs_)[m2][n2] == expected) << "sizes " << m2 << ", " << n2;
      }
      // The roots swapped, one hash too many.
      if (m != n) {
        EXPECT_FALSE(VerifyConsistency(m, n, expected, second_root, first_root).ok());
        std::vector<Hash> longer = expected;
        longer.push_back(second_root);
        EXPECT_FALSE(VerifyConsistency(m, n, longer, first_root, second_root).ok());
      } else {
        EXPECT_FALSE(VerifyConsistency(m, n, {first_root}, first_root, second_root).ok());
      }
    }
  }
}

TEST_F(MerkleTree, TheEmptyTreeIsAPrefixOfEveryTree) {
  for (uint64_t n : {0, 1, 5, 64}) {
    auto proof = ConsistencyProof(0, n, Reader(n));
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(proof->empty());
    EXPECT_TRUE(VerifyConsistency(0, n, {}, EmptyRoot(), (*roots_)[n]).ok());
    EXPECT_FALSE(VerifyConsistency(0, n, {}, (*roots_)[1], (*roots_)[n]).ok());
    EXPECT_FALSE(VerifyConsistency(0, n, {EmptyRoot()}, EmptyRoot(), (*roots_)[n]).ok());
  }
  EXPECT_EQ(calls_, 0);
}

TEST_F(MerkleTree, OutOfRangeArgumentsAreRejectedWithAClearMessage) {
  auto proof = InclusionProof(5, 5, Reader(5));
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(proof.status().message(),
            "leaf index 5 is out of range: the tree has 5 leaves (indices 0 to size - 1)");
  EXPECT_FALSE(InclusionProof(0, 0, Reader(0)).ok());
  auto consistency = ConsistencyProof(6, 5, Reader(5));
  ASSERT_FALSE(consistency.ok());
  EXPECT_EQ(consistency.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(consistency.status().message(),
            "the first tree size (6) is larger than the second (5)");
  EXPECT_EQ(calls_, 0);

  Status s = VerifyInclusion((*leaves_)[0], 3, 3, {}, (*roots_)[3]);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "leaf index 3 is not below the tree size 3");
  EXPECT_FALSE(VerifyConsistency(4, 3, {}, (*roots_)[4], (*roots_)[3]).ok());
}

TEST_F(MerkleTree, ReaderErrorsPassThroughAndAWrongCountIsInternal) {
  NodeReader failing = [](const std::vector<NodeId>&) -> Result<std::vector<Hash>> {
    return Status::Unavailable("database is locked");
  };
  auto proof = InclusionProof(3, 10, failing);
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(RootHash(10, failing).status().code(), ErrorCode::kUnavailable);

  NodeReader short_reader = [](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
    return std::vector<Hash>(ids.size() - 1);
  };
  auto bad = ConsistencyProof(3, 10, short_reader);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInternal);
}

TEST(Frontier, NodesOfFollowTheBinaryExpansionOfTheSize) {
  EXPECT_TRUE(Frontier::NodesOf(0).empty());
  EXPECT_EQ(Frontier::NodesOf(1), (std::vector<NodeId>{{0, 0}}));
  EXPECT_EQ(Frontier::NodesOf(11), (std::vector<NodeId>{{3, 0}, {1, 4}, {0, 10}}));
  EXPECT_EQ(Frontier::NodesOf(64), (std::vector<NodeId>{{6, 0}}));
  EXPECT_EQ(Frontier::NodesOf(10'000'000).size(), 8u);  // 0b100110001001011010000000
  EXPECT_EQ(Frontier::NodesOf(~uint64_t{0}).size(), 64u);
}

TEST(Frontier, AppendReportsTheSubtreesEachLeafCompletes) {
  Frontier f;
  std::vector<std::pair<NodeId, Hash>> completed;
  const Hash l0 = LeafHash("0"), l1 = LeafHash("1"), l2 = LeafHash("2"), l3 = LeafHash("3");
  f.Append(l0, &completed);
  EXPECT_TRUE(completed.empty());
  f.Append(l1, &completed);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].first, (NodeId{1, 0}));
  EXPECT_EQ(completed[0].second, NodeHash(l0, l1));
  completed.clear();
  f.Append(l2, &completed);
  EXPECT_TRUE(completed.empty());
  f.Append(l3, &completed);
  ASSERT_EQ(completed.size(), 2u);
  EXPECT_EQ(completed[0].first, (NodeId{1, 1}));
  EXPECT_EQ(completed[0].second, NodeHash(l2, l3));
  EXPECT_EQ(completed[1].first, (NodeId{2, 0}));
  EXPECT_EQ(completed[1].second, NodeHash(NodeHash(l0, l1), NodeHash(l2, l3)));
  EXPECT_EQ(f.size(), 4u);
  EXPECT_EQ(f.hashes().size(), 1u);
}

TEST_F(MerkleTree, AFrontierRebuiltFromStoredNodesEqualsTheAppendedOne) {
  Frontier appended;
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    std::vector<Hash> hashes;
    for (const NodeId& id : Frontier::NodesOf(n))
      hashes.push_back(table_->at({id.level, id.index}));
    Frontier rebuilt(n, hashes);
    EXPECT_EQ(rebuilt.size(), appended.size());
    EXPECT_EQ(rebuilt.hashes(), appended.hashes()) << n;
    EXPECT_EQ(rebuilt.Root(), appended.Root()) << n;
    // Both keep growing alike.
    for (uint64_t more = n; more < std::min(kMaxSize, n + 5); ++more) {
      rebuilt.Append((*leaves_)[more]);
    }
    EXPECT_EQ(rebuilt.Root(), (*roots_)[std::min(kMaxSize, n + 5)]) << n;
    if (n < kMaxSize) appended.Append((*leaves_)[n]);
  }
}

TEST(MerkleProofs, StayLogarithmicOnABigTree) {
  // Synthetic node hashes: what matters here is which nodes are asked, and how often.
  int calls = 0;
  size_t asked = 0;
  NodeReader reader = [&](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
    ++calls;
    asked += ids.size();
    std::vector<Hash> out;
    for (const NodeId& id : ids) {
      out.push_back(crypto::Sha256(std::to_string(id.level) + "/" + std::to_string(id.index)));
    }
    return out;
  };
  const uint64_t size = 10'000'000;
  for (uint64_t index : {uint64_t{0}, uint64_t{4'194'303}, size - 1, uint64_t{9'999'998}}) {
    calls = 0;
    asked = 0;
    auto proof = InclusionProof(index, size, reader);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(calls, 1);
    EXPECT_LE(proof->size(), 24u);
    EXPECT_LE(asked, 2 * 24u);
  }
  calls = 0;
  auto consistency = ConsistencyProof(7'654'321, size, reader);
  ASSERT_TRUE(consistency.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_LE(consistency->size(), 2 * 24u);
}

}  // namespace
}  // namespace limpide::ledger
