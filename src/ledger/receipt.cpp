#include "ledger/receipt.h"

#include <algorithm>
#include <optional>

#include "ledger/merkle.h"
#include "ledger/tree_head.h"

namespace limpide::ledger {
namespace {

using nlohmann::json;
using Outcome = VerifyReport::Outcome;

constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

std::string Short(const Hash& h) { return crypto::ToHex(h).substr(0, 8) + "…"; }

Status Invalid(const std::string& pointer, const std::string& what) {
  return Status::InvalidArgument(pointer + ": " + what, pointer);
}

// ---- Strict reading of JSON members; `at` is the JSON pointer of the object ----

Status ExactMembers(const json& j, const std::string& at,
                    std::initializer_list<const char*> names) {
  if (!j.is_object()) {
    return Invalid(at.empty() ? "/" : at, std::string("must be an object, not ") + j.type_name());
  }
  for (const char* name : names) {
    if (!j.contains(name)) return Invalid(at + "/" + name, "missing");
  }
  if (j.size() != names.size()) {
    for (const auto& item : j.items()) {
      const std::string& key = item.key();
      if (std::find_if(names.begin(), names.end(), [&](const char* n) { return key == n; }) ==
          names.end()) {
        return Invalid(at + "/" + key, "unknown member");
      }
    }
  }
  return Status::Ok();
}

Result<std::string> StringAt(const json& j, const std::string& at, const char* name) {
  const json& v = j[name];
  if (!v.is_string()) return Invalid(at + "/" + name, "must be a string");
  return v.get<std::string>();
}

Result<bool> BoolAt(const json& j, const std::string& at, const char* name) {
  const json& v = j[name];
  if (!v.is_boolean()) return Invalid(at + "/" + name, "must be true or false");
  return v.get<bool>();
}

Result<uint64_t> CountAt(const json& j, const std::string& at, const char* name) {
  const json& v = j[name];
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0) ||
      v.get<uint64_t>() > kMaxSafeInteger) {
    return Invalid(at + "/" + name, "must be an integer between 0 and 2^53 - 1");
  }
  return v.get<uint64_t>();
}

Result<Hash> HashOf(const json& v, const std::string& pointer) {
  if (!v.is_string()) return Invalid(pointer, "must be a hash in hex");
  auto h = crypto::HashFromHex(v.get_ref<const std::string&>());
  if (!h.ok()) return Invalid(pointer, h.status().message());
  return h;
}

// The object at `j[name]` with exactly {"id","name"}, into `id` and `display`.
Status Party(const json& j, const char* name, std::string* id, std::string* display) {
  const std::string at = std::string("/") + name;
  LIMPIDE_RETURN_IF_ERROR(ExactMembers(j[name], at, {"id", "name"}));
  auto i = StringAt(j[name], at, "id");
  if (!i.ok()) return i.status();
  auto n = StringAt(j[name], at, "name");
  if (!n.ok()) return n.status();
  *id = std::move(*i);
  *display = std::move(*n);
  return Status::Ok();
}

Result<ReceiptDocument> DocumentFromJson(const json& j, const std::string& at) {
  LIMPIDE_RETURN_IF_ERROR(ExactMembers(j, at, {"chunk_sha256", "name", "sha256", "size"}));
  ReceiptDocument d;
  auto name = StringAt(j, at, "name");
  if (!name.ok()) return name.status();
  d.name = std::move(*name);
  auto size = CountAt(j, at, "size");
  if (!size.ok()) return size.status();
  d.size = *size;
  auto sha = HashOf(j["sha256"], at + "/sha256");
  if (!sha.ok()) return sha.status();
  d.sha256 = *sha;
  const json& chunks = j["chunk_sha256"];
  if (!chunks.is_array()) return Invalid(at + "/chunk_sha256", "must be an array of hashes");
  // Checked before reading: a forged count must not make us allocate.
  if (chunks.size() != crypto::SealedChunkCount(d.size)) {
    return Invalid(at + "/chunk_sha256",
                   "has " + std::to_string(chunks.size()) + " hashes; a document of " +
                       std::to_string(d.size) + " bytes is sealed in " +
                       std::to_string(crypto::SealedChunkCount(d.size)) + " chunks");
  }
  d.chunk_sha256.reserve(chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    auto h = HashOf(chunks[i], at + "/chunk_sha256/" + std::to_string(i));
    if (!h.ok()) return h.status();
    d.chunk_sha256.push_back(*h);
  }
  return d;
}

