// Offline verification: a real 64-entry ledger built here, then corrupted in every way a dump,
// a proof or a tree head can be, through the library and through `limpide verify`.
#include "ledger/verify.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/proof_json.h"
#include "ledger/tree_head.h"

namespace limpide::ledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kSize = 64;

// A ledger of kSize entries, its stored nodes, and its key.
class TestLedger {
 public:
  TestLedger() {
    std::array<uint8_t, 32> seed;
    seed.fill(42);
    key_ = crypto::SigningKeyFromSeed(seed);
    Frontier tree;
    for (uint64_t i = 0; i < kSize; ++i) {
      Entry e = MakeEntry(i, "Marché n°" + std::to_string(i));
      const std::string encoded = *EncodeEntry(e);
      const Hash leaf = LeafHash(encoded);
      nodes_[{0, i}] = leaf;
      std::vector<std::pair<NodeId, Hash>> completed;
      tree.Append(leaf, &completed);
      for (const auto& [id, h] : completed) nodes_[{id.level, id.index}] = h;
      entries_.push_back(e);
      leaves_.push_back(leaf);
      roots_.push_back(tree.Root());
      lines_.push_back(DumpLine(encoded, leaf, tree.Root()));
    }
  }

  static Entry MakeEntry(uint64_t seq, const std::string& title) {
    Entry e;
    e.seq = seq;
    char time[32];
    std::snprintf(time, sizeof time, "2026-11-29T03:%02d:%02d.%03dZ", static_cast<int>(seq / 60),
                  static_cast<int>(seq % 60), static_cast<int>(seq * 7 % 1000));
    e.time = time;
    e.kind = seq % 3 == 0 ? "contract.created" : "contract.updated";
    e.subject = "21690123100011-2026-" + std::to_string(100 + seq / 3);
    e.body = json{{"objet", title},
                  {"montant_cents", 1000 * seq + 99},
                  {"cpv", "77310000-6"},
                  {"titulaires", json::array({{{"id", "44306184100047"}}})},
                  {"note", "ligne 1\nligne 2"}};
    return e;
  }

  std::string Dump(size_t lines = kSize) const {
    std::string out;
    for (size_t i = 0; i < lines; ++i) out += lines_[i] + "\n";
    return out;
  }
  std::vector<std::string>& lines() { return lines_; }
  const std::vector<Entry>& entries() const { return entries_; }
  const std::vector<Hash>& leaves() const { return leaves_; }
  const crypto::SigningKey& key() const { return key_; }
  Hash Root(uint64_t size) const { return size == 0 ? EmptyRoot() : roots_[size - 1]; }

  json KeyJson() const { return PublicKeyJson(key_.public_key); }
  json HeadJson(uint64_t size, int64_t timestamp_ms = 1764385407123) const {
    return TreeHeadJson(SignTreeHead(size, Root(size), timestamp_ms, key_),
                        crypto::KeyId(key_.public_key));
  }
  NodeReader Reader() const {
    return [this](const std::vector<NodeId>& ids) -> Result<std::vector<Hash>> {
      std::vector<Hash> out;
      for (const NodeId& id : ids) out.push_back(nodes_.at({id.level, id.index}));
      return out;
    };
  }
  json InclusionJson(uint64_t index, uint64_t size, bool with_entry) const {
    InclusionProofDoc doc;
    doc.leaf_index = index;
    doc.tree_size = size;
    doc.leaf_hash = leaves_[index];
    doc.audit_path = *InclusionProof(index, size, Reader());
    if (with_entry) doc.entry = EntryToJson(entries_[index]);
    return InclusionProofToJson(doc);
  }
  json ConsistencyJson(uint64_t first, uint64_t second) const {
    return ConsistencyProofToJson({first, second, *ConsistencyProof(first, second, Reader())});
  }

 private:
  crypto::SigningKey key_;
  std::vector<Entry> entries_;
  std::vector<Hash> leaves_;
  std::vector<Hash> roots_;  // roots_[k]: root of entries 0..k
  std::vector<std::string> lines_;
  std::map<std::pair<int, uint64_t>, Hash> nodes_;
};

VerifyReport Check(const std::string& dump, const json* head = nullptr, const json* key = nullptr) {
  std::istringstream in(dump);
  return VerifyDump(in, head, key);
}

