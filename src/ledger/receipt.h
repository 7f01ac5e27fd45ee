// Acknowledgements of receipt of deposits, signed by the platform, and the receipts tree that
// anchors a consultation's receipts in the ledger at the deadline (docs/receipt.md). Pure.
//
// The arrêté du 22 mars 2019 (profils d'acheteurs) requires the receipt to name the depositor,
// the buyer, the consultation's title and object, and the date and time of receipt. Limpide adds
// each document's size and SHA-256 and the hash of each sealed chunk, and signs the whole with
// the ledger's Ed25519 key (published at /api/v1/ledger/key), so that a company can prove its
// deposit offline.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/crypto.h"
#include "ledger/entry.h"
#include "ledger/proof_json.h"
#include "ledger/verify.h"

namespace limpide::ledger {

// One deposited document.
struct ReceiptDocument {
  std::string name;                        // file name as deposited (UTF-8, not empty)
  uint64_t size = 0;                       // bytes of plaintext, at most 2^53 - 1
  crypto::Hash sha256{};                   // SHA-256 of the sealed file (crypto::EncodeSealedFile)
  std::vector<crypto::Hash> chunk_sha256;  // SHA-256 of each sealed chunk, in order:
                                           // crypto::SealedChunkCount(size) of them

  bool operator==(const ReceiptDocument&) const = default;
};

// The acknowledgement of receipt of one deposit. Times are UTC, "2026-11-29T03:03:27.123Z".
struct Receipt {
  std::string id;  // the receipt's own id (not empty)
  std::string consultation_id;
  std::string consultation_title;
  std::string consultation_object;
  std::string buyer_id;        // SIRET of the buyer
  std::string buyer_name;      // the buyer's name
  std::string depositor_id;    // SIRET of the company: 14 digits
  std::string depositor_name;  // the company's name
  std::string upload_started;  // when the first chunk arrived (server clock)
  std::string received;        // when the deposit was complete (server clock), >= upload_started
  bool late = false;           // received after the deadline and outside the grace period
  bool grace = false;  // upload started before the deadline, complete within the grace period
  bool sealed_by_server = false;  // the company sent plaintext; the server sealed it on receipt
  std::vector<ReceiptDocument> documents;  // at least one

  bool operator==(const Receipt&) const = default;
};

// The value of "format" in every receipt: names this version of the format.
inline constexpr std::string_view kReceiptFormat = "limpide-receipt/1";

// ok when `r` can be written: every string above not empty, depositor_id 14 digits, both times
// real and of the form above with upload_started <= received, not both late and grace, at least
// one document, each size <= 2^53 - 1 with SealedChunkCount(size) chunk hashes. invalid_argument
// naming the field ("/documents/0/chunk_sha256") otherwise. UTF-8 is checked by EncodeReceipt.
Status CheckReceipt(const Receipt& r);

// The JSON object form (docs/receipt.md), with "format". Does not check `r`.
nlohmann::json ReceiptToJson(const Receipt& r);

// The inverse of ReceiptToJson: exactly the documented members with their types, "format" equal
// to kReceiptFormat, hashes in hex, then CheckReceipt. invalid_argument naming the member.
Result<Receipt> ReceiptFromJson(const nlohmann::json& j);

// The canonical JSON bytes of ReceiptToJson(r) (CanonicalJson of entry.h): what is signed and
// hashed. The errors of CheckReceipt, and invalid_argument for a string that is not UTF-8.
Result<std::string> EncodeReceipt(const Receipt& r);

// LeafHash(EncodeReceipt(r)): the receipt's leaf in its consultation's receipts tree.
Result<crypto::Hash> ReceiptLeafHash(const Receipt& r);

// The signed receipt served to the company, in canonical JSON:
// {"key_id":hex,"receipt":{…},"signature":base64} where the signature is Ed25519 over
// EncodeReceipt(r) and key_id is crypto::KeyId of the key's public key. Errors of EncodeReceipt.
Result<std::string> SignedReceiptJson(const Receipt& r, const crypto::SigningKey& key);

// The receipt held by a signed receipt `json` whose signature is valid for `public_key`.
// invalid_argument naming what fails: not JSON, a member missing or unknown, a key_id that is
// not the key's, a signature that is not base64 of 64 bytes or does not match, a receipt that
// ReceiptFromJson refuses. Any JSON formatting is accepted: the receipt is re-encoded.
Result<Receipt> VerifySignedReceipt(std::string_view json, std::span<const uint8_t, 32> public_key);

// ---- The receipts tree of a consultation ----
//
// At the deadline, the leaf hashes of every receipt issued for a consultation, sorted in
// ascending byte order, are the leaves of a Merkle tree (RFC 9162, as the ledger's); its root is
// written to the ledger in an entry of kind kDepositsSealedKind.

inline constexpr std::string_view kDepositsSealedKind = "tender.deposits_sealed";

// The leaves of the receipts tree: `leaf_hashes` sorted ascending (duplicates kept).
std::vector<crypto::Hash> ReceiptsTreeLeaves(std::vector<crypto::Hash> leaf_hashes);

// The root of the receipts tree of `leaf_hashes` (in any order); EmptyRoot() when none.
crypto::Hash ReceiptsRoot(std::vector<crypto::Hash> leaf_hashes);

// The inclusion proof of `leaf` in the receipts tree of `leaf_hashes` (in any order), without
// "entry". not_found when `leaf` is not among them.
Result<InclusionProofDoc> ReceiptsInclusionProof(std::vector<crypto::Hash> leaf_hashes,
                                                 const crypto::Hash& leaf);

// The body of the ledger entry that anchors a receipts tree:
// {"receipts":n,"receipts_root":hex,"tender":id}. Its subject is the tender's id too.
struct DepositsSealed {
  std::string tender;
  crypto::Hash receipts_root{};
  uint64_t receipts = 0;  // the number of leaves of the tree
};
nlohmann::json DepositsSealedBody(const DepositsSealed& d);
// The inverse, from an entry: kind kDepositsSealedKind, a body with exactly those three
// members, subject equal to "tender". invalid_argument naming what differs.
Result<DepositsSealed> DepositsSealedFromEntry(const Entry& e);

// Everything a company needs, beside a signed tree head, to show that its receipt is anchored
// in the ledger: {"ledger":{…},"receipts_tree":{…}}, two inclusion proofs in the form of
// proof_json.h. "receipts_tree" proves the receipt's leaf in its consultation's receipts tree
// (no "entry"); "ledger" proves the kDepositsSealedKind entry in the ledger ("entry" required).
struct ReceiptProofDoc {
  InclusionProofDoc receipts_tree;
  InclusionProofDoc ledger;
};
nlohmann::json ReceiptProofToJson(const ReceiptProofDoc& doc);
// invalid_argument naming the member ("receipts_tree: no \"leaf_hash\"").
Result<ReceiptProofDoc> ReceiptProofFromJson(const nlohmann::json& j);

// `limpide verify receipt`: checks the signed receipt `receipt_json` (its text) against the
// published key `key` (PublicKeyJson form). With `proof` (ReceiptProofDoc) and `head` (a signed
// tree head), both or neither, also: the receipt's leaf hash is the proof's, the ledger entry
// anchors the receipts tree of the receipt's consultation with the proof's size, the receipt is
// in that tree, and VerifyInclusionDoc(proof.ledger, head, key). Stops at the first failure.
VerifyReport VerifyReceiptDoc(std::string_view receipt_json, const nlohmann::json& key,
                              const nlohmann::json* proof = nullptr,
                              const nlohmann::json* head = nullptr);

}  // namespace limpide::ledger
