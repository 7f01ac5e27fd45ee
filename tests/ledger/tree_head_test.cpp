#include "ledger/tree_head.h"

#include <gtest/gtest.h>

#include "ledger/entry.h"
#include "ledger/merkle.h"

namespace limpide::ledger {
namespace {

using nlohmann::json;

crypto::SigningKey TestKey(uint8_t fill) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  return crypto::SigningKeyFromSeed(seed);
}

TreeHead Head64(const crypto::SigningKey& key) {
  return SignTreeHead(64, crypto::Sha256("root"), 1764385407123, key);
}

TEST(TreeHead, SigningInputIsItsCanonicalJson) {
  const TreeHead head = Head64(TestKey(1));
  const std::string input = TreeHeadSigningInput(head);
  EXPECT_EQ(input, "{\"root_hash\":\"" + crypto::ToHex(crypto::Sha256("root")) +
                       "\",\"timestamp\":1764385407123,\"tree_size\":64}");
  auto canonical = CanonicalJson(json{{"tree_size", 64},
                                      {"timestamp", 1764385407123},
                                      {"root_hash", crypto::ToHex(crypto::Sha256("root"))}});
  EXPECT_EQ(input, *canonical);
}

TEST(TreeHead, SignatureVerifiesWithItsKeyOnly) {
  const crypto::SigningKey key = TestKey(1);
  const TreeHead head = Head64(key);
  EXPECT_EQ(head.signature.size(), 64u);
  EXPECT_TRUE(VerifyTreeHead(head, key.public_key).ok());
  Status other = VerifyTreeHead(head, TestKey(2).public_key);
  EXPECT_EQ(other.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(other.message(), "the signature does not match the tree head and the key");
}

TEST(TreeHead, AnyFlippedBitBreaksTheSignature) {
  const crypto::SigningKey key = TestKey(1);
  const TreeHead head = Head64(key);
  for (int bit = 0; bit < 256; ++bit) {
    TreeHead t = head;
    t.root[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    EXPECT_FALSE(VerifyTreeHead(t, key.public_key).ok()) << "root bit " << bit;
  }
  for (int bit = 0; bit < 64; ++bit) {
    TreeHead t = head;
    t.size ^= uint64_t{1} << bit;
    EXPECT_FALSE(VerifyTreeHead(t, key.public_key).ok()) << "size bit " << bit;
    t = head;
    t.timestamp_ms ^= int64_t{1} << bit;
    EXPECT_FALSE(VerifyTreeHead(t, key.public_key).ok()) << "timestamp bit " << bit;
  }
  for (int bit = 0; bit < 512; ++bit) {
    TreeHead t = head;
    t.signature[bit / 8] = static_cast<char>(t.signature[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_FALSE(VerifyTreeHead(t, key.public_key).ok()) << "signature bit " << bit;
  }
  TreeHead truncated = head;
  truncated.signature.pop_back();
  EXPECT_EQ(VerifyTreeHead(truncated, key.public_key).message(),
            "the signature is 63 bytes long, not 64");
}

TEST(TreeHead, JsonRoundTrips) {
  const crypto::SigningKey key = TestKey(1);
  const TreeHead head = Head64(key);
  const json j = TreeHeadJson(head, crypto::KeyId(key.public_key));
  EXPECT_EQ(j["tree_size"], 64);
  EXPECT_EQ(j["timestamp"], 1764385407123);
  EXPECT_EQ(j["root_hash"], crypto::ToHex(head.root));
  EXPECT_EQ(j["signature"], crypto::Base64Encode(head.signature));
  EXPECT_EQ(j["key_id"], crypto::ToHex(crypto::KeyId(key.public_key)));
  auto back = TreeHeadFromJson(json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->size, head.size);
  EXPECT_EQ(back->root, head.root);
  EXPECT_EQ(back->timestamp_ms, head.timestamp_ms);
  EXPECT_EQ(back->signature, head.signature);
  EXPECT_TRUE(VerifyTreeHead(*back, key.public_key).ok());
  EXPECT_EQ(*TreeHeadKeyId(j), crypto::KeyId(key.public_key));
}

TEST(TreeHead, FromJsonRejectsBrokenInputNamingTheField) {
  const crypto::SigningKey key = TestKey(1);
  const json good = TreeHeadJson(Head64(key), crypto::KeyId(key.public_key));
  for (const json& not_object : {json::array(), json("head"), json(nullptr), json(5)}) {
    auto r = TreeHeadFromJson(not_object);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("must be a JSON object"), std::string::npos);
  }
  struct Case {
    const char* field;
    json value;  // null: the field removed
  } cases[] = {
      {"tree_size", nullptr},
      {"tree_size", -1},
      {"tree_size", 64.0},
      {"tree_size", "64"},
      {"tree_size", uint64_t{1} << 53},
      {"timestamp", nullptr},
      {"timestamp", -5},
      {"timestamp", 1.5},
      {"root_hash", nullptr},
      {"root_hash", "abc"},
      {"root_hash", std::string(64, 'g')},
      {"root_hash", 12},
      {"signature", nullptr},
      {"signature", "not base64!"},
      {"signature", crypto::Base64Encode(std::string(63, 's'))},
      {"signature", crypto::Base64Encode(std::string(65, 's'))},
      {"signature", json::array()},
  };
  for (const Case& c : cases) {
    json j = good;
    if (c.value.is_null()) {
      j.erase(c.field);
    } else {
      j[c.field] = c.value;
    }
    auto r = TreeHeadFromJson(j);
    ASSERT_FALSE(r.ok()) << j.dump();
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), c.field) << r.status().ToString();
  }
  json bad_id = good;
  bad_id["key_id"] = "00";
  EXPECT_FALSE(TreeHeadKeyId(bad_id).ok());
  bad_id.erase("key_id");
  EXPECT_FALSE(TreeHeadKeyId(bad_id).ok());
  EXPECT_TRUE(TreeHeadFromJson(bad_id).ok());  // key_id is not part of the head
}

TEST(PublicKey, JsonRoundTrips) {
  const crypto::SigningKey key = TestKey(7);
  const json j = PublicKeyJson(key.public_key);
  EXPECT_EQ(j["algorithm"], "Ed25519");
  EXPECT_EQ(j["key_id"], crypto::ToHex(crypto::KeyId(key.public_key)));
  auto back = PublicKeyFromJson(json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, key.public_key);
  json without_id = j;
  without_id.erase("key_id");
  EXPECT_TRUE(PublicKeyFromJson(without_id).ok());
}

TEST(PublicKey, FromJsonRejectsBrokenInput) {
  const crypto::SigningKey key = TestKey(7);
  const json good = PublicKeyJson(key.public_key);
  EXPECT_FALSE(PublicKeyFromJson(json::array()).ok());
  struct Case {
    const char* field;
    json value;
  } cases[] = {
      {"algorithm", nullptr},
      {"algorithm", "RSA"},
      {"algorithm", "ed25519"},
      {"public_key", nullptr},
      {"public_key", crypto::Base64Encode(std::string(31, 'k'))},
      {"public_key", crypto::Base64Encode(std::string(33, 'k'))},
      {"public_key", "%%%%"},
      {"public_key", 32},
      {"key_id", crypto::ToHex(crypto::Sha256("another key"))},
      {"key_id", "zz"},
  };
  for (const Case& c : cases) {
    json j = good;
    if (c.value.is_null()) {
      j.erase(c.field);
    } else {
      j[c.field] = c.value;
    }
    auto r = PublicKeyFromJson(j);
    ASSERT_FALSE(r.ok()) << j.dump();
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), c.field) << r.status().ToString();
  }
}

}  // namespace
}  // namespace limpide::ledger
