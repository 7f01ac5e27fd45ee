// Sealed boxes and sealed documents (docs/receipt.md), passwords, tokens, HMAC and key encodings.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/crypto.h"

namespace limpide::crypto {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "limpide-seal-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

std::array<uint8_t, 32> Key32(std::string_view hex) { return *HashFromHex(hex); }

// A document of `n` bytes whose content depends on the position (a moved chunk shows).
std::string Document(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 4096) & 0xff);
  return s;
}

std::string FlipByte(std::string s, size_t at) {
  s[at] = static_cast<char>(s[at] ^ 0x01);
  return s;
}

// ---- Key encodings, tokens, HMAC ----

TEST(KeyBase64, RoundTripsA32ByteKey) {
  const auto key = Key32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  const std::string text = KeyToBase64(key);
  EXPECT_EQ(text, "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
  auto back = KeyFromBase64(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, key);
}

TEST(KeyBase64, RejectsAnotherLengthOrNotBase64) {
  EXPECT_FALSE(KeyFromBase64(Base64Encode(std::string(31, 'k'))).ok());
  EXPECT_FALSE(KeyFromBase64(Base64Encode(std::string(33, 'k'))).ok());
  EXPECT_FALSE(KeyFromBase64("").ok());
  EXPECT_FALSE(KeyFromBase64("hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo=").ok());  // url-safe
  auto bad = KeyFromBase64("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo");           // no padding
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("32 bytes"), std::string::npos);
}

TEST(Base64Url, MatchesTheRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
}

TEST(RandomToken, IsPrefixedUrlSafeAndNeverRepeats) {
  const std::string a = RandomToken();
  const std::string b = RandomToken();
  EXPECT_EQ(a.size(), 47u);
  EXPECT_EQ(a.rfind("lmp_", 0), 0u);
  EXPECT_EQ(
      a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
      std::string::npos);
  EXPECT_NE(a, b);
}