bool IsSiret(std::string_view s) {
  return s.size() == 14 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

json HexList(const std::vector<Hash>& hashes) {
  json a = json::array();
  for (const Hash& h : hashes) a.push_back(crypto::ToHex(h));
  return a;
}

// Builds a report; Fail and Unusable end it (later calls change nothing).
class Reporter {
 public:
  void Ok(std::string what) {
    if (!failed()) report_.checked.push_back(std::move(what));
  }
  void Fail(std::string what) { End(Outcome::kFailed, std::move(what)); }
  void Unusable(std::string what) { End(Outcome::kUnusable, std::move(what)); }
  bool failed() const { return !report_.ok(); }
  // Appends the checks of `other` and ends with its outcome.
  void Merge(VerifyReport other) {
    for (std::string& c : other.checked) Ok(std::move(c));
    if (!other.ok()) End(other.outcome, std::move(other.problem));
  }
  VerifyReport Take() { return std::move(report_); }

 private:
  void End(Outcome outcome, std::string what) {
    if (failed()) return;
    report_.outcome = outcome;
    report_.problem = std::move(what);
  }
  VerifyReport report_;
};

}  // namespace

Status CheckReceipt(const Receipt& r) {
  const std::pair<const std::string*, const char*> required[] = {
      {&r.id, "/id"},
      {&r.consultation_id, "/consultation/id"},
      {&r.consultation_title, "/consultation/title"},
      {&r.consultation_object, "/consultation/object"},
      {&r.buyer_id, "/buyer/id"},
      {&r.buyer_name, "/buyer/name"},
      {&r.depositor_name, "/depositor/name"},
  };
  for (const auto& [value, pointer] : required) {
    if (value->empty()) return Invalid(pointer, "is empty");
  }
  if (!IsSiret(r.depositor_id)) {
    return Invalid("/depositor/id",
                   "must be a SIRET (14 digits), got \"" + r.depositor_id.substr(0, 40) + "\"");
  }
  for (const auto& [time, pointer] :
       {std::pair{&r.upload_started, "/upload_started"}, {&r.received, "/received"}}) {
    Status s = CheckEntryTime(*time);
    if (!s.ok()) return Invalid(pointer, s.message());
  }
  // The fixed-width form sorts as time does.
  if (r.received < r.upload_started) {
    return Invalid("/received", "is before upload_started (" + r.upload_started + ")");
  }
  if (r.late && r.grace) {
    return Invalid("/grace", "a deposit accepted in the grace period is not late");
  }
  if (r.documents.empty()) return Invalid("/documents", "a deposit holds at least one document");
  for (size_t i = 0; i < r.documents.size(); ++i) {
    const ReceiptDocument& d = r.documents[i];
    const std::string at = "/documents/" + std::to_string(i);
    if (d.name.empty()) return Invalid(at + "/name", "is empty");
    if (d.size > kMaxSafeInteger) return Invalid(at + "/size", "is above 2^53 - 1");
    if (d.chunk_sha256.size() != crypto::SealedChunkCount(d.size)) {
      return Invalid(at + "/chunk_sha256",
                     "has " + std::to_string(d.chunk_sha256.size()) + " hashes; a document of " +
                         std::to_string(d.size) + " bytes is sealed in " +
                         std::to_string(crypto::SealedChunkCount(d.size)) + " chunks");
    }
  }
  return Status::Ok();
}

json ReceiptToJson(const Receipt& r) {
  json documents = json::array();
  for (const ReceiptDocument& d : r.documents) {
    documents.push_back({{"chunk_sha256", HexList(d.chunk_sha256)},
                         {"name", d.name},
                         {"sha256", crypto::ToHex(d.sha256)},
                         {"size", d.size}});
  }
  return {{"buyer", {{"id", r.buyer_id}, {"name", r.buyer_name}}},
          {"consultation",
           {{"id", r.consultation_id},
            {"object", r.consultation_object},
            {"title", r.consultation_title}}},
          {"depositor", {{"id", r.depositor_id}, {"name", r.depositor_name}}},
          {"documents", std::move(documents)},
          {"format", kReceiptFormat},
          {"grace", r.grace},
          {"id", r.id},
          {"late", r.late},
          {"received", r.received},
          {"sealed_by_server", r.sealed_by_server},
          {"upload_started", r.upload_started}};
}

