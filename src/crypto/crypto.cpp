#include "crypto/crypto.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace limpide::crypto {
namespace {

// sodium_init() is idempotent and thread-safe; this only keeps it off the hot paths.
void EnsureSodium() {
  static const bool initialised = [] {
    if (sodium_init() < 0) {
      std::fputs("limpide: libsodium failed to initialise\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)initialised;
}

// The value of a hexadecimal digit (either case), or -1.
constexpr std::array<int8_t, 256> kHexValues = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    t['a' + i] = static_cast<int8_t>(10 + i);
    t['A' + i] = static_cast<int8_t>(10 + i);
  }
  return t;
}();

int HexValue(char c) { return kHexValues[static_cast<unsigned char>(c)]; }

std::string ErrnoText(const char* what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

Result<SigningKey> ParseKeyFile(const std::string& text, const std::string& path) {
  std::string_view body = text;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  auto seed = Base64Decode(body);
  if (!seed.ok() || seed->size() != crypto_sign_SEEDBYTES) {
    return Status::InvalidArgument("signing key file " + path +
                                   " does not hold a base64 Ed25519 seed of 32 bytes");
  }
  std::array<uint8_t, 32> bytes;
  std::memcpy(bytes.data(), seed->data(), bytes.size());
  SigningKey key = SigningKeyFromSeed(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  sodium_memzero(seed->data(), seed->size());
  return key;
}

Result<SigningKey> ReadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable(ErrnoText("cannot read signing key", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable(ErrnoText("cannot read signing key", path));
  return ParseKeyFile(text.str(), path);
}

// Writes `text` to a fresh file (mode 0600) and flushes it to disk.
Status WriteNewFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable(ErrnoText("cannot create", path));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = Status::Unavailable(ErrnoText("cannot write", path));
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::Unavailable(ErrnoText("cannot write", path));
  }
  return Status::Ok();
}

void SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// OpenSSL, not libsodium, for SHA-256: it uses the CPU's SHA extensions, 3 times faster than
// libsodium 1.0.18's portable code on the 65-byte node hashes that proofs and dump verification
// spend their time in, 5 to 7 times on entries (docs/ledger.md, "Performance"). The algorithm
// is fetched once.
EVP_MD* Sha256Algorithm() {
  static EVP_MD* const kSha256 = [] {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) {
      std::fputs("limpide: OpenSSL has no SHA-256\n", stderr);
      std::abort();
    }
    return md;
  }();
  return kSha256;
}

[[noreturn]] void Sha256Failed() {
  std::fputs("limpide: SHA-256 failed (OpenSSL)\n", stderr);
  std::abort();
}

}  // namespace

Hash Sha256(std::string_view bytes) { return Sha256Concat({bytes}); }

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr ||
      EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), Sha256Algorithm(), nullptr) != 1)
    Sha256Failed();
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Stream::Update(std::string_view bytes) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size()) != 1)
    Sha256Failed();
}

Hash Sha256Stream::Final() {
  Hash out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &len) != 1 ||
      len != out.size())
    Sha256Failed();
  return out;
}

Hash Sha256Concat(std::initializer_list<std::string_view> parts) {
  EVP_MD* const kSha256 = Sha256Algorithm();
  // Each thread reuses one context.
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 &EVP_MD_CTX_free);
  Hash out;
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex2(ctx.get(), kSha256, nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == out.size();
  if (!ok) Sha256Failed();
  return out;
}

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

