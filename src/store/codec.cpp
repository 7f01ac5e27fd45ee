#include "store/codec.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <cstdio>
#include <chrono>
#include <nlohmann/json.hpp>

#include "crypto/crypto.h"
#include "domain/text.h"
#include "domain/time.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"

namespace limpide::store::internal {
namespace {

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
  return crypto::Sha256(buf);
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

std::string EncodeObjectCursor(std::string_view id) {
  std::string raw = "o1\n";
  raw += id;
  return Base64UrlEncode(raw);
}

Result<std::string> DecodeObjectCursor(std::string_view cursor) {
  std::string raw;
  if (cursor.size() > 4096 || !Base64UrlDecode(cursor, raw) || raw.size() < 4 ||
      raw.compare(0, 3, "o1\n") != 0) {
    return Status::InvalidArgument("malformed cursor", "after");
  }
  return raw.substr(3);
}

namespace {
Status CheckName(std::string_view value, size_t max, const char* field) {
  if (value.empty()) return Status::InvalidArgument(std::string(field) + " is empty", field);
  if (value.size() > max) {
    return Status::InvalidArgument(
        std::string(field) + " is longer than " + std::to_string(max) + " bytes", field);
  }
  for (const char ch : value) {
    if (static_cast<unsigned char>(ch) < 0x20) {
      return Status::InvalidArgument(std::string(field) + " holds a control character", field);
    }
  }
  return Status::Ok();
}
}  // namespace

Status CheckObject(std::string_view kind, std::string_view id, std::string_view body) {
  LIMPIDE_RETURN_IF_ERROR(CheckName(kind, 64, "kind"));
  LIMPIDE_RETURN_IF_ERROR(CheckName(id, 512, "id"));
  const size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || body[first] != '{' || !nlohmann::json::accept(body)) {
    return Status::InvalidArgument("object body is not a JSON object", "body");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ObjectOrgs(std::string_view body) {
  std::vector<std::string> orgs;
  // Most bodies have no "orgs": no second parse for them.
  if (body.find("\"orgs\"") == std::string_view::npos) return orgs;
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("object body is not a JSON object", "body");
  auto it = j.find("orgs");
  if (it == j.end()) return orgs;
  const auto bad = [] {
    return Status::InvalidArgument(
        "\"orgs\" must be an array of 1 to 100,000 organization ids (1 to 64 bytes each)", "body");
  };
  if (!it->is_array() || it->empty() || it->size() > 100'000) return bad();
  for (const auto& o : *it) {
    if (!o.is_string()) return bad();
    const std::string& id = o.get_ref<const std::string&>();
    if (id.empty() || id.size() > 64) return bad();
    for (const char ch : id)
      if (static_cast<unsigned char>(ch) < 0x20) return bad();
    orgs.push_back(id);
  }
  std::sort(orgs.begin(), orgs.end());
  orgs.erase(std::unique(orgs.begin(), orgs.end()), orgs.end());
  return orgs;
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

Result<std::string> ObjectCursorKey(std::string_view after) {
  if (after.empty()) return std::string();
  return DecodeObjectCursor(after);
}

Status CheckCopiedObject(const StoredObject& o) {
  LIMPIDE_RETURN_IF_ERROR(CheckObject(o.kind, o.id, o.body));
  if (o.version < 1) return Status::InvalidArgument("object version below 1", "version");
  return Status::Ok();
}

std::string PrefixUpperBound(std::string_view prefix) {
  std::string upper(prefix);
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xFF) upper.pop_back();
  if (!upper.empty())
    upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  return upper;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string LedgerNow() {
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

Result<std::string> EncodeLedgerAppend(const LedgerAppend& e, uint64_t seq,
                                       const std::string& time) {
  if (e.kind.empty() || e.subject.empty()) {
    return Status::InvalidArgument("ledger entry without kind or subject", "kind");
  }
  // Fast path: the body spliced into the entry text, which is then checked
  // in one pass without building a JSON value.
  std::string text;
  auto kind = ledger::CanonicalJson(nlohmann::json(e.kind));
  auto subject = ledger::CanonicalJson(nlohmann::json(e.subject));
  if (kind.ok() && subject.ok()) {
    text.reserve(e.body.size() + kind->size() + subject->size() + 96);
    text += "{\"body\":";
    text += e.body;
    text += ",\"kind\":";
    text += *kind;
    text += ",\"seq\":";
    text += std::to_string(seq);
    text += ",\"subject\":";
    text += *subject;
    text += ",\"time\":\"";
    text += time;
    text += "\"}";
  }
  uint64_t checked_seq = 0;
  if (!text.empty() && ledger::QuickCheckEncodedEntry(text, &checked_seq) && checked_seq == seq) {
    return text;
  }
  // Anything else is parsed and canonicalised, or refused with the reason.
  ledger::Entry entry;
  entry.seq = seq;
  entry.time = time;
  entry.kind = e.kind;
  entry.subject = e.subject;
  entry.body = nlohmann::json::parse(e.body, nullptr, /*allow_exceptions=*/false);
  if (entry.body.is_discarded() || !entry.body.is_object()) {
    return Status::InvalidArgument("ledger entry body is not a JSON object", "body");
  }
  return ledger::EncodeEntry(entry);
}

Status CheckCopiedEntry(const LedgerRecord& r, uint64_t size, std::string_view last_time) {
  const std::string where = "ledger entry " + std::to_string(r.seq);
  if (r.seq != size) {
    return Status::FailedPrecondition(where + " copied where entry " + std::to_string(size) +
                                      " comes next");
  }
  if (r.time < last_time) {
    return Status::FailedPrecondition(where + " is older than the last entry (" + r.time + " < " +
                                      std::string(last_time) + ")");
  }
  uint64_t seq = 0;
  if (!ledger::QuickCheckEncodedEntry(r.entry, &seq)) {
    auto decoded = ledger::DecodeEntry(r.entry);
    if (!decoded.ok()) return Status::InvalidArgument(where + ": " + decoded.status().message(), "entry");
    seq = decoded->seq;
  }
  if (seq != r.seq) {
    return Status::InvalidArgument(where + " holds seq " + std::to_string(seq), "entry");
  }
  if (ledger::LeafHash(r.entry) != r.leaf_hash) {
    return Status::InvalidArgument(where + ": leaf hash does not match its bytes", "leaf_hash");
  }
  return Status::Ok();
}

void AddInventoryRow(Inventory& inv, int64_t table, std::string_view kind, int64_t rows,
                     int64_t bytes) {
  switch (table) {
    case 0: inv.contracts = rows; break;
    case 1: inv.organizations = rows; break;
    case 2: inv.ledger_entries = rows; break;
    case 3: inv.ledger_nodes = rows; break;
    case 4:
      inv.blobs = rows;
      inv.blob_bytes = bytes;
      break;
    default: {
      auto at = std::lower_bound(
          inv.objects.begin(), inv.objects.end(), kind,
          [](const std::pair<std::string, int64_t>& e, std::string_view k) { return e.first < k; });
      inv.objects.insert(at, {std::string(kind), rows});
    }
  }
}

}  // namespace limpide::store::internal

namespace limpide::store {
std::string ObjectCursorAfter(std::string_view id) { return internal::EncodeObjectCursor(id); }
}  // namespace limpide::store