std::string Joined(const VerifyReport& r) {
  std::string out;
  for (const std::string& line : r.Lines()) out += line + "\n";
  return out;
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

class Verify : public ::testing::Test {
 protected:
  TestLedger ledger_;
};

TEST_F(Verify, AGoodDumpPasses) {
  VerifyReport r = Check(ledger_.Dump());
  EXPECT_TRUE(r.ok()) << Joined(r);
  EXPECT_EQ(r.ExitCode(), 0);
  ASSERT_EQ(r.checked.size(), 1u);
  EXPECT_EQ(r.checked[0], "64 entries (seq, canonical form, leaf_hash, tree_root), root " +
                              crypto::ToHex(ledger_.Root(kSize)));
  EXPECT_EQ(r.Lines()[0], "ok  " + r.checked[0]);
}

TEST_F(Verify, AGoodDumpPassesAgainstItsSignedHead) {
  const json head = ledger_.HeadJson(kSize), key = ledger_.KeyJson();
  VerifyReport r = Check(ledger_.Dump(), &head, &key);
  ASSERT_TRUE(r.ok()) << Joined(r);
  ASSERT_EQ(r.checked.size(), 3u);
  EXPECT_EQ(r.checked[0], "signature of tree head 64 (key " +
                              crypto::ToHex(crypto::KeyId(ledger_.key().public_key)).substr(0, 8) +
                              "…)");
  EXPECT_EQ(r.checked[2], "the root after 64 entries equals the signed tree head's root_hash");
  // A dump longer than the head is fine: the head covers its first entries.
  const json head40 = ledger_.HeadJson(40);
  EXPECT_TRUE(Check(ledger_.Dump(), &head40, &key).ok());
}

TEST_F(Verify, AnEmptyDumpIsTheEmptyTree) {
  VerifyReport r = Check("");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.checked[0], "0 entries (seq, canonical form, leaf_hash, tree_root), root " +
                              crypto::ToHex(EmptyRoot()));
  const json head = ledger_.HeadJson(0), key = ledger_.KeyJson();
  EXPECT_TRUE(Check("", &head, &key).ok());
}

TEST_F(Verify, EveryFlippedByteOfALineIsCaughtAndNamed) {
  const std::string line = ledger_.lines()[17];
  for (size_t at = 0; at < line.size(); ++at) {
    ledger_.lines()[17] = line;
    ledger_.lines()[17][at] ^= 0x01;
    VerifyReport r = Check(ledger_.Dump());
    ASSERT_FALSE(r.ok()) << "byte " << at << " of " << ledger_.lines()[17];
    EXPECT_EQ(r.ExitCode(), 1);
    EXPECT_TRUE(StartsWith(r.problem, "entry 17 (line 18): ")) << r.problem;
    EXPECT_EQ(r.checked.size(), 0u);
  }
}

TEST_F(Verify, AChangedValueIsALeafHashMismatch) {
  std::string& line = ledger_.lines()[17];
  line.replace(line.find("99,"), 2, "98");
  VerifyReport r = Check(ledger_.Dump());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.problem, "entry 17 (line 18): leaf_hash differs: the line states " +
                                        crypto::ToHex(ledger_.leaves()[17]) +
                                        ", the entry hashes to "))
      << r.problem;
  EXPECT_EQ(Joined(r).substr(0, 5), "FAIL ");
}

TEST_F(Verify, ATruncatedDumpFailsAgainstItsHead) {
  const json head = ledger_.HeadJson(kSize), key = ledger_.KeyJson();
  // At a line boundary: the 40 lines are consistent, only the head shows what is missing.
  EXPECT_TRUE(Check(ledger_.Dump(40)).ok());
  VerifyReport r = Check(ledger_.Dump(40), &head, &key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problem, "the dump ends after 40 entries; the tree head covers 64");
  EXPECT_EQ(r.checked.size(), 2u);  // the signature and the 40 entries held

  // In the middle of a line.
  const std::string full = ledger_.Dump();
  const std::string cut = full.substr(0, ledger_.Dump(40).size() + 100);
  r = Check(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.problem, "entry 40 (line 41): not JSON: ")) << r.problem;
  // Just before the last newline.
  r = Check(full.substr(0, full.size() - 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problem,
            "entry 63 (line 64): no newline at the end of the last line: the dump looks truncated");
}

TEST_F(Verify, ReorderedLinesAreCaught) {
  std::swap(ledger_.lines()[10], ledger_.lines()[11]);
  VerifyReport r = Check(ledger_.Dump());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problem,
            "entry 10 (line 11): seq 11, expected 10 (an entry is missing, repeated or out of "
            "order)");
}