TEST(HmacSha256, MatchesTheRfc4231Vectors) {
  // Test cases 1, 2 and 6 (a key longer than the block, hashed first).
  EXPECT_EQ(ToHex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(ToHex(HmacSha256(std::string(131, '\xaa'),
                             "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, DependsOnKeyAndMessage) {
  EXPECT_NE(HmacSha256("k", "m"), HmacSha256("K", "m"));
  EXPECT_NE(HmacSha256("k", "m"), HmacSha256("k", "M"));
  EXPECT_EQ(HmacSha256("", ""), HmacSha256("", ""));
}

TEST(ConstantTimeEquals, ComparesBytesAndLengths) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("lmp_abc", "lmp_abc"));
  EXPECT_FALSE(ConstantTimeEquals("lmp_abc", "lmp_abd"));
  EXPECT_FALSE(ConstantTimeEquals("lmp_abc", "lmp_ab"));
}

// ---- Passwords ----

TEST(Password, HashIsArgon2idAndChecks) {
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(CheckPassword(*hash, "correct horse battery staple"));
  EXPECT_FALSE(CheckPassword(*hash, "correct horse battery stapl"));
  EXPECT_FALSE(CheckPassword(*hash, ""));
  // A random salt: the same password hashes differently, and each hash checks.
  auto again = HashPassword("correct horse battery staple");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*hash, *again);
  EXPECT_TRUE(CheckPassword(*again, "correct horse battery staple"));
}

TEST(Password, EmptyAndNonAsciiPasswordsWork) {
  auto empty = HashPassword("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(CheckPassword(*empty, ""));
  EXPECT_FALSE(CheckPassword(*empty, " "));
  auto accents = HashPassword("marché-public-été");
  ASSERT_TRUE(accents.ok());
  EXPECT_TRUE(CheckPassword(*accents, "marché-public-été"));
  EXPECT_FALSE(CheckPassword(*accents, "marche-public-ete"));
}

TEST(Password, AnythingButAHashNeverChecks) {
  auto hash = HashPassword("secret");
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(CheckPassword("", "secret"));
  EXPECT_FALSE(CheckPassword("secret", "secret"));
  EXPECT_FALSE(CheckPassword(*hash + std::string(200, 'x'), "secret"));  // too long
  EXPECT_FALSE(CheckPassword(std::string(*hash).insert(10, 1, '\0'), "secret"));
  EXPECT_FALSE(CheckPassword(FlipByte(*hash, hash->size() - 3), "secret"));  // tampered digest
  EXPECT_FALSE(CheckPassword(hash->substr(0, hash->size() - 1), "secret"));  // truncated
}

// ---- Sealed boxes ----

TEST(BoxKeyPair, DerivesThePublicKeyAsRfc7748) {
  // RFC 7748 §6.1: Alice's private and public keys.
  const auto secret = Key32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const BoxKeyPair key = BoxKeyPairFromSecretKey(secret);
  EXPECT_EQ(ToHex(key.public_key),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(key.secret_key, secret);
}

TEST(BoxKeyPair, NewPairsAreRandomAndConsistent) {
  const BoxKeyPair a = NewBoxKeyPair();
  const BoxKeyPair b = NewBoxKeyPair();
  EXPECT_NE(a.secret_key, b.secret_key);
  EXPECT_NE(a.public_key, b.public_key);
  EXPECT_EQ(BoxKeyPairFromSecretKey(a.secret_key).public_key, a.public_key);
}

TEST(SealTo, OpensWithTheKeyAndIsFreshEachTime) {
  const BoxKeyPair key = NewBoxKeyPair();
  const std::string sealed = SealTo(key.public_key, "offre technique");
  EXPECT_EQ(sealed.size(), std::string("offre technique").size() + kSealOverheadBytes);
  auto opened = OpenSealed(key, sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "offre technique");
  EXPECT_NE(SealTo(key.public_key, "offre technique"), sealed);  // an ephemeral key per call
}

TEST(SealTo, EmptyPlaintextIsJustTheOverhead) {
  const BoxKeyPair key = NewBoxKeyPair();
  const std::string sealed = SealTo(key.public_key, "");
  EXPECT_EQ(sealed.size(), kSealOverheadBytes);
  auto opened = OpenSealed(key, sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "");
}

TEST(OpenSealed, RefusesAnotherKey) {
  const BoxKeyPair key = NewBoxKeyPair();
  const BoxKeyPair other = NewBoxKeyPair();
  auto opened = OpenSealed(other, SealTo(key.public_key, "prix: 120 000 EUR"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(opened.status().message(), "cannot be opened with this key (tampered or another key)");
  // The right public key with a wrong secret key fails too.
  BoxKeyPair mixed = key;
  mixed.secret_key = other.secret_key;
  EXPECT_FALSE(OpenSealed(mixed, SealTo(key.public_key, "x")).ok());
}

TEST(OpenSealed, RefusesEveryTamperedByte) {
  const BoxKeyPair key = NewBoxKeyPair();
  const std::string sealed = SealTo(key.public_key, "mémoire technique, 12 pages");
  for (size_t at = 0; at < sealed.size(); ++at) {
    auto opened = OpenSealed(key, FlipByte(sealed, at));
    EXPECT_FALSE(opened.ok()) << "byte " << at;
  }
}

TEST(OpenSealed, RefusesTruncatedOrExtendedData) {
  const BoxKeyPair key = NewBoxKeyPair();
  const std::string sealed = SealTo(key.public_key, "abc");
  EXPECT_FALSE(OpenSealed(key, sealed.substr(0, sealed.size() - 1)).ok());
  EXPECT_FALSE(OpenSealed(key, sealed + "x").ok());
  for (size_t n : {size_t{0}, size_t{1}, kSealOverheadBytes - 1}) {
    auto opened = OpenSealed(key, sealed.substr(0, n));
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().message(), "sealed data is too short") << n;
  }
  // Exactly the overhead: long enough, but not a box of this plaintext.
  auto opened = OpenSealed(key, sealed.substr(0, kSealOverheadBytes));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().message(), "cannot be opened with this key (tampered or another key)");
}

TEST(BoxSecretKeyFile, IsWrittenOnceWithMode0600AndReadBack) {
  TempDir dir;
  const std::string path = (dir.path() / "opening.key").string();
  const BoxKeyPair key = NewBoxKeyPair();
  ASSERT_TRUE(WriteBoxSecretKeyFile(path, key).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, KeyToBase64(key.secret_key));
  auto back = ReadBoxSecretKeyFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->secret_key, key.secret_key);
  EXPECT_EQ(back->public_key, key.public_key);

  Status again = WriteBoxSecretKeyFile(path, NewBoxKeyPair());
  EXPECT_EQ(again.code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ReadBoxSecretKeyFile(path)->secret_key, key.secret_key);  // not replaced
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(BoxSecretKeyFile, RefusesAFileThatHoldsNoKeyAndReportsAMissingOne) {
  TempDir dir;
  const std::string path = (dir.path() / "bad.key").string();
  std::ofstream(path) << Base64Encode(std::string(31, 'k')) << "\n";
  EXPECT_EQ(ReadBoxSecretKeyFile(path).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ReadBoxSecretKeyFile((dir.path() / "none.key").string()).status().code(),
            ErrorCode::kUnavailable);
  EXPECT_EQ(
      WriteBoxSecretKeyFile((dir.path() / "no/such/dir.key").string(), NewBoxKeyPair()).code(),
      ErrorCode::kUnavailable);
}

// ---- Sealed documents ----

TEST(SealDocument, CutsFullChunksAndAShortLastOne) {
  const BoxKeyPair key = NewBoxKeyPair();
  const size_t mib = kSealChunkBytes;
  EXPECT_EQ(mib, 1048576u);
  struct Case {
    size_t size;
    std::vector<size_t> plaintext_sizes;
  };
  for (const Case& c : std::vector<Case>{{0, {0}},
                                         {1, {1}},
                                         {mib - 1, {mib - 1}},
                                         {mib, {mib, 0}},
                                         {mib + 1, {mib, 1}},
                                         {2 * mib + 5, {mib, mib, 5}}}) {
    SCOPED_TRACE(c.size);
    const std::string doc = Document(c.size);
    const std::vector<std::string> chunks = SealDocument(key.public_key, doc);
    ASSERT_EQ(chunks.size(), c.plaintext_sizes.size());
    EXPECT_EQ(SealedChunkCount(c.size), chunks.size());
    for (size_t i = 0; i < chunks.size(); ++i) {
      EXPECT_EQ(chunks[i].size(), c.plaintext_sizes[i] + kSealOverheadBytes);
    }
    auto opened = OpenDocument(key, chunks);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_TRUE(*opened == doc);
  }
}

TEST(OpenDocument, NamesTheChunkThatDoesNotOpen) {
  const BoxKeyPair key = NewBoxKeyPair();
  std::vector<std::string> chunks = SealDocument(key.public_key, Document(2 * kSealChunkBytes + 5));
  chunks[1] = FlipByte(chunks[1], 100);
  auto opened = OpenDocument(key, chunks);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().message(),
            "chunk 2 of 3: cannot be opened with this key (tampered or another key)");
  EXPECT_FALSE(OpenDocument(NewBoxKeyPair(), SealDocument(key.public_key, "x")).ok());
}

TEST(OpenDocument, RefusesADocumentCutAfterAFullChunk) {
  const BoxKeyPair key = NewBoxKeyPair();
  std::vector<std::string> chunks = SealDocument(key.public_key, Document(kSealChunkBytes + 1));
  chunks.pop_back();
  auto opened = OpenDocument(key, chunks);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("chunk 1 of 1: holds 1048576 bytes and is the last"),
            std::string::npos)
      << opened.status().message();
}

TEST(OpenDocument, RefusesAShortChunkBeforeTheLast) {
  const BoxKeyPair key = NewBoxKeyPair();
  std::vector<std::string> chunks = SealDocument(key.public_key, Document(kSealChunkBytes + 1));
  std::swap(chunks[0], chunks[1]);
  auto opened = OpenDocument(key, chunks);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("chunk 1 of 2: holds 1 bytes but is not the last"),
            std::string::npos)
      << opened.status().message();
  EXPECT_FALSE(OpenDocument(key, {}).ok());
  // A chunk sealed by someone with the public key, of another size than a chunk may hold.
  auto oversized = OpenDocument(key, {SealTo(key.public_key, Document(kSealChunkBytes))});
  EXPECT_FALSE(oversized.ok());
}

