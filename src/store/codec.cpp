#include "store/codec.h"

#include <cstring>

#include "domain/text.h"
#include "domain/time.h"

namespace limpide::store::internal {
namespace {

// ---- SHA-256 ---------------------------------------------------------------

constexpr uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void Compress(uint32_t state[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) {
    w[i] = (uint32_t{block[4 * i]} << 24) | (uint32_t{block[4 * i + 1]} << 16) |
           (uint32_t{block[4 * i + 2]} << 8) | uint32_t{block[4 * i + 3]};
  }
  for (int i = 16; i < 64; ++i) {
    const uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 64; ++i) {
    const uint32_t s1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
    const uint32_t ch = (e & f) ^ (~e & g);
    const uint32_t t1 = h + s1 + ch + kRound[i] + w[i];
    const uint32_t s0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
    const uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    const uint32_t t2 = s0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

// ---- Canonical serialisation -------------------------------------------------
// Every field is written in a fixed order; strings are length-prefixed and
// optionals carry a presence byte, so that two different contracts can never
// produce the same byte string.

class Canon {
 public:
  explicit Canon(std::string& out) : out_(out) {}
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Str(std::string_view s) {
    U64(s.size());
    out_.append(s);
  }
  void Present(bool p) { out_.push_back(p ? '\1' : '\0'); }
  void Date(const std::optional<domain::Date>& d) {
    Present(d.has_value());
    if (d) I64(int64_t{d->year} * 10000 + d->month * 100 + d->day);
  }
  void Money(const std::optional<domain::Money>& m) {
    Present(m.has_value());
    if (m) I64(m->cents);
  }
  void Int(const std::optional<int>& v) {
    Present(v.has_value());
    if (v) I64(*v);
  }
  void Holders(const std::vector<domain::Holder>& hs) {
    U64(hs.size());
    for (const auto& h : hs) {
      Str(h.id);
      Str(h.id_type);
      Str(h.name);
    }
  }

 private:
  std::string& out_;
};

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  return domain::ParseDate(s).ok();
}

}  // namespace

ContentHash Sha256(std::string_view data) {
  uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t n = data.size();
  const uint64_t bits = static_cast<uint64_t>(n) * 8;
  while (n >= 64) {
    Compress(state, p);
    p += 64;
    n -= 64;
  }
  uint8_t tail[128] = {};
  std::memcpy(tail, p, n);
  tail[n] = 0x80;
  const size_t tail_len = n < 56 ? 64 : 128;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  Compress(state, tail);
  if (tail_len == 128) Compress(state, tail + 64);
  ContentHash out;
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<uint8_t>(state[i] >> 24);
    out[4 * i + 1] = static_cast<uint8_t>(state[i] >> 16);
    out[4 * i + 2] = static_cast<uint8_t>(state[i] >> 8);
    out[4 * i + 3] = static_cast<uint8_t>(state[i]);
  }
  return out;
}

ContentHash HashContent(const domain::Contract& c) {
  // Reused per thread: the serialisation is a few hundred bytes per contract.
  thread_local std::string buf;
  buf.clear();
  Canon w(buf);
  w.Str("limpide.contract.v1");
  w.Str(c.uid);
  w.Str(c.id);
  w.I64(static_cast<int64_t>(c.kind));
  w.Str(c.buyer_id);
  w.Str(c.buyer_name);
  w.Present(c.nature.has_value());
  if (c.nature) w.I64(static_cast<int64_t>(*c.nature));
  w.Present(c.procedure.has_value());
  if (c.procedure) w.I64(static_cast<int64_t>(*c.procedure));
  w.Str(c.object);
  w.Str(c.cpv);
  w.Str(c.place.code);
  w.Str(c.place.code_type);
  w.Str(c.place.name);
  w.Int(c.duration_months);
  w.Money(c.amount);
  w.Money(c.public_subsidy);
  w.Date(c.notified_on);
  w.Date(c.published_on);
  w.Date(c.execution_start);
  w.Str(c.price_form);
  w.Holders(c.holders);
  w.U64(c.modifications.size());
  for (const auto& m : c.modifications) {
    w.Str(m.id);
    w.Str(m.object);
    w.Date(m.signed_on);
    w.Date(m.published_on);
    w.Int(m.duration_months);
    w.Money(m.amount);
    w.Holders(m.holders);
  }
  w.Str(c.extra_json);
  w.Str(c.schema_version);
  return Sha256(buf);
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                       (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                       uint32_t{static_cast<uint8_t>(bytes[i + 2])};
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    if (rest == 2) out.push_back(kB64[(v >> 6) & 63]);
  }
  return out;
}

bool Base64UrlDecode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'A' && ch <= 'Z')
      v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z')
      v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9')
      v = ch - '0' + 52;
    else if (ch == '-')
      v = 62;
    else if (ch == '_')
      v = 63;
    else
      return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero, so that each byte string has one encoding.
  return (acc & ((1u << bits) - 1)) == 0;
}

