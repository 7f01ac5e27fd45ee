#include "ledger/merkle.h"

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace limpide::ledger {
namespace {

// The largest power of two strictly below n (n >= 2): where RFC 9162 splits a tree of n leaves.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "limpide: broken invariant in ledger/merkle.cpp: %s\n", what);
  std::abort();
}

// The hashes a computation needs, each the MTH of a range of leaves [begin, end) that is either
// perfect or ends at the tree's right edge; such a range is a fold of the perfect subtrees that
// its size's binary expansion gives, largest first.
class Plan {
 public:
  void AddRange(uint64_t begin, uint64_t end) {
    while (true) {
      const uint64_t size = end - begin;
      const uint64_t part = std::has_single_bit(size) ? size : std::bit_floor(size);
      const int level = std::countr_zero(part);
      if (begin % part != 0) Die("unaligned subtree");
      ids_.push_back({level, begin >> level});
      if (part == size) break;
      begin += part;
    }
    ends_.push_back(ids_.size());
  }

  Result<std::vector<Hash>> Run(const NodeReader& nodes) const {
    std::vector<Hash> out;
    if (ids_.empty()) return out;
    auto read = nodes(ids_);
    if (!read.ok()) return read.status();
    const std::vector<Hash>& hashes = *read;
    if (hashes.size() != ids_.size()) {
      return Status::Internal("the node reader returned " + std::to_string(hashes.size()) +
                              " hashes for " + std::to_string(ids_.size()) + " nodes");
    }
    out.reserve(ends_.size());
    size_t begin = 0;
    for (size_t end : ends_) {
      Hash h = hashes[end - 1];
      for (size_t j = end - 1; j > begin; --j) h = NodeHash(hashes[j - 1], h);
      out.push_back(h);
      begin = end;
    }
    return out;
  }

 private:
  std::vector<NodeId> ids_;
  std::vector<size_t> ends_;  // one past the last node of each hash, in ids_
};

// RFC 9162 §2.1.3.1 PATH(m, D[begin:end]), m absolute, deepest sibling first.
void PlanPath(uint64_t m, uint64_t begin, uint64_t end, Plan& plan) {
  if (end - begin <= 1) return;
  const uint64_t k = begin + SplitPoint(end - begin);
  if (m < k) {
    PlanPath(m, begin, k, plan);
    plan.AddRange(k, end);
  } else {
    PlanPath(m, k, end, plan);
    plan.AddRange(begin, k);
  }
}

// RFC 9162 §2.1.4.1 SUBPROOF(m, D[begin:end], b), m counted from begin.
void PlanSubproof(uint64_t m, uint64_t begin, uint64_t end, bool b, Plan& plan) {
  if (m == end - begin) {
    if (!b) plan.AddRange(begin, end);
    return;
  }
  const uint64_t k = SplitPoint(end - begin);
  if (m <= k) {
    PlanSubproof(m, begin, begin + k, b, plan);
    plan.AddRange(begin + k, end);
  } else {
    PlanSubproof(m - k, begin + k, end, false, plan);
    plan.AddRange(begin, begin + k);
  }
}

// How many hashes PATH(index, D[size]) holds (index < size).
size_t InclusionPathLength(uint64_t index, uint64_t size) {
  size_t n = 0;
  uint64_t begin = 0, end = size;
  while (end - begin > 1) {
    const uint64_t k = begin + SplitPoint(end - begin);
    (index < k ? end : begin) = k;
    ++n;
  }
  return n;
}

// How many hashes PROOF(first, D[second]) holds (0 < first < second).
size_t ConsistencyPathLength(uint64_t first, uint64_t second) {
  size_t n = 0;
  uint64_t m = first, size = second;
  bool b = true;
  while (m != size) {
    const uint64_t k = SplitPoint(size);
    ++n;
    if (m <= k) {
      size = k;
    } else {
      m -= k;
      size -= k;
      b = false;
    }
  }
  return b ? n : n + 1;
}

std::string Short(const Hash& h) { return crypto::ToHex(h).substr(0, 16) + "…"; }

std::string Count(size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "es");
}

}  // namespace

Hash LeafHash(std::string_view entry) {
  static constexpr char kPrefix = 0x00;
  return crypto::Sha256Concat({std::string_view(&kPrefix, 1), entry});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  char buf[1 + 2 * sizeof(Hash)];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), left.size());
  std::memcpy(buf + 1 + left.size(), right.data(), right.size());
  return crypto::Sha256(std::string_view(buf, sizeof buf));
}

Hash EmptyRoot() {
  static const Hash kEmpty = crypto::Sha256({});
  return kEmpty;
}

std::vector<NodeId> Frontier::NodesOf(uint64_t size) {
  std::vector<NodeId> out;
  out.reserve(std::popcount(size));
  for (int level = 63; level >= 0; --level) {
    if (size >> level & 1) out.push_back({level, (size >> level) - 1});
  }
  return out;
}

Frontier::Frontier(uint64_t size, std::vector<Hash> hashes)
    : size_(size), hashes_(std::move(hashes)) {
  if (hashes_.size() != static_cast<size_t>(std::popcount(size_))) {
    Die("Frontier(size, hashes) needs one hash per node of NodesOf(size)");
  }
}

