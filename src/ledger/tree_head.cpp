#include "ledger/tree_head.h"

#include <cstring>

namespace limpide::ledger {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

// A non-negative integer field within [0, 2^53 - 1].
Result<uint64_t> Count(const json& j, const char* field) {
  if (!j.contains(field))
    return Status::InvalidArgument(std::string("no \"") + field + "\"", field);
  const json& v = j[field];
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0) ||
      v.get<uint64_t>() > kMaxSafeInteger) {
    return Status::InvalidArgument(
        std::string("\"") + field + "\" must be an integer between 0 and 2^53 - 1", field);
  }
  return v.get<uint64_t>();
}

Result<std::string> StringField(const json& j, const char* field) {
  if (!j.contains(field))
    return Status::InvalidArgument(std::string("no \"") + field + "\"", field);
  if (!j[field].is_string()) {
    return Status::InvalidArgument(std::string("\"") + field + "\" must be a string", field);
  }
  return j[field].get<std::string>();
}

Result<Hash> HashField(const json& j, const char* field) {
  auto text = StringField(j, field);
  if (!text.ok()) return text.status();
  auto hash = crypto::HashFromHex(*text);
  if (!hash.ok()) {
    return Status::InvalidArgument(std::string("\"") + field + "\": " + hash.status().message(),
                                   field);
  }
  return hash;
}

Result<std::string> Base64Field(const json& j, const char* field, size_t size) {
  auto text = StringField(j, field);
  if (!text.ok()) return text.status();
  auto bytes = crypto::Base64Decode(*text);
  if (!bytes.ok()) {
    return Status::InvalidArgument(std::string("\"") + field + "\": " + bytes.status().message(),
                                   field);
  }
  if (bytes->size() != size) {
    return Status::InvalidArgument(std::string("\"") + field + "\" must hold " +
                                       std::to_string(size) + " bytes, not " +
                                       std::to_string(bytes->size()),
                                   field);
  }
  return bytes;
}

Status MustBeObject(const json& j, const char* what) {
  if (j.is_object()) return Status::Ok();
  return Status::InvalidArgument(std::string(what) + " must be a JSON object, not " +
                                 j.type_name());
}

}  // namespace

std::string TreeHeadSigningInput(const TreeHead& head) {
  return "{\"root_hash\":\"" + crypto::ToHex(head.root) +
         "\",\"timestamp\":" + std::to_string(head.timestamp_ms) +
         ",\"tree_size\":" + std::to_string(head.size) + "}";
}

TreeHead SignTreeHead(uint64_t size, const Hash& root, int64_t timestamp_ms,
                      const crypto::SigningKey& key) {
  TreeHead head{size, root, timestamp_ms, {}};
  head.signature = crypto::Sign(key, TreeHeadSigningInput(head));
  return head;
}

json TreeHeadJson(const TreeHead& head, const Hash& key_id) {
  return json{{"tree_size", head.size},
              {"timestamp", head.timestamp_ms},
              {"root_hash", crypto::ToHex(head.root)},
              {"signature", crypto::Base64Encode(head.signature)},
              {"key_id", crypto::ToHex(key_id)}};
}

Result<TreeHead> TreeHeadFromJson(const json& j) {
  LIMPIDE_RETURN_IF_ERROR(MustBeObject(j, "a tree head"));
  TreeHead head;
  auto size = Count(j, "tree_size");
  if (!size.ok()) return size.status();
  head.size = *size;
  auto timestamp = Count(j, "timestamp");
  if (!timestamp.ok()) return timestamp.status();
  head.timestamp_ms = static_cast<int64_t>(*timestamp);
  auto root = HashField(j, "root_hash");
  if (!root.ok()) return root.status();
  head.root = *root;
  auto signature = Base64Field(j, "signature", 64);
  if (!signature.ok()) return signature.status();
  head.signature = std::move(signature).value();
  return head;
}

Result<Hash> TreeHeadKeyId(const json& j) {
  LIMPIDE_RETURN_IF_ERROR(MustBeObject(j, "a tree head"));
  return HashField(j, "key_id");
}

Status VerifyTreeHead(const TreeHead& head, std::span<const uint8_t, 32> public_key) {
  if (head.signature.size() != 64) {
    return Status::InvalidArgument("the signature is " + std::to_string(head.signature.size()) +
                                   " bytes long, not 64");
  }
  if (!crypto::VerifySignature(public_key, TreeHeadSigningInput(head), head.signature)) {
    return Status::InvalidArgument("the signature does not match the tree head and the key");
  }
  return Status::Ok();
}

json PublicKeyJson(std::span<const uint8_t, 32> public_key) {
  return json{{"algorithm", "Ed25519"},
              {"public_key", crypto::Base64Encode(std::string_view(
                                 reinterpret_cast<const char*>(public_key.data()), 32))},
              {"key_id", crypto::ToHex(crypto::KeyId(public_key))}};
}

Result<std::array<uint8_t, 32>> PublicKeyFromJson(const json& j) {
  LIMPIDE_RETURN_IF_ERROR(MustBeObject(j, "a public key"));
  auto algorithm = StringField(j, "algorithm");
  if (!algorithm.ok()) return algorithm.status();
  if (*algorithm != "Ed25519") {
    return Status::InvalidArgument("unsupported algorithm \"" + *algorithm + "\" (only Ed25519)",
                                   "algorithm");
  }
  auto bytes = Base64Field(j, "public_key", 32);
  if (!bytes.ok()) return bytes.status();
  std::array<uint8_t, 32> key;
  std::memcpy(key.data(), bytes->data(), key.size());
  if (j.contains("key_id")) {
    auto id = HashField(j, "key_id");
    if (!id.ok()) return id.status();
    if (*id != crypto::KeyId(key)) {
      return Status::InvalidArgument("\"key_id\" is not the SHA-256 of \"public_key\"", "key_id");
    }
  }
  return key;
}

}  // namespace limpide::ledger