Result<Hash> HashFromHex(std::string_view hex) {
  Hash out;
  if (hex.size() != 2 * out.size()) {
    return Status::InvalidArgument("a SHA-256 hash is 64 hexadecimal characters, got " +
                                   std::to_string(hex.size()));
  }
  int bad = 0;  // checked once at the end: this runs twice per line of a dump
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    bad |= hi | lo;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  if (bad < 0) {
    size_t at = 0;
    while (HexValue(hex[at]) >= 0) ++at;
    return Status::InvalidArgument("not a hexadecimal digit at position " + std::to_string(at) +
                                   " of a hash");
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  EnsureSodium();
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  EnsureSodium();
  if (text.size() % 4 != 0) {
    return Status::InvalidArgument("base64 text must be a multiple of 4 characters long, got " +
                                   std::to_string(text.size()));
  }
  std::string out(text.size() / 4 * 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return Status::InvalidArgument("not valid base64 (standard alphabet, padded)");
  }
  out.resize(len);
  return out;
}

SigningKey SigningKeyFromSeed(std::span<const uint8_t, 32> seed) {
  EnsureSodium();
  SigningKey key;
  crypto_sign_seed_keypair(key.public_key.data(), key.secret.data(), seed.data());
  return key;
}

Result<SigningKey> LoadOrCreateSigningKey(const std::string& path) {
  EnsureSodium();
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return ReadKeyFile(path);
  if (errno != ENOENT) return Status::Unavailable(ErrnoText("cannot read signing key", path));

  const std::filesystem::path file(path);
  std::error_code ec;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) {
      return Status::Unavailable("cannot create the directory of signing key " + path + ": " +
                                 ec.message());
    }
  }
  std::array<uint8_t, 32> seed;
  randombytes_buf(seed.data(), seed.size());
  std::string text =
      Base64Encode(std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()));
  text += '\n';
  sodium_memzero(seed.data(), seed.size());

  // Written aside then hard-linked into place: the key file appears whole or not at all, and
  // an existing key (written meanwhile by another process) is never replaced.
  const std::string temp = path + ".tmp." + std::to_string(::getpid()) + "." +
                           std::to_string(randombytes_uniform(1u << 30));
  Status written = WriteNewFile(temp, text);
  sodium_memzero(text.data(), text.size());
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    errno = link_errno;
    return Status::Unavailable(ErrnoText("cannot create signing key", path));
  }
  SyncDirectory(file.parent_path());
  return ReadKeyFile(path);
}

std::string Sign(const SigningKey& key, std::string_view message) {
  EnsureSodium();
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       key.secret.data());
  return signature;
}

bool VerifySignature(std::span<const uint8_t, 32> public_key, std::string_view message,
                     std::string_view signature) {
  EnsureSodium();
  if (signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_key.data()) == 0;
}

Hash KeyId(std::span<const uint8_t, 32> public_key) {
  return Sha256(
      std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
}

}  // namespace limpide::crypto

namespace limpide::crypto {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* MutableBytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

std::string_view AsChars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string ChunkName(size_t index, size_t count) {
  return "chunk " + std::to_string(index + 1) + " of " + std::to_string(count);
}

// The 4-byte big-endian length that frames a chunk in a sealed file.
std::string LengthPrefix(size_t n) {
  return {static_cast<char>(n >> 24 & 0xff), static_cast<char>(n >> 16 & 0xff),
          static_cast<char>(n >> 8 & 0xff), static_cast<char>(n & 0xff)};
}

uint32_t ReadLength(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
}

// invalid_argument when `length`, read at `offset` for chunk `number` (from 1), cannot be the
// length of a sealed chunk.
Status CheckFrameLength(uint32_t length, size_t number, uint64_t offset) {
  if (length < kSealOverheadBytes || length > kSealedChunkMaxBytes) {
    return Status::InvalidArgument("sealed file: chunk " + std::to_string(number) + " at offset " +
                                   std::to_string(offset) + ": length " + std::to_string(length) +
                                   " outside [" + std::to_string(kSealOverheadBytes) + ", " +
                                   std::to_string(kSealedChunkMaxBytes) + "]");
  }
  return Status::Ok();
}

Status NoMagic() {
  return Status::InvalidArgument("sealed file: does not start with \"" +
                                 std::string(kSealedFileMagic) + "\"");
}

}  // namespace

std::string KeyToBase64(std::span<const uint8_t, 32> key) { return Base64Encode(AsChars(key)); }

Result<std::array<uint8_t, 32>> KeyFromBase64(std::string_view text) {
  auto bytes = Base64Decode(text);
  if (!bytes.ok() || bytes->size() != 32) {
    return Status::InvalidArgument("a key is the base64 of 32 bytes (44 characters)");
  }
  std::array<uint8_t, 32> key;
  std::memcpy(key.data(), bytes->data(), key.size());
  sodium_memzero(bytes->data(), bytes->size());
  return key;
}

