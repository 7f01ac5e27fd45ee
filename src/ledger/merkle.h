// Merkle tree hashing, proofs and their verification, as in RFC 9162 §2.1 (Certificate
// Transparency 2.0). Pure: the hashes of stored subtrees come from a NodeReader.
//
// Leaves are numbered from 0. The tree of `size` leaves is stored as its perfect subtrees: the
// subtree of level L and index i covers leaves [i*2^L, (i+1)*2^L); level 0 holds the leaf
// hashes. Every hash a proof needs is the hash of a perfect subtree or a fold of a few of them
// (the right edge), so a proof reads O(log n) stored nodes and hashes O(log n) times.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "crypto/crypto.h"

namespace limpide::ledger {

using crypto::Hash;

// SHA-256(0x00 || entry): the hash of a leaf whose input is `entry`.
Hash LeafHash(std::string_view entry);
// SHA-256(0x01 || left || right): the hash of an interior node.
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256 of nothing: the root of the empty tree.
Hash EmptyRoot();

// A perfect subtree: level L, index i covers leaves [i*2^L, (i+1)*2^L). Level 0 = a leaf hash.
struct NodeId {
  int level = 0;
  uint64_t index = 0;
  bool operator==(const NodeId&) const = default;
};

// Fetches stored perfect-subtree hashes, in the order asked (the list may repeat a node).
// Called at most ONCE per proof or root computation, with every node that computation needs,
// so that a database can answer in one query; not called when no node is needed. Returning
// another count of hashes than asked is reported as an internal error.
using NodeReader = std::function<Result<std::vector<Hash>>(const std::vector<NodeId>&)>;

// The right edge of a tree: the hashes of its maximal perfect subtrees, left to right (one per
// set bit of the size, so at most 64). Enough to append leaves and compute the root.
class Frontier {
 public:
  // Which perfect subtrees form the frontier of a tree of `size`, left (largest) to right.
  static std::vector<NodeId> NodesOf(uint64_t size);

  Frontier() = default;  // the empty tree
  // `hashes` are the hashes of NodesOf(size), in that order. Aborts when the count differs
  // (a broken invariant of the caller's storage).
  Frontier(uint64_t size, std::vector<Hash> hashes);

  uint64_t size() const { return size_; }
  // The hashes of NodesOf(size()), in that order.
  const std::vector<Hash>& hashes() const { return hashes_; }

  // Appends one leaf hash; pushes onto `completed` (if not null) every perfect subtree of
  // level >= 1 that this leaf completes, with its hash, lowest level first.
  void Append(const Hash& leaf, std::vector<std::pair<NodeId, Hash>>* completed = nullptr);

  // MTH of the whole tree; EmptyRoot() when size 0.
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

// The root hash (MTH) of the tree of the first `size` leaves; reads NodesOf(size).
Result<Hash> RootHash(uint64_t size, const NodeReader& nodes);

// The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1), from the
// leaf's sibling up. invalid_argument when index >= size; the reader's errors pass through.
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& nodes);

// The proof that the tree of `first` leaves is a prefix of the tree of `second` leaves
// (RFC 9162 §2.1.4.1). Empty when first == second or first == 0 (every tree extends the empty
// tree). invalid_argument when first > second.
Result<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second,
                                           const NodeReader& nodes);

// RFC 9162 §2.1.3.2: does `proof` prove that `leaf_hash` is leaf `index` of the tree of `size`
// leaves whose root is `root`? invalid_argument saying what failed otherwise.
Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                       const std::vector<Hash>& proof, const Hash& root);

// RFC 9162 §2.1.4.2: does `proof` prove that the tree of `first` leaves with root `first_root`
// is a prefix of the tree of `second` leaves with root `second_root`? first == second needs an
// empty proof and equal roots; first == 0 an empty proof and first_root == EmptyRoot().
// invalid_argument saying what failed otherwise.
Status VerifyConsistency(uint64_t first, uint64_t second, const std::vector<Hash>& proof,
                         const Hash& first_root, const Hash& second_root);

// In-memory helpers (receipt trees of a consultation's deposits, tests): all leaf hashes given.
Hash RootOf(const std::vector<Hash>& leaves);
// Aborts when index >= leaves.size().
std::vector<Hash> InclusionProofOf(const std::vector<Hash>& leaves, uint64_t index);

}  // namespace limpide::ledger
