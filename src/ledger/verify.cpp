#include "ledger/verify.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/proof_json.h"
#include "ledger/tree_head.h"

namespace limpide::ledger {
namespace {

using nlohmann::json;
using Outcome = VerifyReport::Outcome;

std::string Hex(const Hash& h) { return crypto::ToHex(h); }
std::string Short(const Hash& h) { return crypto::ToHex(h).substr(0, 8) + "…"; }

// The message of a nlohmann exception without its "[json.exception.parse_error.101] " tag.
std::string JsonErrorText(const std::exception& e) {
  std::string_view what = e.what();
  if (!what.empty() && what.front() == '[') {
    auto close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

// Builds a report; Fail and Unusable end it (later calls change nothing).
class Reporter {
 public:
  void Ok(std::string what) { report_.checked.push_back(std::move(what)); }
  void Fail(std::string what) { End(Outcome::kFailed, std::move(what)); }
  void Unusable(std::string what) { End(Outcome::kUnusable, std::move(what)); }
  bool failed() const { return !report_.ok(); }
  VerifyReport Take() { return std::move(report_); }

 private:
  void End(Outcome outcome, std::string what) {
    if (failed()) return;
    report_.outcome = outcome;
    report_.problem = std::move(what);
  }
  VerifyReport report_;
};

std::optional<std::array<uint8_t, 32>> CheckKey(Reporter& r, const json& key) {
  auto parsed = PublicKeyFromJson(key);
  if (!parsed.ok()) {
    r.Unusable("the public key file is not a ledger key: " + parsed.status().message());
    return std::nullopt;
  }
  return *parsed;
}

// Parses a tree head and checks who signed it; `label` names it in messages ("tree head").
std::optional<TreeHead> CheckHead(Reporter& r, const json& j, const std::array<uint8_t, 32>& key,
                                  const std::string& label) {
  auto head = TreeHeadFromJson(j);
  if (!head.ok()) {
    r.Fail(label + ": " + head.status().message());
    return std::nullopt;
  }
  const std::string name = label + " " + std::to_string(head->size);
  const Hash key_id = crypto::KeyId(key);
  if (j.contains("key_id")) {
    auto stated = TreeHeadKeyId(j);
    if (!stated.ok()) {
      r.Fail(name + ": " + stated.status().message());
      return std::nullopt;
    }
    if (*stated != key_id) {
      r.Fail(name + " names key " + Short(*stated) + ", not the given key " + Short(key_id));
      return std::nullopt;
    }
  }
  Status s = VerifyTreeHead(*head, key);
  if (!s.ok()) {
    r.Fail("signature of " + name + ": " + s.message());
    return std::nullopt;
  }
  r.Ok("signature of " + name + " (key " + Short(key_id) + ")");
  return *head;
}

struct JsonFile {
  std::optional<json> value;
  std::string error;  // when !value
  bool readable = true;
};

JsonFile ReadJsonFile(const std::string& path) {
  JsonFile out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.readable = false;
    out.error = "cannot read " + path + ": " + std::strerror(errno);
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    out.readable = false;
    out.error = "cannot read " + path + ": " + std::strerror(errno);
    return out;
  }
  try {
    out.value = json::parse(text.str());
  } catch (const json::exception& e) {
    out.error = path + ": not JSON: " + JsonErrorText(e);
  }
  return out;
}

// Reads a file the caller cannot do without: unreadable → unusable, not JSON → `bad_content`.
std::optional<json> Load(Reporter& r, const std::string& path, Outcome bad_content) {
  JsonFile f = ReadJsonFile(path);
  if (f.value) return std::move(f.value);
  if (!f.readable || bad_content == Outcome::kUnusable) {
    r.Unusable(f.error);
  } else {
    r.Fail(f.error);
  }
  return std::nullopt;
}

// The fast path for a dump line as the server writes it (itself canonical JSON): true when the
// line is {"entry":E,"leaf_hash":"H","tree_root":"R"} byte for byte, E a canonical entry with
// seq `k` and H its leaf hash; then `leaf` and `stated_root` are set. False leaves the verdict
// and the reason to the slow path.
bool QuickLine(std::string_view line, uint64_t k, Hash* leaf, Hash* stated_root) {
  static constexpr std::string_view kHead = "{\"entry\":";
  static constexpr std::string_view kLeaf = ",\"leaf_hash\":\"";
  static constexpr std::string_view kRoot = "\",\"tree_root\":\"";
  static constexpr size_t kTail = kLeaf.size() + 64 + kRoot.size() + 64 + 2;
  if (line.size() <= kHead.size() + kTail || !line.starts_with(kHead)) return false;
  const std::string_view tail = line.substr(line.size() - kTail);
  if (!tail.starts_with(kLeaf) || tail.substr(kLeaf.size() + 64, kRoot.size()) != kRoot ||
      !tail.ends_with("\"}")) {
    return false;
  }
  const std::string_view entry = line.substr(kHead.size(), line.size() - kHead.size() - kTail);
  uint64_t seq;
  if (!QuickCheckEncodedEntry(entry, &seq) || seq != k) return false;
  auto stated_leaf = crypto::HashFromHex(tail.substr(kLeaf.size(), 64));
  auto root = crypto::HashFromHex(tail.substr(kLeaf.size() + 64 + kRoot.size(), 64));
  if (!stated_leaf.ok() || !root.ok()) return false;
  *leaf = LeafHash(entry);
  if (*leaf != *stated_leaf) return false;
  *stated_root = *root;
  return true;
}

}  // namespace

int VerifyReport::ExitCode() const {
  switch (outcome) {
    case Outcome::kOk:
      return 0;
    case Outcome::kFailed:
      return 1;
    case Outcome::kUnusable:
      return 2;
  }
  return 2;
}

std::vector<std::string> VerifyReport::Lines() const {
  std::vector<std::string> lines;
  for (const std::string& c : checked) lines.push_back("ok  " + c);
  if (outcome == Outcome::kFailed) lines.push_back("FAIL " + problem);
  if (outcome == Outcome::kUnusable) lines.push_back("error " + problem);
  return lines;
}

VerifyReport VerifyDump(std::istream& dump, const json* head_json, const json* key_json) {
  Reporter r;
  if ((head_json == nullptr) != (key_json == nullptr)) {
    r.Unusable("a tree head needs the public key that signed it (give both or neither)");
    return r.Take();
  }
  std::optional<TreeHead> head;
  if (head_json) {
    auto key = CheckKey(r, *key_json);
    if (!key) return r.Take();
    head = CheckHead(r, *head_json, *key, "tree head");
    if (!head) return r.Take();
  }

  Frontier tree;
  std::optional<Hash> root_at_head;
  if (head && head->size == 0) root_at_head = EmptyRoot();
  std::string line;
  uint64_t k = 0;
  while (std::getline(dump, line)) {
    const bool has_newline = !dump.eof();
    auto where = [&] {
      return "entry " + std::to_string(k) + " (line " + std::to_string(k + 1) + "): ";
    };
    if (line.empty() || line == "\r") {
      r.Fail(where() + "empty line");
      return r.Take();
    }
    Hash leaf, stated_root;
    if (!QuickLine(line, k, &leaf, &stated_root)) {
      // The slow path: any JSON form, and the reason when something is wrong.
      json j;
      try {
        j = json::parse(line);
      } catch (const json::exception& e) {
        r.Fail(where() + "not JSON: " + JsonErrorText(e));
        return r.Take();
      }
      if (!j.is_object()) {
        r.Fail(where() + "not a JSON object");
        return r.Take();
      }
      for (const char* field : {"entry", "leaf_hash", "tree_root"}) {
        if (!j.contains(field)) {
          r.Fail(where() + "no \"" + field + "\"");
          return r.Take();
        }
      }
      if (j.size() != 3) {
        r.Fail(where() + "unknown fields beside \"entry\", \"leaf_hash\" and \"tree_root\"");
        return r.Take();
      }
      auto entry = EntryFromJson(std::move(j["entry"]));
      if (!entry.ok()) {
        r.Fail(where() + entry.status().message());
        return r.Take();
      }
      if (entry->seq != k) {
        r.Fail(where() + "seq " + std::to_string(entry->seq) + ", expected " + std::to_string(k) +
               " (an entry is missing, repeated or out of order)");
        return r.Take();
      }
      auto encoded = EncodeEntry(*entry);
      if (!encoded.ok()) {
        r.Fail(where() + encoded.status().message());
        return r.Take();
      }
      leaf = LeafHash(*encoded);
      Hash stated_leaf;
      for (auto [field, out] :
           {std::pair{"leaf_hash", &stated_leaf}, {"tree_root", &stated_root}}) {
        auto h = j[field].is_string() ? crypto::HashFromHex(j[field].get_ref<const std::string&>())
                                      : Result<Hash>(Status::InvalidArgument("not a string"));
        if (!h.ok()) {
          r.Fail(where() + "\"" + field + "\" is not a hash in hex");
          return r.Take();
        }
        *out = *h;
      }
      if (stated_leaf != leaf) {
        r.Fail(where() + "leaf_hash differs: the line states " + Hex(stated_leaf) +
               ", the entry hashes to " + Hex(leaf));
        return r.Take();
      }
    }
    tree.Append(leaf);
    const Hash root = tree.Root();
    if (stated_root != root) {
      r.Fail(where() + "tree_root differs: the line states " + Hex(stated_root) +
             ", the tree of entries 0.." + std::to_string(k) + " has root " + Hex(root));
      return r.Take();
    }
    if (!has_newline) {
      r.Fail(where() + "no newline at the end of the last line: the dump looks truncated");
      return r.Take();
    }
    ++k;
    if (head && k == head->size) root_at_head = root;
  }
  if (dump.bad()) {
    r.Unusable("cannot read the dump after " + std::to_string(k) + " entries");
    return r.Take();
  }
  r.Ok(std::to_string(k) + " entries (seq, canonical form, leaf_hash, tree_root), root " +
       Hex(tree.Root()));
  if (head) {
    if (k < head->size) {
      r.Fail("the dump ends after " + std::to_string(k) + " entries; the tree head covers " +
             std::to_string(head->size));
      return r.Take();
    }
    if (*root_at_head != head->root) {
      r.Fail("the root after " + std::to_string(head->size) + " entries is " + Hex(*root_at_head) +
             ", the tree head's root_hash is " + Hex(head->root));
      return r.Take();
    }
    r.Ok("the root after " + std::to_string(head->size) +
         " entries equals the signed tree head's root_hash");
  }
  return r.Take();
}

VerifyReport VerifyInclusionDoc(const json& proof_json, const json& head_json,
                                const json& key_json) {
  Reporter r;
  auto key = CheckKey(r, key_json);
  if (!key) return r.Take();
  auto head = CheckHead(r, head_json, *key, "tree head");
  if (!head) return r.Take();
  auto proof = InclusionProofFromJson(proof_json);
  if (!proof.ok()) {
    r.Fail("inclusion proof: " + proof.status().message());
    return r.Take();
  }
  if (proof->tree_size != head->size) {
    r.Fail("the inclusion proof is for a tree of size " + std::to_string(proof->tree_size) +
           "; the tree head covers " + std::to_string(head->size));
    return r.Take();
  }
  const std::string leaf = "leaf " + std::to_string(proof->leaf_index);
  if (proof->entry) {
    auto entry = EntryFromJson(*proof->entry);
    if (!entry.ok()) {
      r.Fail("the proof's entry: " + entry.status().message());
      return r.Take();
    }
    auto encoded = EncodeEntry(*entry);
    if (!encoded.ok()) {
      r.Fail("the proof's entry: " + encoded.status().message());
      return r.Take();
    }
    const Hash h = LeafHash(*encoded);
    if (h != proof->leaf_hash) {
      r.Fail("the proof's entry hashes to " + Hex(h) + ", not to its leaf_hash " +
             Hex(proof->leaf_hash));
      return r.Take();
    }
    if (entry->seq != proof->leaf_index) {
      r.Fail("the proof's entry has seq " + std::to_string(entry->seq) + ", not its leaf_index " +
             std::to_string(proof->leaf_index));
      return r.Take();
    }
    r.Ok("entry " + std::to_string(entry->seq) + " (" + entry->kind + " " + entry->subject +
         ") hashes to leaf_hash " + Short(h));
  }
  Status s = VerifyInclusion(proof->leaf_hash, proof->leaf_index, proof->tree_size,
                             proof->audit_path, head->root);
  if (!s.ok()) {
    r.Fail("inclusion of " + leaf + " in tree head " + std::to_string(head->size) + ": " +
           s.message());
    return r.Take();
  }
  r.Ok(leaf + " (" + Short(proof->leaf_hash) + ") is in the tree of tree head " +
       std::to_string(head->size) + ", root " + Hex(head->root));
  return r.Take();
}

VerifyReport VerifyConsistencyDoc(const json& first_json, const json& second_json,
                                  const json& proof_json, const json& key_json) {
  Reporter r;
  auto key = CheckKey(r, key_json);
  if (!key) return r.Take();
  auto first = CheckHead(r, first_json, *key, "first tree head");
  if (!first) return r.Take();
  auto second = CheckHead(r, second_json, *key, "second tree head");
  if (!second) return r.Take();
  auto proof = ConsistencyProofFromJson(proof_json);
  if (!proof.ok()) {
    r.Fail("consistency proof: " + proof.status().message());
    return r.Take();
  }
  if (first->size > second->size) {
    r.Fail("the first tree head covers " + std::to_string(first->size) +
           " entries, more than the second (" + std::to_string(second->size) +
           "): give the older head first");
    return r.Take();
  }
  if (proof->first != first->size || proof->second != second->size) {
    r.Fail("the consistency proof is between sizes " + std::to_string(proof->first) + " and " +
           std::to_string(proof->second) + "; the tree heads cover " + std::to_string(first->size) +
           " and " + std::to_string(second->size));
    return r.Take();
  }
  Status s = VerifyConsistency(first->size, second->size, proof->consistency_path, first->root,
                               second->root);
  if (!s.ok()) {
    r.Fail("consistency of tree heads " + std::to_string(first->size) + " and " +
           std::to_string(second->size) + ": " + s.message());
    return r.Take();
  }
  r.Ok("the tree of " + std::to_string(first->size) + " entries (root " + Short(first->root) +
       ") is a prefix of the tree of " + std::to_string(second->size) + " entries (root " +
       Short(second->root) + ")");
  return r.Take();
}

VerifyReport VerifyDumpFile(const std::string& dump_path, const std::string& head_path,
                            const std::string& key_path) {
  Reporter r;
  if (head_path.empty() != key_path.empty()) {
    r.Unusable("a tree head needs the public key that signed it (give both or neither)");
    return r.Take();
  }
  std::optional<json> head, key;
  if (!head_path.empty()) {
    key = Load(r, key_path, Outcome::kUnusable);
    if (!key) return r.Take();
    head = Load(r, head_path, Outcome::kFailed);
    if (!head) return r.Take();
  }
  std::ifstream in(dump_path, std::ios::binary);
  if (!in) {
    r.Unusable("cannot read " + dump_path + ": " + std::strerror(errno));
    return r.Take();
  }
  return VerifyDump(in, head ? &*head : nullptr, key ? &*key : nullptr);
}

VerifyReport VerifyInclusionFiles(const std::string& proof_path, const std::string& head_path,
                                  const std::string& key_path) {
  Reporter r;
  auto key = Load(r, key_path, Outcome::kUnusable);
  if (!key) return r.Take();
  auto head = Load(r, head_path, Outcome::kFailed);
  if (!head) return r.Take();
  auto proof = Load(r, proof_path, Outcome::kFailed);
  if (!proof) return r.Take();
  return VerifyInclusionDoc(*proof, *head, *key);
}

VerifyReport VerifyConsistencyFiles(const std::string& first_head_path,
                                    const std::string& second_head_path,
                                    const std::string& proof_path, const std::string& key_path) {
  Reporter r;
  auto key = Load(r, key_path, Outcome::kUnusable);
  if (!key) return r.Take();
  auto first = Load(r, first_head_path, Outcome::kFailed);
  if (!first) return r.Take();
  auto second = Load(r, second_head_path, Outcome::kFailed);
  if (!second) return r.Take();
  auto proof = Load(r, proof_path, Outcome::kFailed);
  if (!proof) return r.Take();
  return VerifyConsistencyDoc(*first, *second, *proof, *key);
}

}  // namespace limpide::ledger
