#include "crypto/crypto.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace limpide::crypto {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "limpide-crypto-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string Bytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (one byte, 0x72).
constexpr std::string_view kRfcSeed =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kRfcPublic =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view kRfcSignature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
    "6bd25bf5f0595bbe24655141438e7a100b";
constexpr std::string_view kRfc2Seed =
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr std::string_view kRfc2Signature =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d"
    "8c387b2eaeb4302aeeb00d291612bb0c00";

SigningKey RfcKey(std::string_view seed_hex) {
  auto seed = HashFromHex(seed_hex);
  return SigningKeyFromSeed(*seed);
}

TEST(Sha256, MatchesTheFips180Vectors) {
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, ConcatHashesTheConcatenation) {
  EXPECT_EQ(Sha256Concat({"ab", "", "c"}), Sha256("abc"));
  EXPECT_EQ(Sha256Concat({}), Sha256(""));
}

TEST(Hex, RoundTripsAndAcceptsUpperCase) {
  const Hash h = Sha256("abc");
  auto back = HashFromHex(ToHex(h));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, h);
  auto upper = HashFromHex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, h);
  const uint8_t bytes[] = {0x00, 0x0f, 0xf0, 0xff};
  EXPECT_EQ(ToHex(bytes), "000ff0ff");
}

TEST(Hex, RejectsAWrongLengthOrANonHexCharacter) {
  auto short_hash = HashFromHex("abcd");
  ASSERT_FALSE(short_hash.ok());
  EXPECT_EQ(short_hash.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(short_hash.status().message().find("got 4"), std::string::npos);
  std::string bad(64, 'a');
  bad[17] = 'g';
  auto non_hex = HashFromHex(bad);
  ASSERT_FALSE(non_hex.ok());
  EXPECT_NE(non_hex.status().message().find("position 17"), std::string::npos);
  EXPECT_FALSE(HashFromHex(std::string(63, 'a') + " ").ok());
  EXPECT_FALSE(HashFromHex(std::string(66, 'a')).ok());
  EXPECT_FALSE(HashFromHex("").ok());
}

TEST(Base64, MatchesTheRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto back = Base64Decode(encoded);
    ASSERT_TRUE(back.ok()) << encoded;
    EXPECT_EQ(*back, plain);
  }
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, DecodeIsStrict) {
  for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "====", "Zh==", "Zm9v\n", " Zm9v", "Zm-v",
                          "Zm_v", "Zm9", "Zg==Zg==", "Z@==", "Zm8=Zm8="}) {
    auto r = Base64Decode(bad);
    EXPECT_FALSE(r.ok()) << "accepted \"" << bad << "\"";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    }
  }
}

TEST(Ed25519, MatchesTheRfc8032Vectors) {
  const SigningKey key = RfcKey(kRfcSeed);
  EXPECT_EQ(ToHex(key.public_key), kRfcPublic);
  const std::string signature = Sign(key, "");
  EXPECT_EQ(ToHex(std::span(reinterpret_cast<const uint8_t*>(signature.data()), signature.size())),
            kRfcSignature);
  EXPECT_TRUE(VerifySignature(key.public_key, "", signature));

  const SigningKey key2 = RfcKey(kRfc2Seed);
  EXPECT_EQ(Sign(key2, "\x72"), Bytes(kRfc2Signature));
}

TEST(Ed25519, VerifyRejectsAnythingElse) {
  const SigningKey key = RfcKey(kRfcSeed);
  const SigningKey other = RfcKey(kRfc2Seed);
  const std::string message = "tree head 64";
  const std::string signature = Sign(key, message);
  EXPECT_TRUE(VerifySignature(key.public_key, message, signature));
  EXPECT_FALSE(VerifySignature(other.public_key, message, signature));
  EXPECT_FALSE(VerifySignature(key.public_key, "tree head 65", signature));
  for (size_t bit = 0; bit < signature.size() * 8; bit += 13) {
    std::string flipped = signature;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_FALSE(VerifySignature(key.public_key, message, flipped)) << "bit " << bit;
  }
  EXPECT_FALSE(VerifySignature(key.public_key, message, signature.substr(0, 63)));
  EXPECT_FALSE(VerifySignature(key.public_key, message, signature + "x"));
  EXPECT_FALSE(VerifySignature(key.public_key, message, ""));
}

TEST(KeyId, IsTheSha256OfThePublicKey) {
  const SigningKey key = RfcKey(kRfcSeed);
  EXPECT_EQ(KeyId(key.public_key), Sha256(Bytes(kRfcPublic)));
}

TEST(SigningKeyFile, IsCreatedOnceWithMode0600AndReadBack) {
  TempDir dir;
  const fs::path path = dir.path() / "nested" / "deeper" / "ledger.key";
  auto created = LoadOrCreateSigningKey(path.string());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const std::string text = ReadFile(path);
  ASSERT_EQ(text.size(), 45u);  // 44 characters of base64 and a newline
  EXPECT_EQ(text.back(), '\n');

  auto again = LoadOrCreateSigningKey(path.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key, created->public_key);
  EXPECT_EQ(again->secret, created->secret);
  EXPECT_TRUE(VerifySignature(created->public_key, "m", Sign(*again, "m")));
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST(SigningKeyFile, HoldsTheBase64Seed) {
  TempDir dir;
  const fs::path path = dir.path() / "rfc.key";
  std::ofstream(path) << Base64Encode(Bytes(kRfcSeed)) << "\n";
  auto key = LoadOrCreateSigningKey(path.string());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(ToHex(key->public_key), kRfcPublic);
}

TEST(SigningKeyFile, RejectsAFileThatHoldsNoKey) {
  TempDir dir;
  for (const std::string& content :
       {std::string("not base64!\n"), Base64Encode(std::string(31, 'k')) + "\n",
        Base64Encode(std::string(64, 'k')) + "\n", std::string()}) {
    const fs::path path = dir.path() / "bad.key";
    std::ofstream(path, std::ios::trunc) << content;
    auto key = LoadOrCreateSigningKey(path.string());
    ASSERT_FALSE(key.ok()) << content;
    EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(key.status().message().find("32 bytes"), std::string::npos);
    EXPECT_EQ(ReadFile(path), content) << "the bad key must be left alone";
  }
}

TEST(SigningKeyFile, ReportsADirectoryThatCannotBeCreated) {
  TempDir dir;
  const fs::path blocker = dir.path() / "file";
  std::ofstream(blocker) << "x";
  auto key = LoadOrCreateSigningKey((blocker / "ledger.key").string());
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace limpide::crypto
