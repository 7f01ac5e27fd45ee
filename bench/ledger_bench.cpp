// Transparency ledger (issue 5), each figure beside its baseline in the same run:
//   1. an inclusion proof on a 10,000,000-leaf tree (every perfect subtree in memory, as the
//      store keeps them), median of 10,000 proofs, beside one SHA-256 of 64 bytes;
//   2. VerifyDump on a 1,000,000-entry dump (~300-byte bodies), beside reading the same file
//      line by line.
//
//   build/ledger_bench [LEAVES=10000000] [ENTRIES=1000000] [DIR=/tmp]
//
// Targets: a proof under 1 ms; verifying 1,000,000 entries under 10 s.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/proof_json.h"
#include "ledger/verify.h"

namespace fs = std::filesystem;
using limpide::ledger::Hash;
using limpide::ledger::NodeId;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Proofs(uint64_t leaves) {
  auto start = Clock::now();
  // levels[L][i] is the perfect subtree (L, i): what the store keeps, here in memory.
  std::vector<std::vector<Hash>> levels(1);
  levels[0].reserve(leaves);
  limpide::ledger::Frontier tree;
  std::vector<std::pair<NodeId, Hash>> completed;
  for (uint64_t i = 0; i < leaves; ++i) {
    const Hash leaf = limpide::ledger::LeafHash("leaf-" + std::to_string(i));
    levels[0].push_back(leaf);
    completed.clear();
    tree.Append(leaf, &completed);
    for (const auto& [id, h] : completed) {
      if (levels.size() <= static_cast<size_t>(id.level)) levels.resize(id.level + 1);
      levels[id.level].push_back(h);  // completed in index order at each level
    }
  }
  const Hash root = tree.Root();
  std::printf("tree of %llu leaves built in %.1f s (%.0f appends/s, hashing only)\n",
              static_cast<unsigned long long>(leaves), Seconds(start), leaves / Seconds(start));

  limpide::ledger::NodeReader reader =
      [&levels](const std::vector<NodeId>& ids) -> limpide::Result<std::vector<Hash>> {
    std::vector<Hash> out;
    out.reserve(ids.size());
    for (const NodeId& id : ids) out.push_back(levels[id.level][id.index]);
    return out;
  };
  std::mt19937_64 rng(5);
  std::vector<double> proof_us, verify_us;
  size_t path_hashes = 0;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t index = rng() % leaves;
    auto t = Clock::now();
    auto proof = limpide::ledger::InclusionProof(index, leaves, reader);
    proof_us.push_back(Seconds(t) * 1e6);
    if (!proof.ok()) {
      std::fprintf(stderr, "proof failed: %s\n", proof.status().ToString().c_str());
      std::exit(1);
    }
    path_hashes += proof->size();
    t = Clock::now();
    const bool ok =
        limpide::ledger::VerifyInclusion(levels[0][index], index, leaves, *proof, root).ok();
    verify_us.push_back(Seconds(t) * 1e6);
    if (!ok) {
      std::fprintf(stderr, "proof of leaf %llu does not verify\n",
                   static_cast<unsigned long long>(index));
      std::exit(1);
    }
  }
  const std::string block(64, 'x');
  Hash sink{};
  const int n = 1000000;
  auto t = Clock::now();
  for (int i = 0; i < n; ++i) {
    sink = limpide::crypto::Sha256(block);
    const_cast<std::string&>(block)[0] = static_cast<char>(sink[0]);
  }
  const double sha_us = Seconds(t) * 1e6 / n;
  std::printf(
      "inclusion proof, %llu leaves: median %.2f µs (%.1f hashes per path), verification %.2f "
      "µs; one SHA-256 of 64 bytes: %.3f µs  [target: proof < 1000 µs]\n",
      static_cast<unsigned long long>(leaves), Median(proof_us),
      static_cast<double>(path_hashes) / proof_us.size(), Median(verify_us), sha_us);
}

