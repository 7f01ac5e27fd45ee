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

}  // namespace

Hash Sha256(std::string_view bytes) { return Sha256Concat({bytes}); }

Hash Sha256Concat(std::initializer_list<std::string_view> parts) {
  // OpenSSL, not libsodium, for SHA-256: it uses the CPU's SHA extensions, 3 times faster than
  // libsodium 1.0.18's portable code on the 65-byte node hashes that proofs and dump verification
  // spend their time in, 5 to 7 times on entries (docs/ledger.md, "Performance"). The algorithm
  // is fetched once and each thread reuses one context.
  static EVP_MD* const kSha256 = [] {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) {
      std::fputs("limpide: OpenSSL has no SHA-256\n", stderr);
      std::abort();
    }
    return md;
  }();
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 &EVP_MD_CTX_free);
  Hash out;
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex2(ctx.get(), kSha256, nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == out.size();
  if (!ok) {
    std::fputs("limpide: SHA-256 failed (OpenSSL)\n", stderr);
    std::abort();
  }
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