TEST_F(Verify, AReplacedEntryIsCaught) {
  // A line repeated in place of the next one.
  TestLedger copy = ledger_;
  copy.lines()[30] = copy.lines()[29];
  VerifyReport r = Check(copy.Dump());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.problem, "entry 30 (line 31): seq 29, expected 30")) << r.problem;

  // Another entry with the same seq, with the old hashes.
  const Entry forged = TestLedger::MakeEntry(30, "Marché truqué");
  const std::string encoded = *EncodeEntry(forged);
  copy = ledger_;
  const json old = json::parse(copy.lines()[30]);
  copy.lines()[30] = "{\"entry\":" + encoded + ",\"leaf_hash\":\"" +
                     old["leaf_hash"].get<std::string>() + "\",\"tree_root\":\"" +
                     old["tree_root"].get<std::string>() + "\"}";
  r = Check(copy.Dump());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.problem, "entry 30 (line 31): leaf_hash differs")) << r.problem;

  // A forger who recomputes every hash from there on: self-consistent, but not the signed tree.
  copy = ledger_;
  Frontier tree;
  for (uint64_t i = 0; i < kSize; ++i) {
    const std::string enc = i == 30 ? encoded : *EncodeEntry(ledger_.entries()[i]);
    tree.Append(LeafHash(enc));
    copy.lines()[i] = DumpLine(enc, LeafHash(enc), tree.Root());
  }
  EXPECT_TRUE(Check(copy.Dump()).ok());
  const json head = ledger_.HeadJson(kSize), key = ledger_.KeyJson();
  r = Check(copy.Dump(), &head, &key);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.problem, "the root after 64 entries is ")) << r.problem;
  // The forged entry's tree_root differs from the signed root at every size from 31 on: a head
  // of size 31 names it.
  const json head31 = ledger_.HeadJson(31);
  r = Check(copy.Dump(), &head31, &key);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.problem, "the root after 31 entries is ")) << r.problem;
}

TEST_F(Verify, MalformedLinesAreNamed) {
  struct Case {
    std::string line;
    std::string problem;
  } cases[] = {
      {"", "entry 5 (line 6): empty line"},
      {"[]", "entry 5 (line 6): not a JSON object"},
      {"{\"entry\":{}}", "entry 5 (line 6): no \"leaf_hash\""},
      {R"({"entry":{},"leaf_hash":"","tree_root":"","extra":1})",
       "entry 5 (line 6): unknown fields beside"},
      {R"({"entry":{},"leaf_hash":"","tree_root":""})", "entry 5 (line 6): the entry has no"},
  };
  for (const Case& c : cases) {
    TestLedger copy = ledger_;
    copy.lines()[5] = c.line;
    VerifyReport r = Check(copy.Dump());
    ASSERT_FALSE(r.ok()) << c.line;
    EXPECT_TRUE(StartsWith(r.problem, c.problem)) << r.problem;
  }
  TestLedger copy = ledger_;
  json j = json::parse(copy.lines()[5]);
  j["leaf_hash"] = "xyz";
  copy.lines()[5] = j.dump();
  EXPECT_EQ(Check(copy.Dump()).problem, "entry 5 (line 6): \"leaf_hash\" is not a hash in hex");
  // The entry object may be written in any JSON form: it is re-encoded canonically.
  copy = ledger_;
  j = json::parse(copy.lines()[5]);
  copy.lines()[5] = j.dump(2);
  EXPECT_FALSE(Check(copy.Dump()).ok());    // (but one line per entry)
  copy.lines()[5] = j.dump(-1, ' ', true);  // \u escapes for non-ASCII
  EXPECT_TRUE(Check(copy.Dump()).ok()) << Check(copy.Dump()).problem;
}

