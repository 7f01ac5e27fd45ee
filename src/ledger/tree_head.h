// Signed tree heads and the published public key (docs/ledger.md, "Tree heads").
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "base/result.h"
#include "crypto/crypto.h"

namespace limpide::ledger {

using crypto::Hash;

// The log's commitment to its first `size` entries at `timestamp_ms` (Unix milliseconds).
struct TreeHead {
  uint64_t size = 0;
  Hash root{};
  int64_t timestamp_ms = 0;
  std::string signature;  // 64 raw bytes (Ed25519)
};

// What is signed: canonical JSON {"root_hash":"<hex>","timestamp":<ms>,"tree_size":<n>}.
std::string TreeHeadSigningInput(const TreeHead& head);

TreeHead SignTreeHead(uint64_t size, const Hash& root, int64_t timestamp_ms,
                      const crypto::SigningKey& key);

// JSON form served by GET /api/v1/ledger/head:
// {"tree_size":n,"timestamp":ms,"root_hash":hex,"signature":base64,"key_id":hex}.
nlohmann::json TreeHeadJson(const TreeHead& head, const Hash& key_id);

// The inverse of TreeHeadJson; "key_id" is not read (see TreeHeadKeyId). invalid_argument
// naming the field: missing, of the wrong type, out of range (tree_size and timestamp are
// integers in [0, 2^53 - 1]), bad hex, bad base64, a signature that is not 64 bytes.
Result<TreeHead> TreeHeadFromJson(const nlohmann::json& j);

// The "key_id" of a tree head's JSON form. invalid_argument when absent or not a hash.
Result<Hash> TreeHeadKeyId(const nlohmann::json& j);

// ok when `head.signature` is the Ed25519 signature of TreeHeadSigningInput(head) by
// `public_key`; invalid_argument otherwise.
Status VerifyTreeHead(const TreeHead& head, std::span<const uint8_t, 32> public_key);

// JSON of GET /api/v1/ledger/key: {"algorithm":"Ed25519","public_key":base64,"key_id":hex}.
nlohmann::json PublicKeyJson(std::span<const uint8_t, 32> public_key);

// The inverse of PublicKeyJson: algorithm must be "Ed25519", public_key base64 of 32 bytes;
// key_id, when present, must be the SHA-256 of the key. invalid_argument naming the field.
Result<std::array<uint8_t, 32>> PublicKeyFromJson(const nlohmann::json& j);

}  // namespace limpide::ledger