std::string Base64UrlEncode(std::string_view bytes) {
  EnsureSodium();
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), Bytes(bytes), bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string RandomToken() {
  EnsureSodium();
  std::array<uint8_t, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  std::string token = "lmp_" + Base64UrlEncode(AsChars(bytes));
  sodium_memzero(bytes.data(), bytes.size());
  return token;
}

Hash HmacSha256(std::string_view key, std::string_view message) {
  EnsureSodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, Bytes(key), key.size());
  crypto_auth_hmacsha256_update(&state, Bytes(message), message.size());
  Hash out;
  crypto_auth_hmacsha256_final(&state, out.data());
  sodium_memzero(&state, sizeof state);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  EnsureSodium();
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::ResourceExhausted("not enough memory to hash a password (argon2id, 64 MiB)");
  }
  return std::string(out);
}

bool CheckPassword(std::string_view stored_hash, std::string_view password) {
  EnsureSodium();
  // libsodium reads a NUL-terminated string: one with an inner NUL or too long is no hash.
  if (stored_hash.size() >= crypto_pwhash_STRBYTES ||
      stored_hash.find('\0') != std::string_view::npos) {
    return false;
  }
  char stored[crypto_pwhash_STRBYTES] = {};
  std::memcpy(stored, stored_hash.data(), stored_hash.size());
  return crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

BoxKeyPair NewBoxKeyPair() {
  EnsureSodium();
  BoxKeyPair key;
  crypto_box_keypair(key.public_key.data(), key.secret_key.data());
  return key;
}

BoxKeyPair BoxKeyPairFromSecretKey(std::span<const uint8_t, 32> secret_key) {
  EnsureSodium();
  BoxKeyPair key;
  std::memcpy(key.secret_key.data(), secret_key.data(), key.secret_key.size());
  crypto_scalarmult_base(key.public_key.data(), key.secret_key.data());
  return key;
}

std::string SealTo(std::span<const uint8_t, 32> public_key, std::string_view plaintext) {
  EnsureSodium();
  static_assert(crypto_box_SEALBYTES == kSealOverheadBytes);
  std::string sealed(plaintext.size() + kSealOverheadBytes, '\0');
  crypto_box_seal(MutableBytes(sealed), Bytes(plaintext), plaintext.size(), public_key.data());
  return sealed;
}

Result<std::string> OpenSealed(const BoxKeyPair& key, std::string_view sealed) {
  EnsureSodium();
  if (sealed.size() < kSealOverheadBytes) {
    return Status::InvalidArgument("sealed data is too short");
  }
  std::string plaintext(sealed.size() - kSealOverheadBytes, '\0');
  if (crypto_box_seal_open(MutableBytes(plaintext), Bytes(sealed), sealed.size(),
                           key.public_key.data(), key.secret_key.data()) != 0) {
    return Status::InvalidArgument("cannot be opened with this key (tampered or another key)");
  }
  return plaintext;
}

Status WriteBoxSecretKeyFile(const std::string& path, const BoxKeyPair& key) {
  EnsureSodium();
  std::string text = KeyToBase64(key.secret_key) + "\n";
  // Written aside then hard-linked into place, as the signing key: the file appears whole or
  // not at all, and an existing file is never replaced.
  const std::string temp = path + ".tmp." + std::to_string(::getpid()) + "." +
                           std::to_string(randombytes_uniform(1u << 30));
  Status written = WriteNewFile(temp, text);
  sodium_memzero(text.data(), text.size());
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) {
      return Status::FailedPrecondition(path + " exists: a key file is never replaced");
    }
    errno = link_errno;
    return Status::Unavailable(ErrnoText("cannot create secret key", path));
  }
  SyncDirectory(std::filesystem::path(path).parent_path());
  return Status::Ok();
}

