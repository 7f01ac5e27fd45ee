#include "ledger/entry.h"

#include <charconv>
#include <string>
#include <vector>

namespace limpide::ledger {
namespace {

using nlohmann::json;

constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;  // I-JSON, RFC 7493 §2.2
constexpr int kMaxDepth = 64;

// Appends `s` as a canonical JSON string; false when `s` is not valid UTF-8.
bool AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the bytes not yet appended
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      // Well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no surrogates, <= U+10FFFF.
      size_t len;
      unsigned char lo = 0x80, hi = 0xbf;
      if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
      } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
      } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
      } else {
        return false;
      }
      if (i + len > s.size()) return false;
      for (size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return false;
      }
      i += len;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0x0f];
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
  return true;
}

void AppendInteger(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Escapes a key for a JSON pointer (RFC 6901).
std::string PointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

class CanonicalWriter {
 public:
  explicit CanonicalWriter(std::string& out, std::string pointer_prefix = {})
      : out_(out), prefix_(std::move(pointer_prefix)) {}

  Status Write(const json& v) {
    switch (v.type()) {
      case json::value_t::null:
        out_ += "null";
        return Status::Ok();
      case json::value_t::boolean:
        out_ += v.get<bool>() ? "true" : "false";
        return Status::Ok();
      case json::value_t::number_integer: {
        const int64_t n = v.get<int64_t>();
        if (n > kMaxSafeInteger || n < -kMaxSafeInteger) return OutOfRange(std::to_string(n));
        AppendInteger(out_, n);
        return Status::Ok();
      }
      case json::value_t::number_unsigned: {
        const uint64_t n = v.get<uint64_t>();
        if (n > static_cast<uint64_t>(kMaxSafeInteger)) return OutOfRange(std::to_string(n));
        AppendInteger(out_, static_cast<int64_t>(n));
        return Status::Ok();
      }
      case json::value_t::number_float:
        return Error(
            "a floating-point number is not allowed in canonical JSON: write an integer (cents, "
            "milliseconds…) or a string");
      case json::value_t::string:
        if (!AppendString(out_, v.get_ref<const std::string&>())) {
          return Error("a string is not valid UTF-8");
        }
        return Status::Ok();
      case json::value_t::array: {
        if (path_.size() >= kMaxDepth) return TooDeep();
        out_ += '[';
        const auto& a = v.get_ref<const json::array_t&>();
        for (size_t i = 0; i < a.size(); ++i) {
          if (i) out_ += ',';
          path_.push_back({nullptr, i});
          LIMPIDE_RETURN_IF_ERROR(Write(a[i]));
          path_.pop_back();
        }
        out_ += ']';
        return Status::Ok();
      }
      case json::value_t::object: {
        if (path_.size() >= kMaxDepth) return TooDeep();
        out_ += '{';
        // json::object_t is a std::map ordered by std::string's operator<, which compares
        // bytes as unsigned char: the canonical order.
        bool first = true;
        for (const auto& [key, value] : v.get_ref<const json::object_t&>()) {
          if (!first) out_ += ',';
          first = false;
          path_.push_back({&key, 0});
          if (!AppendString(out_, key)) return Error("an object key is not valid UTF-8");
          out_ += ':';
          LIMPIDE_RETURN_IF_ERROR(Write(value));
          path_.pop_back();
        }
        out_ += '}';
        return Status::Ok();
      }
      case json::value_t::binary:
        return Error("binary values have no JSON form");
      case json::value_t::discarded:
        return Error("a discarded value has no JSON form");
    }
    return Error("unknown JSON value type");
  }

 private:
  struct Step {
    const std::string* key;  // null for an array element
    size_t index;
  };

  std::string Pointer() const {
    std::string p = prefix_;
    for (const Step& s : path_) {
      p += '/';
      p += s.key ? PointerToken(*s.key) : std::to_string(s.index);
    }
    return p.empty() ? "/" : p;
  }
  Status Error(const std::string& what) const {
    const std::string p = Pointer();
    return Status::InvalidArgument(what + " (at " + p + ")", p);
  }
  Status OutOfRange(const std::string& n) const {
    return Error("the integer " + n +
                 " is outside ±(2^53 - 1), the range every JSON reader handles exactly: write it "
                 "as a string");
  }
  Status TooDeep() const {
    return Error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }

  std::string& out_;
  std::string prefix_;
  std::vector<Step> path_;
};

bool IsDigits(std::string_view s, size_t from, size_t count) {
  for (size_t i = from; i < from + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Number(std::string_view s, size_t from, size_t count) {
  int n = 0;
  for (size_t i = from; i < from + count; ++i) n = n * 10 + (s[i] - '0');
  return n;
}

Status CheckKind(std::string_view kind) {
  if (kind.empty()) return Status::InvalidArgument("kind is empty", "kind");
  for (char c : kind) {
    if (c < 0x21 || c > 0x7e) {
      return Status::InvalidArgument(
          "kind must be printable ASCII without spaces, like \"contract.created\"", "kind");
    }
  }
  return Status::Ok();
}

// The message of a nlohmann exception without its "[json.exception.parse_error.101] " tag.
std::string JsonErrorText(const std::exception& e) {
  std::string_view what = e.what();
  if (!what.empty() && what.front() == '[') {
    auto close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

// A few bytes of `s` from `at`, printable, for messages.
std::string Excerpt(std::string_view s, size_t at) {
  std::string out;
  for (size_t i = at; i < s.size() && i < at + 24; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (at + 24 < s.size()) out += "…";
  if (at >= s.size()) out = "(end)";
  return out;
}

// Recognises canonical JSON without building a value: every method returns false at the first
// byte that is not what CanonicalWriter would have written, or that it does not handle.
class CanonicalScanner {
 public:
  explicit CanonicalScanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  bool AtEnd() const { return p_ == end_; }

  bool Literal(std::string_view text) {
    if (static_cast<size_t>(end_ - p_) < text.size() || std::string_view(p_, text.size()) != text) {
      return false;
    }
    p_ += text.size();
    return true;
  }

  // A string; `raw` gets the bytes between the quotes as written.
  bool String(std::string_view* raw, bool* escaped) {
    if (!Literal("\"")) return false;
    const char* start = p_;
    *escaped = false;
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        *raw = std::string_view(start, p_ - start);
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        *escaped = true;
        if (!Escape()) return false;
      } else if (c >= 0x80) {
        if (!Utf8()) return false;
      } else {
        ++p_;
      }
    }
    return false;
  }

  // An integer in canonical form within ±(2^53 - 1).
  bool Integer(int64_t* value) {
    bool negative = false;
    if (p_ < end_ && *p_ == '-') {
      negative = true;
      ++p_;
    }
    const char* start = p_;
    uint64_t n = 0;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      if (p_ - start >= 16) return false;
      n = n * 10 + static_cast<uint64_t>(*p_ - '0');
      ++p_;
    }
    const ptrdiff_t digits = p_ - start;
    if (digits == 0 || (digits > 1 && *start == '0') || (negative && n == 0)) return false;
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    if (n > static_cast<uint64_t>(kMaxSafeInteger)) return false;
    *value = negative ? -static_cast<int64_t>(n) : static_cast<int64_t>(n);
    return true;
  }

  // Any value; `depth` counts the containers around it, as CanonicalWriter's path does.
  bool Value(int depth) {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{':
        return Object(depth);
      case '[': {
        if (depth >= kMaxDepth) return false;
        ++p_;
        if (Literal("]")) return true;
        do {
          if (!Value(depth + 1)) return false;
        } while (Literal(","));
        return Literal("]");
      }
      case '"': {
        std::string_view raw;
        bool escaped;
        return String(&raw, &escaped);
      }
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default: {
        int64_t n;
        return Integer(&n);
      }
    }
  }

  // An object whose keys are strictly increasing bytes (so no duplicates); keys with escapes are
  // left to the slow path, where the written and the compared bytes differ.
  bool Object(int depth) {
    if (depth >= kMaxDepth || !Literal("{")) return false;
    if (Literal("}")) return true;
    std::string_view previous;
    bool first = true;
    do {
      std::string_view key;
      bool escaped;
      if (!String(&key, &escaped) || escaped) return false;
      if (!first && !(previous < key)) return false;
      first = false;
      previous = key;
      if (!Literal(":") || !Value(depth + 1)) return false;
    } while (Literal(","));
    return Literal("}");
  }

 private:
  bool Escape() {
    if (end_ - p_ < 2) return false;
    switch (p_[1]) {
      case '"':
      case '\\':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        p_ += 2;
        return true;
      case 'u': {
        // Only \u00xx, lower-case, for a control character without a short escape.
        if (end_ - p_ < 6 || p_[2] != '0' || p_[3] != '0' || (p_[4] != '0' && p_[4] != '1')) {
          return false;
        }
        const char d = p_[5];
        int v;
        if (d >= '0' && d <= '9') {
          v = d - '0';
        } else if (d >= 'a' && d <= 'f') {
          v = d - 'a' + 10;
        } else {
          return false;
        }
        v += (p_[4] - '0') * 16;
        if (v == '\b' || v == '\f' || v == '\n' || v == '\r' || v == '\t') return false;
        p_ += 6;
        return true;
      }
      default:
        return false;
    }
  }

  bool Utf8() {
    const auto c = static_cast<unsigned char>(*p_);
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (static_cast<size_t>(end_ - p_) < len) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(p_[k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return false;
    }
    p_ += len;
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool QuickCheckEncodedEntry(std::string_view bytes, uint64_t* seq) {
  CanonicalScanner s(bytes);
  std::string_view kind, subject, time;
  bool escaped;
  int64_t n;
  if (!s.Literal("{\"body\":") || !s.Object(0) || !s.Literal(",\"kind\":") ||
      !s.String(&kind, &escaped) || escaped || kind.empty() || !s.Literal(",\"seq\":") ||
      !s.Integer(&n) || n < 0 || !s.Literal(",\"subject\":") || !s.String(&subject, &escaped) ||
      subject.empty() || !s.Literal(",\"time\":") || !s.String(&time, &escaped) || escaped ||
      !s.Literal("}") || !s.AtEnd()) {
    return false;
  }
  for (char c : kind) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  if (!CheckEntryTime(time).ok()) return false;
  *seq = static_cast<uint64_t>(n);
  return true;
}

Result<std::string> CanonicalJson(const nlohmann::json& value) {
  std::string out;
  CanonicalWriter writer(out);
  LIMPIDE_RETURN_IF_ERROR(writer.Write(value));
  return out;
}

Status CheckEntryTime(std::string_view t) {
  if (t.size() != 24 || !IsDigits(t, 0, 4) || t[4] != '-' || !IsDigits(t, 5, 2) || t[7] != '-' ||
      !IsDigits(t, 8, 2) || t[10] != 'T' || !IsDigits(t, 11, 2) || t[13] != ':' ||
      !IsDigits(t, 14, 2) || t[16] != ':' || !IsDigits(t, 17, 2) || t[19] != '.' ||
      !IsDigits(t, 20, 3) || t[23] != 'Z') {
    return Status::InvalidArgument(
        "time must be UTC in the form 2026-11-29T03:03:27.123Z (milliseconds, Z), got \"" +
            std::string(t.substr(0, 40)) + "\"",
        "time");
  }
  const int year = Number(t, 0, 4), month = Number(t, 5, 2), day = Number(t, 8, 2);
  const int hour = Number(t, 11, 2), minute = Number(t, 14, 2), second = Number(t, 17, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > kDays[month - 1] + (month == 2 && leap ? 1 : 0) || hour > 23 || minute > 59 ||
      second > 59) {
    return Status::InvalidArgument(
        "time \"" + std::string(t) + "\" is not a real UTC date and time", "time");
  }
  return Status::Ok();
}

Result<std::string> EncodeEntry(const Entry& e) {
  LIMPIDE_RETURN_IF_ERROR(CheckEntryTime(e.time));
  LIMPIDE_RETURN_IF_ERROR(CheckKind(e.kind));
  if (e.subject.empty()) return Status::InvalidArgument("subject is empty", "subject");
  if (e.seq > static_cast<uint64_t>(kMaxSafeInteger)) {
    return Status::InvalidArgument("seq " + std::to_string(e.seq) + " is above 2^53 - 1", "seq");
  }
  if (!e.body.is_object()) {
    return Status::InvalidArgument(
        std::string("body must be a JSON object, not ") + e.body.type_name(), "body");
  }
  // The five keys in byte order: body, kind, seq, subject, time.
  std::string out = "{\"body\":";
  CanonicalWriter writer(out, "/body");
  LIMPIDE_RETURN_IF_ERROR(writer.Write(e.body));
  out += ",\"kind\":";
  AppendString(out, e.kind);
  out += ",\"seq\":";
  AppendInteger(out, static_cast<int64_t>(e.seq));
  out += ",\"subject\":";
  if (!AppendString(out, e.subject)) {
    return Status::InvalidArgument("subject is not valid UTF-8", "subject");
  }
  out += ",\"time\":";
  AppendString(out, e.time);
  out += '}';
  return out;
}

Result<Entry> EntryFromJson(nlohmann::json j) {
  if (!j.is_object()) {
    return Status::InvalidArgument(std::string("an entry must be a JSON object, not ") +
                                   j.type_name());
  }
  static constexpr const char* kFields[] = {"body", "kind", "seq", "subject", "time"};
  for (const char* f : kFields) {
    if (!j.contains(f)) {
      return Status::InvalidArgument(std::string("the entry has no \"") + f + "\" field", f);
    }
  }
  if (j.size() != std::size(kFields)) {
    for (const auto& [key, value] : j.items()) {
      bool known = false;
      for (const char* f : kFields) known = known || key == f;
      if (!known) {
        return Status::InvalidArgument("the entry has an unknown field \"" + key + "\"", key);
      }
    }
  }
  Entry e;
  const json& seq = j["seq"];
  if (!seq.is_number_integer() || (!seq.is_number_unsigned() && seq.get<int64_t>() < 0)) {
    return Status::InvalidArgument("seq must be an integer >= 0", "seq");
  }
  e.seq = seq.get<uint64_t>();
  if (e.seq > static_cast<uint64_t>(kMaxSafeInteger)) {
    return Status::InvalidArgument("seq " + std::to_string(e.seq) + " is above 2^53 - 1", "seq");
  }
  for (const char* f : {"time", "kind", "subject"}) {
    if (!j[f].is_string()) {
      return Status::InvalidArgument(std::string(f) + " must be a string", f);
    }
  }
  e.time = std::move(j["time"].get_ref<std::string&>());
  e.kind = std::move(j["kind"].get_ref<std::string&>());
  e.subject = std::move(j["subject"].get_ref<std::string&>());
  LIMPIDE_RETURN_IF_ERROR(CheckEntryTime(e.time));
  LIMPIDE_RETURN_IF_ERROR(CheckKind(e.kind));
  if (e.subject.empty()) return Status::InvalidArgument("subject is empty", "subject");
  if (!j["body"].is_object()) {
    return Status::InvalidArgument(
        std::string("body must be a JSON object, not ") + j["body"].type_name(), "body");
  }
  e.body = std::move(j["body"]);
  return e;
}

nlohmann::json EntryToJson(const Entry& e) {
  return json{
      {"seq", e.seq}, {"time", e.time}, {"kind", e.kind}, {"subject", e.subject}, {"body", e.body}};
}

Result<Entry> DecodeEntry(std::string_view bytes) {
  json j;
  try {
    j = json::parse(bytes);
  } catch (const json::exception& e) {
    return Status::InvalidArgument("not JSON: " + JsonErrorText(e));
  }
  auto entry = EntryFromJson(std::move(j));
  if (!entry.ok()) return entry.status();
  auto canonical = EncodeEntry(*entry);
  if (!canonical.ok()) return canonical.status();
  if (*canonical != bytes) {
    size_t at = 0;
    while (at < bytes.size() && at < canonical->size() && bytes[at] == (*canonical)[at]) ++at;
    return Status::InvalidArgument(
        "not in canonical form (no whitespace, keys sorted, no duplicate keys, minimal escapes, "
        "see docs/ledger.md): at byte " +
        std::to_string(at) + " the input has `" + Excerpt(bytes, at) +
        "` where the canonical "
        "encoding has `" +
        Excerpt(*canonical, at) + "`");
  }
  return entry;
}

}  // namespace limpide::ledger