void Frontier::Append(const Hash& leaf, std::vector<std::pair<NodeId, Hash>>* completed) {
  Hash h = leaf;
  const uint64_t new_size = size_ + 1;
  // Like a binary counter: every set low bit of size_ is a subtree that merges with the new one.
  for (int level = 0; size_ >> level & 1; ++level) {
    h = NodeHash(hashes_.back(), h);
    hashes_.pop_back();
    if (completed) completed->push_back({{level + 1, (new_size >> (level + 1)) - 1}, h});
  }
  hashes_.push_back(h);
  size_ = new_size;
}

Hash Frontier::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  Hash h = hashes_.back();
  for (size_t j = hashes_.size() - 1; j > 0; --j) h = NodeHash(hashes_[j - 1], h);
  return h;
}

Result<Hash> RootHash(uint64_t size, const NodeReader& nodes) {
  if (size == 0) return EmptyRoot();
  Plan plan;
  plan.AddRange(0, size);
  auto hashes = plan.Run(nodes);
  if (!hashes.ok()) return hashes.status();
  return hashes->front();
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& nodes) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is out of range: the tree has " + std::to_string(size) +
                                   " leaves (indices 0 to size - 1)");
  }
  Plan plan;
  PlanPath(index, 0, size, plan);
  return plan.Run(nodes);
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second,
                                           const NodeReader& nodes) {
  if (first > second) {
    return Status::InvalidArgument("the first tree size (" + std::to_string(first) +
                                   ") is larger than the second (" + std::to_string(second) + ")");
  }
  Plan plan;
  if (first > 0 && first < second) PlanSubproof(first, 0, second, true, plan);
  return plan.Run(nodes);
}

Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                       const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not below the tree size " + std::to_string(size));
  }
  const size_t expected = InclusionPathLength(index, size);
  if (proof.size() != expected) {
    return Status::InvalidArgument("the audit path has " + Count(proof.size(), "hash") + "; leaf " +
                                   std::to_string(index) + " of a tree of size " +
                                   std::to_string(size) + " needs " + std::to_string(expected));
  }
  // RFC 9162 §2.1.3.2, step by step.
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Status::InvalidArgument("the audit path is too long");
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("the audit path is too short");
  if (r != root) {
    return Status::InvalidArgument("the audit path leads to root " + Short(r) +
                                   ", not to the tree's root " + Short(root));
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t first, uint64_t second, const std::vector<Hash>& proof,
                         const Hash& first_root, const Hash& second_root) {
  if (first > second) {
    return Status::InvalidArgument("the first tree size (" + std::to_string(first) +
                                   ") is larger than the second (" + std::to_string(second) + ")");
  }
  if (first == 0 || first == second) {
    if (!proof.empty()) {
      return Status::InvalidArgument("the consistency path should be empty, it has " +
                                     Count(proof.size(), "hash"));
    }
    if (first == 0 && first_root != EmptyRoot()) {
      return Status::InvalidArgument("the first tree is empty but its root " + Short(first_root) +
                                     " is not the empty tree's root");
    }
    if (first == second && first_root != second_root) {
      return Status::InvalidArgument("two trees of the same size " + std::to_string(first) +
                                     " have different roots: " + Short(first_root) + " and " +
                                     Short(second_root));
    }
    return Status::Ok();
  }
  const size_t expected = ConsistencyPathLength(first, second);
  if (proof.size() != expected) {
    return Status::InvalidArgument("the consistency path has " + Count(proof.size(), "hash") +
                                   "; trees of sizes " + std::to_string(first) + " and " +
                                   std::to_string(second) + " need " + std::to_string(expected));
  }
  // RFC 9162 §2.1.4.2, step by step.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(first)) path.push_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Status::InvalidArgument("the consistency path is too long");
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("the consistency path is too short");
  if (fr != first_root) {
    return Status::InvalidArgument("the consistency path leads to first root " + Short(fr) +
                                   ", not to the first tree's root " + Short(first_root));
  }
  if (sr != second_root) {
    return Status::InvalidArgument("the consistency path leads to second root " + Short(sr) +
                                   ", not to the second tree's root " + Short(second_root));
  }
  return Status::Ok();
}

Hash RootOf(const std::vector<Hash>& leaves) {
  Frontier f;
  for (const Hash& leaf : leaves) f.Append(leaf);
  return f.Root();
}

std::vector<Hash> InclusionProofOf(const std::vector<Hash>& leaves, uint64_t index) {
  if (index >= leaves.size()) Die("InclusionProofOf: index out of range");
  // Every perfect subtree, level by level: levels[L][i] is node (L, i).
  std::vector<std::vector<Hash>> levels{leaves};
  while (levels.back().size() >= 2) {
    const std::vector<Hash>& below = levels.back();
    std::vector<Hash> up;
    up.reserve(below.size() / 2);
    for (size_t i = 0; i + 1 < below.size(); i += 2) up.push_back(NodeHash(below[i], below[i + 1]));
    levels.push_back(std::move(up));
  }
  NodeReader reader = [&levels](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
    std::vector<Hash> out;
    out.reserve(ids.size());
    for (const NodeId& id : ids) out.push_back(levels[id.level][id.index]);
    return out;
  };
  auto proof = InclusionProof(index, leaves.size(), reader);
  if (!proof.ok()) Die("InclusionProofOf: the in-memory reader failed");
  return std::move(proof).value();
}

}  // namespace limpide::ledger