Result<BoxKeyPair> ReadBoxSecretKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable(ErrnoText("cannot read secret key", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable(ErrnoText("cannot read secret key", path));
  std::string body = text.str();
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  auto secret = KeyFromBase64(body);
  sodium_memzero(body.data(), body.size());
  if (!secret.ok()) {
    return Status::InvalidArgument("secret key file " + path +
                                   " does not hold the base64 of a 32-byte X25519 secret key");
  }
  BoxKeyPair key = BoxKeyPairFromSecretKey(*secret);
  sodium_memzero(secret->data(), secret->size());
  return key;
}

std::vector<std::string> SealDocument(std::span<const uint8_t, 32> public_key,
                                      std::string_view plaintext) {
  std::vector<std::string> chunks;
  chunks.reserve(SealedChunkCount(plaintext.size()));
  // Full chunks, then the short last one (empty when the size is a multiple of a chunk).
  size_t at = 0;
  for (; plaintext.size() - at >= kSealChunkBytes; at += kSealChunkBytes) {
    chunks.push_back(SealTo(public_key, plaintext.substr(at, kSealChunkBytes)));
  }
  chunks.push_back(SealTo(public_key, plaintext.substr(at)));
  return chunks;
}

Result<std::string> OpenDocumentChunk(const BoxKeyPair& key, std::string_view sealed_chunk,
                                      bool last) {
  auto plaintext = OpenSealed(key, sealed_chunk);
  if (!plaintext.ok()) return plaintext;
  if (!last && plaintext->size() != kSealChunkBytes) {
    return Status::InvalidArgument("holds " + std::to_string(plaintext->size()) +
                                   " bytes but is not the last chunk: every chunk but the last "
                                   "holds " +
                                   std::to_string(kSealChunkBytes));
  }
  if (last && plaintext->size() == kSealChunkBytes) {
    return Status::InvalidArgument("holds " + std::to_string(kSealChunkBytes) +
                                   " bytes and is the last chunk: the document was cut short "
                                   "(a last chunk holds fewer)");
  }
  return plaintext;
}

Result<std::string> OpenDocument(const BoxKeyPair& key,
                                 const std::vector<std::string>& sealed_chunks) {
  if (sealed_chunks.empty()) {
    return Status::InvalidArgument("a sealed document has at least one chunk, got none");
  }
  std::string plaintext;
  for (size_t i = 0; i < sealed_chunks.size(); ++i) {
    auto part = OpenDocumentChunk(key, sealed_chunks[i], i + 1 == sealed_chunks.size());
    if (!part.ok()) {
      return Status::InvalidArgument(ChunkName(i, sealed_chunks.size()) + ": " +
                                     part.status().message());
    }
    plaintext += *part;
  }
  return plaintext;
}

std::string FrameSealedChunk(std::string_view sealed_chunk) {
  std::string frame = LengthPrefix(sealed_chunk.size());
  frame += sealed_chunk;
  return frame;
}

std::string EncodeSealedFile(const std::vector<std::string>& sealed_chunks) {
  std::string file(kSealedFileMagic);
  for (const std::string& chunk : sealed_chunks) file += FrameSealedChunk(chunk);
  return file;
}

SealedFileHasher::SealedFileHasher() { sha_.Update(kSealedFileMagic); }

void SealedFileHasher::AddChunk(std::string_view sealed_chunk) {
  sha_.Update(LengthPrefix(sealed_chunk.size()));
  sha_.Update(sealed_chunk);
}

Hash SealedFileHasher::Finish() { return sha_.Final(); }

Result<std::vector<std::string>> DecodeSealedFile(std::string_view file) {
  if (!file.starts_with(kSealedFileMagic)) return NoMagic();
  std::vector<std::string> chunks;
  size_t at = kSealedFileMagic.size();
  while (at < file.size()) {
    const size_t number = chunks.size() + 1;
    if (file.size() - at < 4) {
      return Status::InvalidArgument("sealed file: chunk " + std::to_string(number) +
                                     " at offset " + std::to_string(at) + ": length cut short");
    }
    const uint32_t length = ReadLength(file.data() + at);
    LIMPIDE_RETURN_IF_ERROR(CheckFrameLength(length, number, at));
    if (file.size() - at - 4 < length) {
      return Status::InvalidArgument("sealed file: chunk " + std::to_string(number) +
                                     " at offset " + std::to_string(at) + ": cut short (" +
                                     std::to_string(length) + " bytes announced, " +
                                     std::to_string(file.size() - at - 4) + " present)");
    }
    chunks.emplace_back(file.substr(at + 4, length));
    at += 4 + length;
  }
  if (chunks.empty()) return Status::InvalidArgument("sealed file: no chunk after the magic");
  return chunks;
}

Status SealStream(std::span<const uint8_t, 32> public_key, std::istream& in, std::ostream& out) {
  out.write(kSealedFileMagic.data(), static_cast<std::streamsize>(kSealedFileMagic.size()));
  std::string buffer(kSealChunkBytes, '\0');
  while (true) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.bad()) return Status::Unavailable("cannot read the document to seal");
    const auto got = static_cast<size_t>(in.gcount());
    const std::string frame =
        FrameSealedChunk(SealTo(public_key, std::string_view(buffer).substr(0, got)));
    out.write(frame.data(), static_cast<std::streamsize>(frame.size()));
    if (!out) return Status::Unavailable("cannot write the sealed file");
    if (got < kSealChunkBytes) break;  // the short last chunk, as the format requires
  }
  sodium_memzero(buffer.data(), buffer.size());
  out.flush();
  if (!out) return Status::Unavailable("cannot write the sealed file");
  return Status::Ok();
}