Result<Receipt> ReceiptFromJson(const json& j) {
  LIMPIDE_RETURN_IF_ERROR(
      ExactMembers(j, "",
                   {"buyer", "consultation", "depositor", "documents", "format", "grace", "id",
                    "late", "received", "sealed_by_server", "upload_started"}));
  auto format = StringAt(j, "", "format");
  if (!format.ok()) return format.status();
  if (*format != kReceiptFormat) {
    return Invalid("/format", "is \"" + format->substr(0, 40) + "\", not \"" +
                                  std::string(kReceiptFormat) + "\"");
  }
  Receipt r;
  for (auto [name, out] :
       {std::pair{"id", &r.id}, {"upload_started", &r.upload_started}, {"received", &r.received}}) {
    auto s = StringAt(j, "", name);
    if (!s.ok()) return s.status();
    *out = std::move(*s);
  }
  for (auto [name, out] : {std::pair{"late", &r.late},
                           {"grace", &r.grace},
                           {"sealed_by_server", &r.sealed_by_server}}) {
    auto b = BoolAt(j, "", name);
    if (!b.ok()) return b.status();
    *out = *b;
  }
  LIMPIDE_RETURN_IF_ERROR(
      ExactMembers(j["consultation"], "/consultation", {"id", "object", "title"}));
  for (auto [name, out] : {std::pair{"id", &r.consultation_id},
                           {"object", &r.consultation_object},
                           {"title", &r.consultation_title}}) {
    auto s = StringAt(j["consultation"], "/consultation", name);
    if (!s.ok()) return s.status();
    *out = std::move(*s);
  }
  LIMPIDE_RETURN_IF_ERROR(Party(j, "buyer", &r.buyer_id, &r.buyer_name));
  LIMPIDE_RETURN_IF_ERROR(Party(j, "depositor", &r.depositor_id, &r.depositor_name));
  const json& documents = j["documents"];
  if (!documents.is_array()) return Invalid("/documents", "must be an array");
  for (size_t i = 0; i < documents.size(); ++i) {
    auto d = DocumentFromJson(documents[i], "/documents/" + std::to_string(i));
    if (!d.ok()) return d.status();
    r.documents.push_back(std::move(*d));
  }
  LIMPIDE_RETURN_IF_ERROR(CheckReceipt(r));
  return r;
}

Result<std::string> EncodeReceipt(const Receipt& r) {
  LIMPIDE_RETURN_IF_ERROR(CheckReceipt(r));
  return CanonicalJson(ReceiptToJson(r));
}

Result<Hash> ReceiptLeafHash(const Receipt& r) {
  auto bytes = EncodeReceipt(r);
  if (!bytes.ok()) return bytes.status();
  return LeafHash(*bytes);
}

Result<std::string> SignedReceiptJson(const Receipt& r, const crypto::SigningKey& key) {
  auto bytes = EncodeReceipt(r);
  if (!bytes.ok()) return bytes.status();
  // The receipt's bytes are canonical already: spliced in, not encoded a second time.
  return "{\"key_id\":\"" + crypto::ToHex(crypto::KeyId(key.public_key)) +
         "\",\"receipt\":" + *bytes + ",\"signature\":\"" +
         crypto::Base64Encode(crypto::Sign(key, *bytes)) + "\"}";
}