TEST(SealedFile, IsTheMagicThenLengthPrefixedChunks) {
  const std::string file = EncodeSealedFile({std::string(48, 'a'), std::string(300, 'b')});
  EXPECT_EQ(file.substr(0, 5), "LMPS1");
  EXPECT_EQ(file.substr(5, 4), Unhex("00000030"));
  EXPECT_EQ(file.substr(57, 4), Unhex("0000012c"));
  EXPECT_EQ(file.size(), 5u + 4 + 48 + 4 + 300);
  auto chunks = DecodeSealedFile(file);
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  EXPECT_EQ(*chunks, (std::vector<std::string>{std::string(48, 'a'), std::string(300, 'b')}));
  EXPECT_EQ(FrameSealedChunk(std::string(48, 'a')), file.substr(5, 52));
}

TEST(SealedFile, HasherGivesTheHashOfTheEncodedFile) {
  const std::vector<std::string> chunks = {std::string(48, 'a'), std::string(300, 'b'),
                                           std::string(kSealedChunkMaxBytes, 'c')};
  for (size_t n = 1; n <= chunks.size(); ++n) {
    const std::vector<std::string> some(chunks.begin(), chunks.begin() + static_cast<long>(n));
    SealedFileHasher hasher;
    for (const auto& c : some) hasher.AddChunk(c);
    EXPECT_EQ(hasher.Finish(), Sha256(EncodeSealedFile(some))) << n << " chunk(s)";
  }
  // Chunk boundaries count: the same bytes cut otherwise give another hash.
  SealedFileHasher one, two;
  one.AddChunk(std::string(96, 'a'));
  two.AddChunk(std::string(48, 'a'));
  two.AddChunk(std::string(48, 'a'));
  EXPECT_NE(one.Finish(), two.Finish());
}

