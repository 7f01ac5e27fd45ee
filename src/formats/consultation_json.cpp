#include "formats/consultation_json.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/cpv.h"
#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/time.h"

namespace limpide::formats {
namespace {

using nlohmann::json;
namespace d = domain;

// Deeper than any consultation: refused before the DOM grows without bound.
constexpr int kMaxDepth = 32;
// Amounts up to 10^13 euros: 10^15 cents, exact as a double (below 2^53).
constexpr int64_t kMaxCents = 1'000'000'000'000'000;
constexpr int64_t kMicrosPerDay = 86'400'000'000;
const d::Instant kMinInstant{d::DaysFromCivil({1900, 1, 1}) * kMicrosPerDay};
const d::Instant kEndInstant{d::DaysFromCivil({2200, 1, 1}) * kMicrosPerDay};

// ---- Writer -------------------------------------------------------------------

void SetText(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

void SetInstant(json& j, const char* key, const std::optional<d::Instant>& t) {
  if (t) j[key] = d::FormatInstantMillis(*t);
}

void SetMoney(json& j, const char* key, const std::optional<d::Money>& m) {
  if (!m) return;
  // As ContractToJson: whole euros as JSON integers, else a decimal number.
  if (m->cents % 100 == 0) {
    j[key] = m->cents / 100;
  } else {
    j[key] = d::ToEuros(*m);
  }
}

json CodeLabel(std::string_view code, std::string_view label) {
  return {{"code", code}, {"label", label}};
}

// ---- Reader -------------------------------------------------------------------

// Thrown by the parser callback past kMaxDepth.
struct TooDeep {};

// Reads one JSON object field by field; the first error wins.
class Reader {
 public:
  explicit Reader(bool stored) : stored_(stored) {}

  Status status() const { return status_; }
  bool ok() const { return status_.ok(); }

  void Fail(std::string message, std::string field) {
    if (status_.ok()) status_ = Status::InvalidArgument(std::move(message), std::move(field));
  }

  // Checks that every key of `j` is in `known`.
  bool OnlyKnownKeys(const json& j, std::initializer_list<std::string_view> known,
                     const std::string& prefix) {
    for (const auto& [key, value] : j.items()) {
      bool found = false;
      for (std::string_view k : known) found = found || k == key;
      if (!found) {
        Fail("unknown field \"" + Printable(key) + "\"" +
                 (prefix.empty() ? std::string() : " in " + prefix),
             Join(prefix, Printable(key)));
        return false;
      }
      (void)value;
    }
    return true;
  }

  std::optional<std::string> Text(const json& j, const std::string& field) {
    if (j.is_string()) return j.get<std::string>();
    Fail(field + " must be a string, not " + TypeName(j), field);
    return std::nullopt;
  }

  std::optional<bool> Bool(const json& j, const std::string& field) {
    if (j.is_boolean()) return j.get<bool>();
    Fail(field + " must be true or false, not " + TypeName(j), field);
    return std::nullopt;
  }

  std::optional<int64_t> Integer(const json& j, const std::string& field, int64_t min,
                                 int64_t max) {
    if (j.is_number_unsigned()) {
      // nlohmann reads every non-negative integer as unsigned.
      const uint64_t v = j.get<uint64_t>();
      if (v > static_cast<uint64_t>(max) || static_cast<int64_t>(v) < min) {
        Fail(OutOfRange(field, min, max), field);
        return std::nullopt;
      }
      return static_cast<int64_t>(v);
    }
    if (j.is_number_integer()) {
      const int64_t v = j.get<int64_t>();
      if (v < min || v > max) {
        Fail(OutOfRange(field, min, max), field);
        return std::nullopt;
      }
      return v;
    }
    Fail(field + " must be an integer, not " + TypeName(j), field);
    return std::nullopt;
  }

  std::optional<d::Money> Euros(const json& j, const std::string& field) {
    if (!j.is_number() && !j.is_string()) {
      Fail(field + " must be an amount in euros (a number), not " + TypeName(j), field);
      return std::nullopt;
    }
    // The JSON text of a number is what ParseEuros reads: same bounds and
    // rounding for 1234.5, "1234.50" and "1 234,50".
    Result<d::Money> m = d::ParseEuros(j.is_string() ? j.get<std::string>() : j.dump());
    if (!m.ok()) {
      Fail(field + ": " + Printable200(m.status().message()), field);
      return std::nullopt;
    }
    // Beyond 10^13 euros a number of cents no longer survives the JSON
    // number form exactly; no procurement comes near.
    if (m->cents > kMaxCents || m->cents < -kMaxCents) {
      Fail(field + " is beyond 10^13 euros", field);
      return std::nullopt;
    }
    return *m;
  }

  std::optional<d::Instant> Instant(const json& j, const std::string& field) {
    const std::optional<std::string> s = Text(j, field);
    if (!s) return std::nullopt;
    Result<d::Instant> t = d::ParseInstant(*s);
    if (!t.ok()) {
      Fail(field + " must be ISO 8601 with an offset, e.g. 2026-12-20T12:00:00+01:00: " +
               Printable200(t.status().message()),
           field);
      return std::nullopt;
    }
    // An offset can carry 1900-01-01T00:00+01:00 out of the years that
    // ParseInstant reads, and so out of what ConsultationToJson can write back.
    if (t->micros < kMinInstant.micros || t->micros >= kEndInstant.micros) {
      Fail(field + " must fall in the years 1900 to 2199 (UTC)", field);
      return std::nullopt;
    }
    return *t;
  }

  // A CPV code, returned in its canonical form; a missing check digit or a
  // lost leading zero is repaired, a wrong check digit is refused (a typo).
  std::optional<std::string> Cpv(const json& j, const std::string& field) {
    const std::optional<std::string> s = Text(j, field);
    if (!s) return std::nullopt;
    Result<d::ParsedCpv> p = d::ParseCpv(*s);
    if (!p.ok()) {
      Fail(Printable200(p.status().message()), field);
      return std::nullopt;
    }
    for (const std::string& repair : p->repairs) {
      if (repair == "cpv_check_digit_corrected") {
        Fail("CPV code \"" + Printable(*s) + "\" has a wrong check digit; the code " +
                 p->code->code8 + " is " + p->code->code,
             field);
        return std::nullopt;
      }
    }
    return p->code->code;
  }

  // "procedure": "appel_offres_ouvert", or {"code": …, "label": …} as written.
  std::optional<std::string> Code(const json& j, const std::string& field) {
    if (j.is_object()) {
      if (!OnlyKnownKeys(j, {"code", "label"}, field)) return std::nullopt;
      if (!j.contains("code")) {
        Fail(field + ".code is required", field + ".code");
        return std::nullopt;
      }
      return Text(j.at("code"), field + ".code");
    }
    if (j.is_string()) return j.get<std::string>();
    Fail(field + " must be a code string such as \"appel_offres_ouvert\", not " + TypeName(j),
         field);
    return std::nullopt;
  }

  const json* Array(const json& j, const std::string& field) {
    if (j.is_array()) return &j;
    Fail(field + " must be an array, not " + TypeName(j), field);
    return nullptr;
  }

  const json* Object(const json& j, const std::string& field) {
    if (j.is_object()) return &j;
    Fail(field + " must be an object, not " + TypeName(j), field);
    return nullptr;
  }

  void ReadBuyer(const json& j, d::Consultation& c) {
    if (!Object(j, "buyer") || !OnlyKnownKeys(j, {"id", "name", "centralGovernment"}, "buyer"))
      return;
    for (const auto& [key, v] : j.items()) {
      if (v.is_null()) continue;
      if (key == "id") {
        if (auto s = Text(v, "buyer.id")) c.buyer_id = *s;
      } else if (key == "name") {
        if (auto s = Text(v, "buyer.name")) c.buyer_name = *s;
      } else if (auto b = Bool(v, "buyer.centralGovernment")) {
        c.central_government = *b;
      }
    }
  }

  void ReadPlace(const json& j, d::Consultation& c) {
    if (!Object(j, "place") || !OnlyKnownKeys(j, {"code", "type"}, "place")) return;
    for (const auto& [key, v] : j.items()) {
      if (v.is_null()) continue;
      if (auto s = Text(v, "place." + key)) (key == "code" ? c.place_code : c.place_type) = *s;
    }
  }

  void ReadLots(const json& j, d::Consultation& c) {
    if (!Array(j, "lots")) return;
    for (size_t i = 0; i < j.size() && ok(); ++i) {
      const std::string at = "lots[" + std::to_string(i) + "]";
      const json& l = j[i];
      if (!Object(l, at) || !OnlyKnownKeys(l, {"number", "title", "cpv", "estimatedValue"}, at))
        return;
      d::Lot lot;
      for (const auto& [key, v] : l.items()) {
        if (v.is_null()) continue;
        const std::string field = at + "." + key;
        if (key == "number") {
          if (auto n = Integer(v, field, 1, 9999)) lot.number = static_cast<int>(*n);
        } else if (key == "title") {
          if (auto s = Text(v, field)) lot.title = *s;
        } else if (key == "cpv") {
          if (auto s = Cpv(v, field)) lot.cpv = *s;
        } else {
          lot.estimated_value = Euros(v, field);
        }
      }
      c.lots.push_back(std::move(lot));
    }
  }

  void ReadCriteria(const json& j, d::Consultation& c) {
    if (!Array(j, "criteria")) return;
    for (size_t i = 0; i < j.size() && ok(); ++i) {
      const std::string at = "criteria[" + std::to_string(i) + "]";
      const json& k = j[i];
      if (!Object(k, at) || !OnlyKnownKeys(k, {"name", "weight"}, at)) return;
      d::AwardCriterion criterion;
      for (const auto& [key, v] : k.items()) {
        if (v.is_null()) continue;
        if (key == "name") {
          if (auto s = Text(v, at + ".name")) criterion.name = *s;
        } else if (auto w = Integer(v, at + ".weight", -1000, 1000)) {
          // The range 1..100 and the sum are ValidateDraft's.
          criterion.weight = static_cast<int>(*w);
        }
      }
      c.criteria.push_back(std::move(criterion));
    }
  }

  void ReadAmendments(const json& j, d::Consultation& c) {
    if (!Array(j, "amendments")) return;
    for (size_t i = 0; i < j.size() && ok(); ++i) {
      const std::string at = "amendments[" + std::to_string(i) + "]";
      const json& a = j[i];
      if (!Object(a, at) || !OnlyKnownKeys(a, {"number", "at", "summary", "changedFields"}, at))
        return;
      d::Amendment amendment;
      for (const auto& [key, v] : a.items()) {
        if (v.is_null()) continue;
        const std::string field = at + "." + key;
        if (key == "number") {
          if (auto n = Integer(v, field, 1, std::numeric_limits<int>::max())) {
            amendment.number = static_cast<int>(*n);
          }
        } else if (key == "at") {
          if (auto t = Instant(v, field)) amendment.at = *t;
        } else if (key == "summary") {
          if (auto s = Text(v, field)) amendment.summary = *s;
        } else if (Array(v, field)) {
          for (size_t n = 0; n < v.size() && ok(); ++n) {
            if (auto s = Text(v[n], field + "[" + std::to_string(n) + "]")) {
              amendment.changed_fields.push_back(*s);
            }
          }
        }
      }
      c.amendments.push_back(std::move(amendment));
    }
  }

  // A lifecycle field: read into `out` in the stored form, checked and ignored
  // in the buyer's form.
  void LifecycleInstant(const json& v, const std::string& field, std::optional<d::Instant>& out) {
    std::optional<d::Instant> t = Instant(v, field);
    if (stored_) out = t;
  }

  void ReadField(const std::string& key, const json& v, d::Consultation& c) {
    if (v.is_null()) {
      if (key == "deadline" || key == "procedure") Fail(key + " is required", key);
      return;  // null: absent
    }
    if (key == "id") {
      if (auto s = Text(v, key)) c.id = *s;
    } else if (key == "reference") {
      if (auto s = Text(v, key)) c.reference = *s;
    } else if (key == "title") {
      if (auto s = Text(v, key)) c.title = *s;
    } else if (key == "description") {
      if (auto s = Text(v, key)) c.description = *s;
    } else if (key == "buyer") {
      ReadBuyer(v, c);
    } else if (key == "procedure") {
      if (auto code = Code(v, key)) {
        if (auto p = d::ProcedureFromCode(*code)) {
          c.procedure = *p;
        } else {
          Fail("unknown procedure code \"" + Printable(*code) + "\"; " + CodeList(true), key);
        }
      }
    } else if (key == "nature") {
      if (auto code = Code(v, key)) {
        if (auto n = d::NatureFromCode(*code)) {
          c.nature = *n;
        } else {
          Fail("unknown nature code \"" + Printable(*code) + "\"; " + CodeList(false), key);
        }
      }
    } else if (key == "cpv") {
      if (auto s = Cpv(v, key)) c.cpv = *s;
    } else if (key == "additionalCpv") {
      if (!Array(v, key)) return;
      for (size_t i = 0; i < v.size() && ok(); ++i) {
        if (auto s = Cpv(v[i], key + "[" + std::to_string(i) + "]")) c.additional_cpv.push_back(*s);
      }
    } else if (key == "place") {
      ReadPlace(v, c);
    } else if (key == "estimatedValue") {
      c.estimated_value = Euros(v, key);
    } else if (key == "lots") {
      ReadLots(v, c);
    } else if (key == "criteria") {
      ReadCriteria(v, c);
    } else if (key == "electronicBids") {
      if (auto b = Bool(v, key)) c.electronic_bids = *b;
    } else if (key == "test") {
      if (auto b = Bool(v, key)) c.test = *b;
    } else if (key == "maxDocumentBytes") {
      if (auto n = Integer(v, key, 0, std::numeric_limits<int64_t>::max())) {
        c.max_document_bytes = *n;
      }
    } else if (key == "questionsDeadline") {
      c.questions_deadline = Instant(v, key);
    } else if (key == "deadline") {
      if (auto t = Instant(v, key)) c.deadline = *t;
    } else if (key == "state") {
      if (auto code = Code(v, key)) {
        if (auto s = d::StateFromCode(*code)) {
          if (stored_) c.state = *s;
        } else {
          Fail("unknown state code \"" + Printable(*code) + "\"", key);
        }
      }
    } else if (key == "publishedAt") {
      LifecycleInstant(v, key, c.published_at);
    } else if (key == "openedAt") {
      LifecycleInstant(v, key, c.opened_at);
    } else if (key == "evaluatedAt") {
      LifecycleInstant(v, key, c.evaluated_at);
    } else if (key == "awardedAt") {
      LifecycleInstant(v, key, c.awarded_at);
    } else if (key == "standstillEnds") {
      LifecycleInstant(v, key, c.standstill_ends);
    } else if (key == "signedAt") {
      LifecycleInstant(v, key, c.signed_at);
    } else if (key == "dataPublishedAt") {
      LifecycleInstant(v, key, c.data_published_at);
    } else if (key == "endedAt") {
      LifecycleInstant(v, key, c.ended_at);
    } else if (key == "amendments") {
      d::Consultation scratch;
      ReadAmendments(v, stored_ ? c : scratch);
    }
  }

  Result<d::Consultation> Read(const json& j) {
    if (!j.is_object()) {
      return Status::InvalidArgument("a consultation is a JSON object, not " + TypeName(j));
    }
    if (!OnlyKnownKeys(j,
                       {"id",
                        "reference",
                        "title",
                        "description",
                        "buyer",
                        "procedure",
                        "nature",
                        "cpv",
                        "additionalCpv",
                        "place",
                        "estimatedValue",
                        "lots",
                        "criteria",
                        "electronicBids",
                        "test",
                        "maxDocumentBytes",
                        "questionsDeadline",
                        "deadline",
                        "state",
                        "publishedAt",
                        "openedAt",
                        "evaluatedAt",
                        "awardedAt",
                        "standstillEnds",
                        "signedAt",
                        "dataPublishedAt",
                        "endedAt",
                        "amendments"},
                       "")) {
      return status_;
    }
    d::Consultation c;
    for (const auto& [key, v] : j.items()) {
      ReadField(key, v, c);
      if (!ok()) return status_;
    }
    for (const char* required : {"procedure", "deadline"}) {
      if (!j.contains(required)) {
        return Status::InvalidArgument(std::string(required) + " is required", required);
      }
    }
    return c;
  }

 private:
  static std::string Join(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
  }

  static std::string OutOfRange(const std::string& field, int64_t min, int64_t max) {
    return field + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  }

  static std::string TypeName(const json& j) {
    if (j.is_number()) return "a number";
    if (j.is_string()) return "a string";
    if (j.is_boolean()) return "a boolean";
    if (j.is_null()) return "null";
    if (j.is_array()) return "an array";
    if (j.is_object()) return "an object";
    return j.type_name();
  }

  static std::string CodeList(bool procedures) {
    std::string out = "one of ";
    bool first = true;
    const auto add = [&](std::string_view code) {
      out += first ? "\"" : ", \"";
      out += code;
      out += '"';
      first = false;
    };
    if (procedures) {
      for (d::ProcedureType p : d::AllProcedures()) add(d::Code(p));
    } else {
      for (d::ContractNature n : d::AllNatures()) add(d::Code(n));
    }
    return out;
  }

  bool stored_;
  Status status_;

 public:
  // Text that may echo the input, cut to `limit` bytes and to printable
  // ASCII, so that a message stays short and valid UTF-8 whatever was sent.
  static std::string Printable(std::string_view s, size_t limit = 60) {
    std::string out;
    for (char ch : s.substr(0, limit)) {
      const auto b = static_cast<unsigned char>(ch);
      out.push_back(b >= 0x20 && b < 0x7f ? ch : '?');
    }
    if (s.size() > limit) out += "...";
    return out;
  }
  // Messages of the domain parsers echo the input: a longer cut.
  static std::string Printable200(std::string_view s) { return Printable(s, 200); }
};

Result<d::Consultation> Parse(std::string_view text, bool stored) {
  json j;
  try {
    j = json::parse(text.begin(), text.end(), [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxDepth) throw TooDeep{};
      return true;
    });
  } catch (const TooDeep&) {
    return Status::InvalidArgument("the body nests deeper than " + std::to_string(kMaxDepth) +
                                   " levels; a consultation does not");
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax
    // error …; last read: '…'": keep from "line", drop the echoed bytes. A
    // number too large for a double is out_of_range.406, with no position.
    std::string what = e.what();
    if (auto at = what.find("line "); at != std::string::npos) {
      what = what.substr(at);
    } else if (auto tag = what.find("] "); tag != std::string::npos) {
      what = what.substr(tag + 2);
    }
    if (auto last = what.find("; last read"); last != std::string::npos) what.resize(last);
    return Status::InvalidArgument("the body is not valid JSON: " + Reader::Printable200(what));
  }
  try {
    Reader reader(stored);
    return reader.Read(j);
  } catch (const json::exception& e) {
    // Every access is type-checked first: reaching this is a bug.
    return Status::Internal(std::string("reading a consultation: ") + e.what());
  }
}

}  // namespace

std::string ConsultationToJson(const d::Consultation& c) {
  json j = json::object();
  SetText(j, "id", c.id);
  SetText(j, "reference", c.reference);
  j["title"] = c.title;
  SetText(j, "description", c.description);
  json buyer = {{"id", c.buyer_id}, {"centralGovernment", c.central_government}};
  SetText(buyer, "name", c.buyer_name);
  j["buyer"] = std::move(buyer);
  j["procedure"] = CodeLabel(d::Code(c.procedure), d::Label(c.procedure));
  j["nature"] = CodeLabel(d::Code(c.nature), d::Label(c.nature));
  SetText(j, "cpv", c.cpv);
  j["additionalCpv"] = c.additional_cpv;
  if (!c.place_code.empty() || !c.place_type.empty()) {
    json place = json::object();
    SetText(place, "code", c.place_code);
    SetText(place, "type", c.place_type);
    j["place"] = std::move(place);
  }
  SetMoney(j, "estimatedValue", c.estimated_value);
  json lots = json::array();
  for (const d::Lot& lot : c.lots) {
    json l = {{"number", lot.number}, {"title", lot.title}};
    SetText(l, "cpv", lot.cpv);
    SetMoney(l, "estimatedValue", lot.estimated_value);
    lots.push_back(std::move(l));
  }
  j["lots"] = std::move(lots);
  json criteria = json::array();
  for (const d::AwardCriterion& k : c.criteria) {
    criteria.push_back({{"name", k.name}, {"weight", k.weight}});
  }
  j["criteria"] = std::move(criteria);
  j["electronicBids"] = c.electronic_bids;
  j["test"] = c.test;
  j["maxDocumentBytes"] = c.max_document_bytes;
  SetInstant(j, "questionsDeadline", c.questions_deadline);
  j["deadline"] = d::FormatInstantMillis(c.deadline);
  j["state"] = CodeLabel(d::Code(c.state), d::Label(c.state));
  SetInstant(j, "publishedAt", c.published_at);
  SetInstant(j, "openedAt", c.opened_at);
  SetInstant(j, "evaluatedAt", c.evaluated_at);
  SetInstant(j, "awardedAt", c.awarded_at);
  SetInstant(j, "standstillEnds", c.standstill_ends);
  SetInstant(j, "signedAt", c.signed_at);
  SetInstant(j, "dataPublishedAt", c.data_published_at);
  SetInstant(j, "endedAt", c.ended_at);
  json amendments = json::array();
  for (const d::Amendment& a : c.amendments) {
    amendments.push_back({{"number", a.number},
                          {"at", d::FormatInstantMillis(a.at)},
                          {"summary", a.summary},
                          {"changedFields", a.changed_fields}});
  }
  j["amendments"] = std::move(amendments);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<d::Consultation> ConsultationFromJson(std::string_view text) { return Parse(text, false); }

Result<d::Consultation> ConsultationFromStoredJson(std::string_view text) {
  return Parse(text, true);
}

}  // namespace limpide::formats