Result<Receipt> VerifySignedReceipt(std::string_view text,
                                    std::span<const uint8_t, 32> public_key) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    std::string what = e.what();
    if (auto close = what.find("] ");
        !what.empty() && what[0] == '[' && close != std::string::npos) {
      what.erase(0, close + 2);
    }
    return Status::InvalidArgument("the signed receipt is not JSON: " + what);
  }
  LIMPIDE_RETURN_IF_ERROR(ExactMembers(j, "", {"key_id", "receipt", "signature"}));
  auto key_id = HashOf(j["key_id"], "/key_id");
  if (!key_id.ok()) return key_id.status();
  const Hash expected_id = crypto::KeyId(public_key);
  if (*key_id != expected_id) {
    return Invalid("/key_id", "the receipt names key " + Short(*key_id) + ", not the given key " +
                                  Short(expected_id));
  }
  const json& sig = j["signature"];
  auto signature = sig.is_string() ? crypto::Base64Decode(sig.get_ref<const std::string&>())
                                   : Result<std::string>(Status::InvalidArgument("not a string"));
  if (!signature.ok() || signature->size() != 64) {
    return Invalid("/signature", "must be the base64 of a 64-byte Ed25519 signature");
  }
  if (!j["receipt"].is_object()) return Invalid("/receipt", "must be an object");
  auto bytes = CanonicalJson(j["receipt"]);
  if (!bytes.ok()) return Invalid("/receipt", bytes.status().message());
  if (!crypto::VerifySignature(public_key, *bytes, *signature)) {
    return Invalid("/signature",
                   "does not match the receipt (the receipt was changed, or another key signed)");
  }
  auto receipt = ReceiptFromJson(j["receipt"]);
  if (!receipt.ok()) {
    return Status::InvalidArgument("/receipt" + receipt.status().message(),
                                   "/receipt" + receipt.status().field());
  }
  return receipt;
}

std::vector<Hash> ReceiptsTreeLeaves(std::vector<Hash> leaf_hashes) {
  std::sort(leaf_hashes.begin(), leaf_hashes.end());
  return leaf_hashes;
}

Hash ReceiptsRoot(std::vector<Hash> leaf_hashes) {
  return RootOf(ReceiptsTreeLeaves(std::move(leaf_hashes)));
}

Result<InclusionProofDoc> ReceiptsInclusionProof(std::vector<Hash> leaf_hashes, const Hash& leaf) {
  const std::vector<Hash> leaves = ReceiptsTreeLeaves(std::move(leaf_hashes));
  const auto it = std::lower_bound(leaves.begin(), leaves.end(), leaf);
  if (it == leaves.end() || *it != leaf) {
    return Status::NotFound("receipt leaf " + crypto::ToHex(leaf) + " is not in the receipts tree");
  }
  InclusionProofDoc doc;
  doc.leaf_index = static_cast<uint64_t>(it - leaves.begin());
  doc.tree_size = leaves.size();
  doc.leaf_hash = leaf;
  doc.audit_path = InclusionProofOf(leaves, doc.leaf_index);
  return doc;
}

json DepositsSealedBody(const DepositsSealed& d) {
  return {{"receipts", d.receipts},
          {"receipts_root", crypto::ToHex(d.receipts_root)},
          {"tender", d.tender}};
}

Result<DepositsSealed> DepositsSealedFromEntry(const Entry& e) {
  if (e.kind != kDepositsSealedKind) {
    return Status::InvalidArgument(
        "the entry is of kind \"" + e.kind + "\", not \"" + std::string(kDepositsSealedKind) + "\"",
        "kind");
  }
  LIMPIDE_RETURN_IF_ERROR(ExactMembers(e.body, "/body", {"receipts", "receipts_root", "tender"}));
  DepositsSealed d;
  auto count = CountAt(e.body, "/body", "receipts");
  if (!count.ok()) return count.status();
  d.receipts = *count;
  auto root = HashOf(e.body["receipts_root"], "/body/receipts_root");
  if (!root.ok()) return root.status();
  d.receipts_root = *root;
  auto tender = StringAt(e.body, "/body", "tender");
  if (!tender.ok()) return tender.status();
  d.tender = std::move(*tender);
  if (d.tender != e.subject) {
    return Invalid("/body/tender",
                   "is \"" + d.tender + "\" but the entry's subject is \"" + e.subject + "\"");
  }
  return d;
}

json ReceiptProofToJson(const ReceiptProofDoc& doc) {
  return {{"ledger", InclusionProofToJson(doc.ledger)},
          {"receipts_tree", InclusionProofToJson(doc.receipts_tree)}};
}