// A contract-like body of about 300 bytes.
json Body(uint64_t i, std::mt19937_64& rng) {
  static const char* kObjects[] = {"Travaux de réfection de la voirie communale — lot n°",
                                   "Entretien des espaces verts et élagage — lot n°",
                                   "Fourniture de repas pour la restauration scolaire — lot n°",
                                   "Maintenance des installations de chauffage — lot n°"};
  char siret[16];
  std::snprintf(siret, sizeof siret, "2%013llu",
                static_cast<unsigned long long>(rng() % 10000000000000ULL));
  return json{
      {"acheteur", {{"id", siret}, {"nom", "Commune de Saint-Martin-" + std::to_string(i % 977)}}},
      {"objet", kObjects[i % 4] + std::to_string(i % 7 + 1)},
      {"cpv", "45233140-2"},
      {"procedure", "appel_offres_ouvert"},
      {"montant_cents", static_cast<int64_t>(rng() % 100000000000ULL)},
      {"dateNotification", "2026-11-" + std::to_string(10 + i % 18)},
      {"titulaires",
       json::array({{{"id", std::to_string(40000000000000ULL + rng() % 9999999999999ULL)},
                     {"nom", "Entreprise Dupont & Fils"}}})}};
}

void Dump(uint64_t entries, const fs::path& dir) {
  const fs::path path = dir / "limpide-ledger-bench.jsonl";
  auto start = Clock::now();
  size_t body_bytes = 0;
  {
    std::ofstream out(path, std::ios::binary);
    limpide::ledger::Frontier tree;
    std::mt19937_64 rng(7);
    for (uint64_t i = 0; i < entries; ++i) {
      limpide::ledger::Entry e;
      e.seq = i;
      char time[32];
      std::snprintf(time, sizeof time, "2026-11-29T%02llu:%02llu:%02llu.%03lluZ",
                    static_cast<unsigned long long>(i / 3600000 % 24),
                    static_cast<unsigned long long>(i / 60000 % 60),
                    static_cast<unsigned long long>(i / 1000 % 60),
                    static_cast<unsigned long long>(i % 1000));
      e.time = time;
      e.kind = i % 5 == 0 ? "contract.created" : "contract.updated";
      e.subject = "2169012310001" + std::to_string(i % 10) + "-2026-" + std::to_string(i / 5);
      e.body = Body(i, rng);
      body_bytes += limpide::ledger::CanonicalJson(e.body)->size();
      const std::string encoded = *limpide::ledger::EncodeEntry(e);
      const Hash leaf = limpide::ledger::LeafHash(encoded);
      tree.Append(leaf);
      out << limpide::ledger::DumpLine(encoded, leaf, tree.Root()) << '\n';
    }
  }
  const double mb = fs::file_size(path) / 1e6;
  std::printf(
      "dump of %llu entries written in %.1f s: %.0f MB, %.0f bytes a line (bodies of %zu "
      "bytes)\n",
      static_cast<unsigned long long>(entries), Seconds(start), mb, mb * 1e6 / entries,
      body_bytes / entries);

  // Baseline: the same file read line by line (the page cache is warm from the write).
  auto t = Clock::now();
  {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    size_t lines = 0, bytes = 0;
    while (std::getline(in, line)) {
      ++lines;
      bytes += line.size();
    }
    if (lines != entries) std::exit(1);
  }
  const double read_s = Seconds(t);

  t = Clock::now();
  limpide::ledger::VerifyReport report = limpide::ledger::VerifyDumpFile(path.string());
  const double verify_s = Seconds(t);
  if (!report.ok()) {
    std::fprintf(stderr, "verify failed: %s\n", report.problem.c_str());
    std::exit(1);
  }
  std::printf(
      "VerifyDump, %llu entries: %.2f s (%.0f MB/s, %.0f entries/s); reading the file line by "
      "line: %.2f s (%.0f MB/s)  [target: < 10 s]\n",
      static_cast<unsigned long long>(entries), verify_s, mb / verify_s, entries / verify_s, read_s,
      mb / read_s);
  fs::remove(path);
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t leaves = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000000;
  const uint64_t entries = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  const fs::path dir = argc > 3 ? fs::path(argv[3]) : fs::temp_directory_path();
  Proofs(leaves);
  Dump(entries, dir);
  return 0;
}
