// Hashing, encodings, Ed25519 signatures, sealed boxes, password hashing and tokens (libsodium;
// SHA-256 from OpenSSL, which uses the CPU's SHA extensions). Neither library is seen outside
// crypto/*.cpp. The sealed-document format is specified in docs/receipt.md.
//
// Everything here is thread-safe; libsodium is initialised on first use.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace limpide::crypto {

// A SHA-256 digest.
using Hash = std::array<uint8_t, 32>;

// SHA-256 of `bytes`.
Hash Sha256(std::string_view bytes);
// SHA-256 of the concatenation of `parts`, without copying them.
Hash Sha256Concat(std::initializer_list<std::string_view> parts);

// SHA-256 of bytes fed piece by piece (files too big to hold: exports, bulk
// files). Final() may be called once.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view bytes);
  Hash Final();

 private:
  void* ctx_;  // EVP_MD_CTX
};

// Lower-case hexadecimal, two characters per byte.
std::string ToHex(std::span<const uint8_t> bytes);

// Parses 64 hexadecimal characters (either case). invalid_argument on a wrong length or a
// character that is not hexadecimal, naming it.
Result<Hash> HashFromHex(std::string_view hex);

// Standard base64 alphabet (RFC 4648 §4), with padding.
std::string Base64Encode(std::string_view bytes);

// Strict inverse of Base64Encode: padding required, no whitespace, no other alphabet, unused
// trailing bits zero. invalid_argument otherwise.
Result<std::string> Base64Decode(std::string_view text);

// An Ed25519 key pair in libsodium's layout: `secret` is seed || public key.
struct SigningKey {
  std::array<uint8_t, 64> secret;
  std::array<uint8_t, 32> public_key;
};

// Reads the key at `path`, or creates it when absent: a new random Ed25519 key, written with
// file mode 0600 (parent directories created). The file holds the 32-byte seed in base64 and a
// newline, like a WireGuard key. Two processes creating the same key at once end up with the
// same key (the loser reads the winner's). invalid_argument when the file holds no valid key,
// unavailable on an I/O error.
Result<SigningKey> LoadOrCreateSigningKey(const std::string& path);

// The signing key derived from a 32-byte seed (deterministic; for tests and LoadOrCreate).
SigningKey SigningKeyFromSeed(std::span<const uint8_t, 32> seed);

// The 64-byte raw Ed25519 signature of `message`.
std::string Sign(const SigningKey& key, std::string_view message);

// True when `signature` (64 raw bytes) is a valid Ed25519 signature of `message` by
// `public_key`. False for any other length.
bool VerifySignature(std::span<const uint8_t, 32> public_key, std::string_view message,
                     std::string_view signature);

// Identifies a public key: SHA-256 of its 32 bytes.
Hash KeyId(std::span<const uint8_t, 32> public_key);

// ---- Encodings of 32-byte keys and tokens ----

// A 32-byte key (X25519 or Ed25519 public or secret key) in standard base64 (44 characters).
std::string KeyToBase64(std::span<const uint8_t, 32> key);
// The inverse of KeyToBase64. invalid_argument when `text` is not base64 of exactly 32 bytes.
Result<std::array<uint8_t, 32>> KeyFromBase64(std::string_view text);

// URL-safe base64 (RFC 4648 §5: '-' and '_'), without padding.
std::string Base64UrlEncode(std::string_view bytes);

// A bearer token: "lmp_" then 32 random bytes in Base64UrlEncode (47 characters in all).
// Store only its hash (Sha256): the token has 256 bits of entropy, no slow hash is needed.
std::string RandomToken();

// HMAC-SHA-256 (RFC 2104) of `message` under `key` (any length), e.g. to sign webhooks.
Hash HmacSha256(std::string_view key, std::string_view message);

// Compares two byte strings in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// ---- Passwords (argon2id) ----

// The argon2id hash of `password` in libsodium's self-describing string form
// ("$argon2id$v=19$m=65536,t=2,p=1$…"), with a random salt and the INTERACTIVE limits (64 MiB,
// about 0.1 s). resource_exhausted when the memory cannot be had.
Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `stored_hash` (a HashPassword string, whatever its limits).
// False for a wrong password and for anything that is not such a hash.
bool CheckPassword(std::string_view stored_hash, std::string_view password);

// ---- Sealed boxes (X25519, crypto_box_seal) ----

// An X25519 key pair: a consultation's opening key. The platform keeps only `public_key`.
struct BoxKeyPair {
  std::array<uint8_t, 32> public_key;
  std::array<uint8_t, 32> secret_key;
};

// A new random key pair.
BoxKeyPair NewBoxKeyPair();
// The key pair of a 32-byte X25519 secret key (the public key is derived from it).
BoxKeyPair BoxKeyPairFromSecretKey(std::span<const uint8_t, 32> secret_key);