Result<ReceiptProofDoc> ReceiptProofFromJson(const json& j) {
  LIMPIDE_RETURN_IF_ERROR(ExactMembers(j, "", {"ledger", "receipts_tree"}));
  ReceiptProofDoc doc;
  for (auto [name, out] :
       {std::pair{"receipts_tree", &doc.receipts_tree}, {"ledger", &doc.ledger}}) {
    auto proof = InclusionProofFromJson(j[name]);
    if (!proof.ok()) {
      return Status::InvalidArgument(std::string(name) + ": " + proof.status().message(),
                                     std::string("/") + name);
    }
    *out = std::move(*proof);
  }
  if (doc.receipts_tree.entry) {
    return Invalid("/receipts_tree/entry", "a receipts tree proof carries no entry");
  }
  if (!doc.ledger.entry) {
    return Invalid("/ledger/entry", "missing: the ledger proof carries its entry");
  }
  return doc;
}

VerifyReport VerifyReceiptDoc(std::string_view receipt_json, const json& key_json,
                              const json* proof_json, const json* head_json) {
  Reporter r;
  if ((proof_json == nullptr) != (head_json == nullptr)) {
    r.Unusable("a receipt proof is checked against a signed tree head (give both or neither)");
    return r.Take();
  }
  auto key = PublicKeyFromJson(key_json);
  if (!key.ok()) {
    r.Unusable("the public key file is not a ledger key: " + key.status().message());
    return r.Take();
  }
  auto receipt = VerifySignedReceipt(receipt_json, *key);
  if (!receipt.ok()) {
    r.Fail("receipt: " + receipt.status().message());
    return r.Take();
  }
  const Receipt& rc = *receipt;
  r.Ok("signature of receipt " + rc.id + " (key " + Short(crypto::KeyId(*key)) +
       "): " + rc.depositor_name + " (" + rc.depositor_id + ") to " + rc.buyer_name +
       ", consultation " + rc.consultation_id + ", received " + rc.received + ", " +
       std::to_string(rc.documents.size()) + " document(s)" + (rc.late ? ", LATE" : "") +
       (rc.grace ? ", in the grace period" : ""));
  if (proof_json == nullptr) return r.Take();

  auto proof = ReceiptProofFromJson(*proof_json);
  if (!proof.ok()) {
    r.Fail("receipt proof: " + proof.status().message());
    return r.Take();
  }
  const Hash leaf = *ReceiptLeafHash(rc);  // rc passed CheckReceipt and was re-encoded
  if (leaf != proof->receipts_tree.leaf_hash) {
    r.Fail("the receipt hashes to " + crypto::ToHex(leaf) + ", not to the proof's leaf_hash " +
           crypto::ToHex(proof->receipts_tree.leaf_hash));
    return r.Take();
  }
  auto entry = EntryFromJson(*proof->ledger.entry);
  if (!entry.ok()) {
    r.Fail("the ledger proof's entry: " + entry.status().message());
    return r.Take();
  }
  auto sealed = DepositsSealedFromEntry(*entry);
  if (!sealed.ok()) {
    r.Fail("the ledger proof's entry: " + sealed.status().message());
    return r.Take();
  }
  if (sealed->tender != rc.consultation_id) {
    r.Fail("the ledger entry seals the deposits of tender " + sealed->tender +
           ", the receipt is for consultation " + rc.consultation_id);
    return r.Take();
  }
  if (sealed->receipts != proof->receipts_tree.tree_size) {
    r.Fail("the ledger entry counts " + std::to_string(sealed->receipts) +
           " receipts, the receipts tree proof is for a tree of " +
           std::to_string(proof->receipts_tree.tree_size));
    return r.Take();
  }
  Status in_tree =
      VerifyInclusion(leaf, proof->receipts_tree.leaf_index, proof->receipts_tree.tree_size,
                      proof->receipts_tree.audit_path, sealed->receipts_root);
  if (!in_tree.ok()) {
    r.Fail("inclusion of the receipt in the receipts tree of " + sealed->tender + " (root " +
           crypto::ToHex(sealed->receipts_root) + "): " + in_tree.message());
    return r.Take();
  }
  r.Ok("the receipt (leaf " + Short(leaf) + ") is leaf " +
       std::to_string(proof->receipts_tree.leaf_index) + " of the " +
       std::to_string(sealed->receipts) + " in the receipts tree of " + sealed->tender + ", root " +
       crypto::ToHex(sealed->receipts_root) + ", sealed in ledger entry " +
       std::to_string(entry->seq) + " (" + entry->time + ")");
  r.Merge(VerifyInclusionDoc(InclusionProofToJson(proof->ledger), *head_json, key_json));
  return r.Take();
}

}  // namespace limpide::ledger
