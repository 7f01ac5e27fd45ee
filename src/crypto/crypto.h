// Hashing, encodings and Ed25519 signatures (libsodium; SHA-256 from OpenSSL, which uses the
// CPU's SHA extensions). Neither library is seen outside crypto/*.cpp.
//
// Everything here is thread-safe; libsodium is initialised on first use.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace limpide::crypto {

// A SHA-256 digest.
using Hash = std::array<uint8_t, 32>;

// SHA-256 of `bytes`.
Hash Sha256(std::string_view bytes);
// SHA-256 of the concatenation of `parts`, without copying them.
Hash Sha256Concat(std::initializer_list<std::string_view> parts);

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

}  // namespace limpide::crypto