// Bytes that crypto_box_seal adds to a message: an ephemeral public key (32) and a MAC (16).
inline constexpr size_t kSealOverheadBytes = 48;

// `plaintext` sealed to `public_key` (crypto_box_seal): anonymous sender, an ephemeral key per
// call, so sealing the same text twice gives different bytes. kSealOverheadBytes longer.
std::string SealTo(std::span<const uint8_t, 32> public_key, std::string_view plaintext);

// The plaintext of `sealed`. invalid_argument "sealed data is too short" when it is shorter
// than kSealOverheadBytes, "cannot be opened with this key (tampered or another key)" when the
// MAC does not hold.
Result<std::string> OpenSealed(const BoxKeyPair& key, std::string_view sealed);

// Writes the secret key of `key` to a new file `path` (mode 0600): its base64 and a newline.
// Never replaces a file: failed_precondition when `path` exists, unavailable on an I/O error.
Status WriteBoxSecretKeyFile(const std::string& path, const BoxKeyPair& key);
// Reads a file written by WriteBoxSecretKeyFile (trailing newline optional). invalid_argument
// when it does not hold base64 of 32 bytes, unavailable when it cannot be read.
Result<BoxKeyPair> ReadBoxSecretKeyFile(const std::string& path);

// ---- Sealed documents (docs/receipt.md, "Sealed documents") ----
//
// A document is sealed as an ordered list of chunks, each one SealTo() of a slice of the
// plaintext: every chunk but the last holds exactly kSealChunkBytes of plaintext, the last one
// fewer (0 to kSealChunkBytes - 1). A document of n bytes thus has n / kSealChunkBytes + 1
// chunks (one empty chunk for an empty document), and a list that ends with a full chunk was cut
// short. Chunks are sent, hashed and stored one by one; the receipt lists their hashes in order.

inline constexpr size_t kSealChunkBytes = size_t{1} << 20;  // 1 MiB of plaintext per chunk
inline constexpr size_t kSealedChunkMaxBytes = kSealChunkBytes + kSealOverheadBytes;

// The number of chunks of a document of `plaintext_size` bytes.
constexpr uint64_t SealedChunkCount(uint64_t plaintext_size) {
  return plaintext_size / kSealChunkBytes + 1;
}

// `plaintext` cut and sealed to `public_key` as above.
std::vector<std::string> SealDocument(std::span<const uint8_t, 32> public_key,
                                      std::string_view plaintext);

// Opens one chunk of a document; `last` says whether it is the document's last chunk. The
// errors of OpenSealed, or invalid_argument when the plaintext's length breaks the rule above
// ("holds N bytes: …").
Result<std::string> OpenDocumentChunk(const BoxKeyPair& key, std::string_view sealed_chunk,
                                      bool last);

// The plaintext of a whole document. invalid_argument naming the chunk ("chunk 3 of 5: …")
// when there is none, when one does not open or when the lengths break the rule.
Result<std::string> OpenDocument(const BoxKeyPair& key,
                                 const std::vector<std::string>& sealed_chunks);

// A sealed file (FILE.sealed) stores a document's chunks in one file: the 5 bytes "LMPS1", then
// each chunk as its length (4 bytes, unsigned big-endian) followed by its bytes.
inline constexpr std::string_view kSealedFileMagic = "LMPS1";

// The sealed file of `sealed_chunks`.
std::string EncodeSealedFile(const std::vector<std::string>& sealed_chunks);
// Sha256(EncodeSealedFile(chunks)) computed chunk by chunk, without building the file: a
// receipt's document hash costs one pass over the chunks and no copy.
class SealedFileHasher {
 public:
  SealedFileHasher();
  void AddChunk(std::string_view sealed_chunk);
  Hash Finish();

 private:
  Sha256Stream sha_;
};
// The frame of one chunk in a sealed file: its 4-byte big-endian length then its bytes.
std::string FrameSealedChunk(std::string_view sealed_chunk);

// The chunks of a sealed file, not opened. invalid_argument naming the byte offset: no magic,
// a length outside [kSealOverheadBytes, kSealedChunkMaxBytes], a frame cut short, no chunk.
Result<std::vector<std::string>> DecodeSealedFile(std::string_view file);

// Streams: seals everything `in` holds into `out` as a sealed file, then opens a sealed file
// from `in` into `out`, one chunk in memory at a time. Errors as DecodeSealedFile and
// OpenDocument (offsets and chunk numbers named); unavailable when a stream fails. OpenStream
// may have written part of the plaintext before it finds a bad chunk: write to a temporary
// file and keep it only on success.
Status SealStream(std::span<const uint8_t, 32> public_key, std::istream& in, std::ostream& out);
Status OpenStream(const BoxKeyPair& key, std::istream& in, std::ostream& out);

}  // namespace limpide::crypto