TEST_F(Verify, TheHeadMustBeSignedByTheGivenKey) {
  const json key = ledger_.KeyJson();
  json head = ledger_.HeadJson(kSize);
  head["timestamp"] = head["timestamp"].get<int64_t>() + 1;
  VerifyReport r = Check(ledger_.Dump(), &head, &key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problem,
            "signature of tree head 64: the signature does not match the tree head and the key");
  EXPECT_TRUE(r.checked.empty());

  std::array<uint8_t, 32> seed;
  seed.fill(7);
  const json other_key = PublicKeyJson(crypto::SigningKeyFromSeed(seed).public_key);
  const json good_head = ledger_.HeadJson(kSize);
  r = Check(ledger_.Dump(), &good_head, &other_key);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.problem, "tree head 64 names key ")) << r.problem;

  json broken = good_head;
  broken["root_hash"] = "00";
  r = Check(ledger_.Dump(), &broken, &key);
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_TRUE(StartsWith(r.problem, "tree head: \"root_hash\"")) << r.problem;

  const json not_a_key = json{{"algorithm", "Ed25519"}, {"public_key", "AAAA"}};
  r = Check(ledger_.Dump(), &good_head, &not_a_key);
  EXPECT_EQ(r.ExitCode(), 2);
  EXPECT_EQ(Joined(r).substr(0, 6), "error ");
  r = Check(ledger_.Dump(), &good_head, nullptr);
  EXPECT_EQ(r.ExitCode(), 2);
}

TEST_F(Verify, InclusionProofsVerifyAgainstTheHead) {
  const json key = ledger_.KeyJson();
  for (uint64_t size : {1, 2, 3, 17, 63, 64}) {
    const json head = ledger_.HeadJson(size);
    for (uint64_t index = 0; index < size; index += 5) {
      VerifyReport r = VerifyInclusionDoc(ledger_.InclusionJson(index, size, true), head, key);
      ASSERT_TRUE(r.ok()) << Joined(r);
      EXPECT_EQ(r.checked.size(), 3u);
      EXPECT_TRUE(VerifyInclusionDoc(ledger_.InclusionJson(index, size, false), head, key).ok());
    }
  }
  const json head = ledger_.HeadJson(kSize);
  json proof = ledger_.InclusionJson(17, kSize, true);
  json bad = proof;
  bad["entry"]["subject"] = "someone else";
  EXPECT_TRUE(
      StartsWith(VerifyInclusionDoc(bad, head, key).problem, "the proof's entry hashes to "));
  bad = proof;
  bad["entry"]["seq"] = 18;
  EXPECT_TRUE(
      StartsWith(VerifyInclusionDoc(bad, head, key).problem, "the proof's entry hashes to "));
  bad = proof;
  bad["leaf_index"] = 18;
  bad.erase("entry");
  EXPECT_TRUE(StartsWith(VerifyInclusionDoc(bad, head, key).problem,
                         "inclusion of leaf 18 in tree head 64: "));
  bad = proof;
  std::string h = bad["audit_path"][2];
  h[0] = h[0] == '0' ? '1' : '0';
  bad["audit_path"][2] = h;
  VerifyReport r = VerifyInclusionDoc(bad, head, key);
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_TRUE(StartsWith(r.problem,
                         "inclusion of leaf 17 in tree head 64: the audit path leads "
                         "to root "))
      << r.problem;
  r = VerifyInclusionDoc(ledger_.InclusionJson(17, 40, true), head, key);
  EXPECT_EQ(r.problem, "the inclusion proof is for a tree of size 40; the tree head covers 64");
  r = VerifyInclusionDoc(json::array(), head, key);
  EXPECT_EQ(r.problem, "inclusion proof: an inclusion proof must be a JSON object, not array");
}

TEST_F(Verify, ConsistencyProofsVerifyAgainstBothHeads) {
  const json key = ledger_.KeyJson();
  for (uint64_t first : {0, 1, 7, 8, 40, 64}) {
    VerifyReport r = VerifyConsistencyDoc(ledger_.HeadJson(first), ledger_.HeadJson(kSize),
                                          ledger_.ConsistencyJson(first, kSize), key);
    ASSERT_TRUE(r.ok()) << Joined(r);
    EXPECT_EQ(r.checked.size(), 3u);
  }
  const json h40 = ledger_.HeadJson(40), h64 = ledger_.HeadJson(kSize);
  const json proof = ledger_.ConsistencyJson(40, kSize);
  VerifyReport r = VerifyConsistencyDoc(h64, h40, proof, key);
  EXPECT_EQ(r.problem,
            "the first tree head covers 64 entries, more than the second (40): give the older "
            "head first");
  r = VerifyConsistencyDoc(h40, h64, ledger_.ConsistencyJson(41, kSize), key);
  EXPECT_EQ(r.problem,
            "the consistency proof is between sizes 41 and 64; the tree heads cover 40 and 64");
  json bad = proof;
  bad["consistency_path"][0] = crypto::ToHex(crypto::Sha256("x"));
  r = VerifyConsistencyDoc(h40, h64, bad, key);
  EXPECT_TRUE(StartsWith(r.problem, "consistency of tree heads 40 and 64: ")) << r.problem;
  // A head of another tree (a fork) with a valid signature: not consistent.
  TreeHead fork = SignTreeHead(40, crypto::Sha256("fork"), 1, ledger_.key());
  r = VerifyConsistencyDoc(TreeHeadJson(fork, crypto::KeyId(ledger_.key().public_key)), h64, proof,
                           key);
  EXPECT_TRUE(StartsWith(r.problem, "consistency of tree heads 40 and 64: ")) << r.problem;
  EXPECT_EQ(r.checked.size(), 2u);  // both signatures held
}