std::string EncodeCursor(const SortKey& key) {
  std::string raw = "c1\n";
  raw += key.date;
  raw += '\n';
  raw += key.uid;
  return Base64UrlEncode(raw);
}

Result<SortKey> DecodeCursor(std::string_view cursor) {
  const Status bad = Status::InvalidArgument("malformed cursor", "after");
  std::string raw;
  if (cursor.size() > 4096 || !Base64UrlDecode(cursor, raw)) return bad;
  if (raw.size() < 4 || raw.compare(0, 3, "c1\n") != 0) return bad;
  const size_t sep = raw.find('\n', 3);
  if (sep == std::string::npos) return bad;
  SortKey key{raw.substr(3, sep - 3), raw.substr(sep + 1)};
  if (!key.date.empty() && !IsDate(key.date)) return bad;
  if (key.uid.empty()) return bad;
  return key;
}

std::string Cpv8(std::string_view cpv) {
  if (cpv.size() < 8) return {};
  for (size_t i = 0; i < 8; ++i) {
    if (cpv[i] < '0' || cpv[i] > '9') return {};
  }
  return std::string(cpv.substr(0, 8));
}

Status CheckFilter(const ContractFilter& f) {
  if (!f.cpv_prefix.empty()) {
    bool digits = f.cpv_prefix.size() >= 2 && f.cpv_prefix.size() <= 8;
    for (char ch : f.cpv_prefix) digits = digits && ch >= '0' && ch <= '9';
    if (!digits) return Status::InvalidArgument("cpv_prefix must be 2 to 8 digits", "cpv_prefix");
  }
  if (f.notified_from && f.notified_to && *f.notified_to < *f.notified_from) {
    return Status::InvalidArgument("notified_to is before notified_from", "notified_to");
  }
  if (f.amount_min && f.amount_max && *f.amount_max < *f.amount_min) {
    return Status::InvalidArgument("amount_max is below amount_min", "amount_max");
  }
  return Status::Ok();
}

Status CheckLimit(int limit) {
  if (limit < 1 || limit > kMaxPageLimit) {
    return Status::InvalidArgument("limit must be between 1 and 1000", "limit");
  }
  return Status::Ok();
}

std::vector<std::string> SearchWords(std::string_view text) {
  std::vector<std::string> words;
  if (text.empty()) return words;
  const std::string folded = domain::FoldForSearch(text);
  size_t i = 0;
  while (i < folded.size()) {
    while (i < folded.size() && (folded[i] == ' ' || folded[i] == '\t' || folded[i] == '\n')) ++i;
    size_t j = i;
    while (j < folded.size() && folded[j] != ' ' && folded[j] != '\t' && folded[j] != '\n') ++j;
    if (j > i) words.emplace_back(folded.substr(i, j - i));
    i = j;
  }
  return words;
}

}  // namespace limpide::store::internal