Status OpenStream(const BoxKeyPair& key, std::istream& in, std::ostream& out) {
  std::string magic(kSealedFileMagic.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  if (in.bad()) return Status::Unavailable("cannot read the sealed file");
  if (static_cast<size_t>(in.gcount()) != magic.size() || magic != kSealedFileMagic) {
    return NoMagic();
  }
  uint64_t at = magic.size();
  // Reads the frame length of chunk `number` at `at` into `*length`; false at the end.
  auto read_length = [&](size_t number, uint32_t* length) -> Result<bool> {
    char prefix[4];
    in.read(prefix, sizeof prefix);
    if (in.bad()) return Status::Unavailable("cannot read the sealed file");
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) return false;
    if (got < sizeof prefix) {
      return Status::InvalidArgument("sealed file: chunk " + std::to_string(number) +
                                     " at offset " + std::to_string(at) + ": length cut short");
    }
    *length = ReadLength(prefix);
    return true;
  };
  uint32_t length = 0;
  auto more = read_length(1, &length);
  if (!more.ok()) return more.status();
  if (!*more) return Status::InvalidArgument("sealed file: no chunk after the magic");
  std::string chunk;
  for (size_t number = 1; *more; ++number) {
    LIMPIDE_RETURN_IF_ERROR(CheckFrameLength(length, number, at));
    chunk.resize(length);
    in.read(chunk.data(), length);
    if (in.bad()) return Status::Unavailable("cannot read the sealed file");
    if (static_cast<size_t>(in.gcount()) != length) {
      return Status::InvalidArgument("sealed file: chunk " + std::to_string(number) +
                                     " at offset " + std::to_string(at) + ": cut short (" +
                                     std::to_string(length) + " bytes announced, " +
                                     std::to_string(in.gcount()) + " present)");
    }
    const uint64_t chunk_at = at;
    at += 4 + length;
    // The next frame's length says whether this chunk is the last one.
    const uint32_t this_length = length;
    more = read_length(number + 1, &length);
    if (!more.ok()) return more.status();
    auto plaintext = OpenDocumentChunk(key, std::string_view(chunk).substr(0, this_length), !*more);
    if (!plaintext.ok()) {
      return Status::InvalidArgument("sealed file: chunk " + std::to_string(number) +
                                     " at offset " + std::to_string(chunk_at) + ": " +
                                     plaintext.status().message());
    }
    out.write(plaintext->data(), static_cast<std::streamsize>(plaintext->size()));
    sodium_memzero(plaintext->data(), plaintext->size());
    if (!out) return Status::Unavailable("cannot write the opened document");
  }
  out.flush();
  if (!out) return Status::Unavailable("cannot write the opened document");
  return Status::Ok();
}

}  // namespace limpide::crypto