TEST(ProofJson, RoundTripsAndRejectsBrokenInput) {
  InclusionProofDoc doc{
      3, 10, crypto::Sha256("leaf"), {crypto::Sha256("a"), crypto::Sha256("b")}, std::nullopt};
  auto back = InclusionProofFromJson(json::parse(InclusionProofToJson(doc).dump()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->leaf_index, 3u);
  EXPECT_EQ(back->tree_size, 10u);
  EXPECT_EQ(back->audit_path, doc.audit_path);
  EXPECT_FALSE(back->entry.has_value());

  const json good = InclusionProofToJson(doc);
  struct Case {
    const char* field;
    json value;
  } cases[] = {
      {"leaf_index", nullptr},
      {"leaf_index", -1},
      {"leaf_index", 1.5},
      {"tree_size", "10"},
      {"tree_size", uint64_t{1} << 60},
      {"leaf_hash", "12"},
      {"audit_path", "abc"},
      {"audit_path", json::array({1})},
      {"audit_path", json::array({"zz"})},
      {"entry", json::array()},
      {"audit_path", json(std::vector<std::string>(129, crypto::ToHex(crypto::Sha256(""))))},
  };
  for (const Case& c : cases) {
    json j = good;
    if (c.value.is_null()) {
      j.erase(c.field);
    } else {
      j[c.field] = c.value;
    }
    auto r = InclusionProofFromJson(j);
    ASSERT_FALSE(r.ok()) << j.dump();
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(StartsWith(r.status().field(), c.field)) << r.status().ToString();
  }
  EXPECT_FALSE(InclusionProofFromJson(json("x")).ok());

  ConsistencyProofDoc c{4, 9, {crypto::Sha256("c")}};
  auto cback = ConsistencyProofFromJson(json::parse(ConsistencyProofToJson(c).dump()));
  ASSERT_TRUE(cback.ok());
  EXPECT_EQ(cback->first, 4u);
  EXPECT_EQ(cback->second, 9u);
  EXPECT_EQ(cback->consistency_path, c.consistency_path);
  json j = ConsistencyProofToJson(c);
  j["first"] = -4;
  EXPECT_EQ(ConsistencyProofFromJson(j).status().field(), "first");
  j = ConsistencyProofToJson(c);
  j.erase("consistency_path");
  EXPECT_EQ(ConsistencyProofFromJson(j).status().field(), "consistency_path");
  EXPECT_FALSE(ConsistencyProofFromJson(json(nullptr)).ok());
}

// ---- Files and the real binary ----

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "limpide-verify-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& content) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  fs::path path_;
};

struct CommandRun {
  int exit_code;
  std::string output;
};