TEST(SealedFile, DecodeNamesWhatIsWrong) {
  const std::string good = EncodeSealedFile({std::string(48, 'a'), std::string(60, 'b')});
  auto message = [](std::string_view file) {
    auto r = DecodeSealedFile(file);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(message(""), "sealed file: does not start with \"LMPS1\"");
  EXPECT_EQ(message("LMPS2" + good.substr(5)), "sealed file: does not start with \"LMPS1\"");
  EXPECT_EQ(message("LMPS1"), "sealed file: no chunk after the magic");
  EXPECT_EQ(message(good.substr(0, good.size() - 1)),
            "sealed file: chunk 2 at offset 57: cut short (60 bytes announced, 59 present)");
  EXPECT_EQ(message(good + std::string(2, '\0')),
            "sealed file: chunk 3 at offset 121: length cut short");
  EXPECT_EQ(message("LMPS1" + Unhex("0000002f") + std::string(47, 'a')),
            "sealed file: chunk 1 at offset 5: length 47 outside [48, 1048624]");
  EXPECT_EQ(message("LMPS1" + Unhex("00100031")),
            "sealed file: chunk 1 at offset 5: length 1048625 outside [48, 1048624]");
}

// The worked example of docs/receipt.md, sealed by seal.js (libsodium-wrappers) to the public
// key of RFC 7748's Alice: its bytes open here to the documented text.
TEST(SealedFile, TheDocumentedExampleOpens) {
  const std::string file = Unhex(
      "4c4d50533100000046e13e5a4efa18be7acf72d5b232a701f36a9ccbb693299c610ef182aa61f1b5594685d56b"
      "8796bfbc502049b855a6f2ba2ef07844ec9b86dc758c387aaf8bdc2a8df24ed3926a");
  EXPECT_EQ(file.size(), 79u);
  EXPECT_EQ(ToHex(Sha256(file)),
            "f20ddb156f5653f0b8eacc86b1e6f1f69f44f73f4e63b309894acce8825339e3");
  auto secret = KeyFromBase64("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
  ASSERT_TRUE(secret.ok());
  const BoxKeyPair key = BoxKeyPairFromSecretKey(*secret);
  EXPECT_EQ(KeyToBase64(key.public_key), "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
  auto chunks = DecodeSealedFile(file);
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 1u);
  EXPECT_EQ(ToHex(Sha256((*chunks)[0])),
            "92498673bab3ee8e9db6f36a2c149a1cc16a33263992ec50cbb51e25c568594e");
  auto opened = OpenDocument(key, *chunks);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "Prix : 120 000 EUR HT\n");
}

TEST(SealStream, OpensBackChunkByChunkAtTheEdges) {
  const BoxKeyPair key = NewBoxKeyPair();
  for (size_t size : {size_t{0}, size_t{1}, kSealChunkBytes, kSealChunkBytes + 1}) {
    SCOPED_TRACE(size);
    const std::string doc = Document(size);
    std::istringstream in(doc);
    std::ostringstream sealed;
    ASSERT_TRUE(SealStream(key.public_key, in, sealed).ok());
    auto chunks = DecodeSealedFile(sealed.str());
    ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
    EXPECT_EQ(chunks->size(), SealedChunkCount(size));
    EXPECT_TRUE(*OpenDocument(key, *chunks) == doc);

    std::istringstream sealed_in(sealed.str());
    std::ostringstream opened;
    Status s = OpenStream(key, sealed_in, opened);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(opened.str() == doc);
  }
}

TEST(OpenStream, NamesTheChunkAndOffsetOfAnyDamage) {
  const BoxKeyPair key = NewBoxKeyPair();
  const std::string file =
      EncodeSealedFile(SealDocument(key.public_key, Document(kSealChunkBytes + 10)));
  const size_t second = 5 + 4 + kSealedChunkMaxBytes;  // offset of chunk 2's frame
  auto open = [&](const std::string& bytes, const BoxKeyPair& k) {
    std::istringstream in(bytes);
    std::ostringstream out;
    Status s = OpenStream(k, in, out);
    return s.ok() ? std::string("ok") : s.message();
  };
  EXPECT_EQ(open(file, key), "ok");
  EXPECT_EQ(open(FlipByte(file, second + 20), key),
            "sealed file: chunk 2 at offset " + std::to_string(second) +
                ": cannot be opened with this key (tampered or another key)");
  EXPECT_EQ(open(file, NewBoxKeyPair()),
            "sealed file: chunk 1 at offset 5: cannot be opened with this key (tampered or "
            "another key)");
  EXPECT_NE(open(file.substr(0, second), key)
                .find("chunk 1 at offset 5: holds 1048576 bytes and "
                      "is the last chunk"),
            std::string::npos);
  EXPECT_NE(open(file.substr(0, file.size() - 1), key).find("chunk 2 at offset"),
            std::string::npos);
  EXPECT_EQ(open(file + "x", key),
            "sealed file: chunk 3 at offset " + std::to_string(file.size()) + ": length cut short");
  EXPECT_EQ(open("LMPS1", key), "sealed file: no chunk after the magic");
  EXPECT_EQ(open("", key), "sealed file: does not start with \"LMPS1\"");
  EXPECT_EQ(open("LMP", key), "sealed file: does not start with \"LMPS1\"");
}

}  // namespace
}  // namespace limpide::crypto