CommandRun Limpide(const std::string& args) {
  const std::string command = std::string(LIMPIDE_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST_F(Verify, FilesThatCannotBeReadAreUnusable) {
  TempDir dir;
  EXPECT_EQ(VerifyDumpFile("/nonexistent/dump.jsonl").ExitCode(), 2);
  const std::string dump = dir.Write("dump.jsonl", ledger_.Dump());
  const std::string key = dir.Write("key.json", ledger_.KeyJson().dump());
  const std::string head = dir.Write("head.json", ledger_.HeadJson(kSize).dump());
  EXPECT_TRUE(VerifyDumpFile(dump, head, key).ok());
  EXPECT_EQ(VerifyDumpFile(dump, head, "/nonexistent/key.json").ExitCode(), 2);
  EXPECT_EQ(VerifyDumpFile(dump, head, "").ExitCode(), 2);
  const std::string garbage = dir.Write("garbage.json", "{not json");
  VerifyReport r = VerifyDumpFile(dump, garbage, key);
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_TRUE(StartsWith(r.problem, garbage + ": not JSON: ")) << r.problem;
  EXPECT_EQ(VerifyDumpFile(dump, head, garbage).ExitCode(), 2);

  const std::string proof = dir.Write("proof.json", ledger_.InclusionJson(9, kSize, true).dump());
  EXPECT_TRUE(VerifyInclusionFiles(proof, head, key).ok());
  EXPECT_EQ(VerifyInclusionFiles(garbage, head, key).ExitCode(), 1);
  const std::string head40 = dir.Write("head40.json", ledger_.HeadJson(40).dump());
  const std::string cproof = dir.Write("cproof.json", ledger_.ConsistencyJson(40, kSize).dump());
  EXPECT_TRUE(VerifyConsistencyFiles(head40, head, cproof, key).ok());
  EXPECT_EQ(VerifyConsistencyFiles(head40, head, "/nonexistent", key).ExitCode(), 2);
}

TEST_F(Verify, TheCommandPrintsItsChecksAndExitsWithTheOutcome) {
  TempDir dir;
  const std::string dump = dir.Write("dump.jsonl", ledger_.Dump());
  const std::string key = dir.Write("key.json", ledger_.KeyJson().dump());
  const std::string head = dir.Write("head.json", ledger_.HeadJson(kSize).dump());
  const std::string head40 = dir.Write("head40.json", ledger_.HeadJson(40).dump());

  CommandRun ok = Limpide("verify dump " + dump + " --head " + head + " --key " + key);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("ok  signature of tree head 64 (key "), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("ok  64 entries"), std::string::npos) << ok.output;
  EXPECT_EQ(ok.output.find("FAIL"), std::string::npos) << ok.output;
  EXPECT_EQ(Limpide("verify dump " + dump).exit_code, 0);

  TestLedger copy = ledger_;
  std::string& line = copy.lines()[17];
  line.replace(line.find("99,"), 2, "98");
  const std::string bad = dir.Write("bad.jsonl", copy.Dump());
  CommandRun fail = Limpide("verify dump " + bad);
  EXPECT_EQ(fail.exit_code, 1) << fail.output;
  EXPECT_NE(fail.output.find("FAIL entry 17 (line 18): leaf_hash differs"), std::string::npos)
      << fail.output;

  const std::string truncated = dir.Write("truncated.jsonl", ledger_.Dump(40));
  fail = Limpide("verify dump " + truncated + " --head " + head + " --key " + key);
  EXPECT_EQ(fail.exit_code, 1);
  EXPECT_NE(fail.output.find("FAIL the dump ends after 40 entries; the tree head covers 64"),
            std::string::npos)
      << fail.output;

  const std::string proof = dir.Write("proof.json", ledger_.InclusionJson(9, kSize, true).dump());
  CommandRun inclusion = Limpide("verify inclusion " + proof + " --head " + head + " --key " + key);
  EXPECT_EQ(inclusion.exit_code, 0) << inclusion.output;
  EXPECT_NE(inclusion.output.find("ok  leaf 9 "), std::string::npos) << inclusion.output;
  const std::string cproof = dir.Write("cproof.json", ledger_.ConsistencyJson(40, kSize).dump());
  CommandRun consistency =
      Limpide("verify consistency " + head40 + " " + head + " " + cproof + " --key " + key);
  EXPECT_EQ(consistency.exit_code, 0) << consistency.output;
  EXPECT_NE(consistency.output.find("is a prefix of the tree of 64 entries"), std::string::npos);
  EXPECT_EQ(Limpide("verify consistency " + head + " " + head40 + " " + cproof + " --key " + key)
                .exit_code,
            1);

  // Usage errors and unreadable files: 2.
  EXPECT_EQ(Limpide("verify dump /nonexistent/dump.jsonl").exit_code, 2);
  EXPECT_EQ(Limpide("verify dump " + dump + " --head " + head).exit_code, 2);
  EXPECT_EQ(Limpide("verify inclusion " + proof + " --head " + head).exit_code, 2);
  EXPECT_EQ(Limpide("verify consistency " + head40 + " " + head + " --key " + key).exit_code, 2);
  EXPECT_EQ(Limpide("verify").exit_code, 2);
  EXPECT_EQ(Limpide("verify dump").exit_code, 2);
  EXPECT_EQ(Limpide("verify dump " + dump + " --bogus").exit_code, 2);
}

}  // namespace
}  // namespace limpide::ledger
