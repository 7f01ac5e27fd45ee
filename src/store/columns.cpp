// The JSON columns of the contract tables (flags, holders, modifications),
// shared by the store engines: written and read back byte for byte.
#include "store/columns.h"

#include <algorithm>

#include <charconv>
#include <functional>

namespace limpide::store::internal {

std::string_view KindCode(domain::ContractKind k) {
  return k == domain::ContractKind::kConcession ? "concession" : "marche";
}

std::string DateText(const std::optional<domain::Date>& d) {
  return d ? domain::FormatDate(*d) : std::string();
}

// JSON written byte for byte: both engines keep these columns as bytes
// (docs/storage.md), so bytes that are not UTF-8 survive the round trip.
std::string ContractColumnsOf(std::string_view table) {
  std::string out;
  std::string_view rest = kContractColumns;
  while (!rest.empty()) {
    const size_t comma = rest.find(", ");
    if (!out.empty()) out += ", ";
    out += table;
    out += '.';
    out += rest.substr(0, comma);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 2);
  }
  return out;
}

std::string InsertContractSql(char marker, std::string_view sources_kind,
                              std::string_view suffix) {
  const std::string m(1, marker);
  std::string cols, vals;
  for (int i = 0; i < kWriteColumnCount; ++i) {
    cols += kWriteColumns[i];
    cols += ", ";
    vals += m + std::to_string(i + 1) + ", ";
  }
  // created_at takes the same value as updated_at.
  return "INSERT INTO contracts (" + cols + "created_at, has_sources) VALUES (" + vals + m +
         std::to_string(kWriteColumnCount) + ", EXISTS (SELECT 1 FROM objects WHERE kind = " +
         std::string(sources_kind) + " AND id = " + m + "1)) ON CONFLICT (uid) DO NOTHING" +
         std::string(suffix);
}

std::string UpdateContractSql(char marker, std::string_view where) {
  const std::string m(1, marker);
  std::string sets;
  for (int i = 1; i < kWriteColumnCount; ++i) {
    if (i > 1) sets += ", ";
    sets += kWriteColumns[i];
    sets += " = " + m + std::to_string(i + 1);
  }
  return "UPDATE contracts SET " + sets + " " + std::string(where);
}

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
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
        if (static_cast<unsigned char>(ch) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[(ch >> 4) & 0xf]);
          out.push_back(kHex[ch & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string FlagsJson(const std::vector<std::string>& flags) {
  std::string out = "[";
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(out, flags[i]);
  }
  out.push_back(']');
  return out;
}

std::string HoldersJson(const std::vector<domain::Holder>& holders) {
  std::string out = "[";
  for (size_t i = 0; i < holders.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('[');
    AppendJsonString(out, holders[i].id);
    out.push_back(',');
    AppendJsonString(out, holders[i].id_type);
    out.push_back(',');
    AppendJsonString(out, holders[i].name);
    out.push_back(']');
  }
  out.push_back(']');
  return out;
}

void AppendOptionalInt(std::string& out, std::optional<int64_t> v) {
  if (v)
    out += std::to_string(*v);
  else
    out += "null";
}

void AppendOptionalDate(std::string& out, const std::optional<domain::Date>& d) {
  if (d)
    AppendJsonString(out, domain::FormatDate(*d));
  else
    out += "null";
}

// The modifications_json column (see migrations.cpp, version 2).
std::string ModificationsJson(const std::vector<domain::Modification>& mods) {
  std::string out = "[";
  for (size_t i = 0; i < mods.size(); ++i) {
    const auto& m = mods[i];
    if (i) out.push_back(',');
    out.push_back('[');
    AppendJsonString(out, m.id);
    out.push_back(',');
    AppendJsonString(out, m.object);
    out.push_back(',');
    AppendOptionalDate(out, m.signed_on);
    out.push_back(',');
    AppendOptionalDate(out, m.published_on);
    out.push_back(',');
    AppendOptionalInt(
        out, m.duration_months ? std::optional<int64_t>(*m.duration_months) : std::nullopt);
    out.push_back(',');
    AppendOptionalInt(out, m.amount ? std::optional<int64_t>(m.amount->cents) : std::nullopt);
    out.push_back(',');
    out += HoldersJson(m.holders);
    out.push_back(']');
  }
  out.push_back(']');
  return out;
}

Status Corrupt(std::string_view what, std::string_view uid) {
  return Status::Internal("corrupt stored contract " + std::string(uid) + ": " + std::string(what));
}

// Reads back the JSON that FlagsJson and HoldersJson write. Strings are taken
// byte for byte (they need not be valid UTF-8), so a general JSON parser would
// be too strict here.
class StoredJson {
 public:
  explicit StoredJson(std::string_view s) : s_(s) {}
  bool Consume(char ch) {
    if (i_ < s_.size() && s_[i_] == ch) {
      ++i_;
      return true;
    }
    return false;
  }
  bool String(std::string& out) {
    out.clear();
    if (!Consume('"')) return false;
    while (i_ < s_.size()) {
      const char ch = s_[i_++];
      if (ch == '"') return true;
      if (ch != '\\') {
        out.push_back(ch);
        continue;
      }
      if (i_ >= s_.size()) return false;
      switch (s_[i_++]) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {  // only \u00XX, for control characters
          if (i_ + 4 > s_.size() || s_.compare(i_, 2, "00") != 0) return false;
          int v = 0;
          for (size_t k = i_ + 2; k < i_ + 4; ++k) {
            const char h = s_[k];
            v = v * 16 + (h >= '0' && h <= '9'   ? h - '0'
                          : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                                 : -1000);
          }
          if (v < 0) return false;
          out.push_back(static_cast<char>(v));
          i_ += 4;
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  // Reads "[s, s, ...]", calling `item` for each element.
  template <typename F>
  bool Array(F&& item) {
    if (!Consume('[')) return false;
    if (Consume(']')) return true;
    do {
      if (!item()) return false;
    } while (Consume(','));
    return Consume(']');
  }
  bool AtEnd() const { return i_ == s_.size(); }
  // "null" → nullopt; else a decimal integer.
  bool OptionalInt(std::optional<int64_t>& out) {
    if (s_.substr(i_, 4) == "null") {
      i_ += 4;
      out.reset();
      return true;
    }
    const char* first = s_.data() + i_;
    const char* last = s_.data() + s_.size();
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr == first) return false;
    i_ += static_cast<size_t>(ptr - first);
    out = v;
    return true;
  }
  // "null" → nullopt; else a date string.
  bool OptionalDate(std::optional<domain::Date>& out) {
    if (s_.substr(i_, 4) == "null") {
      i_ += 4;
      out.reset();
      return true;
    }
    if (!String(scratch_)) return false;
    if (scratch_.empty()) {
      out.reset();
      return true;
    }
    auto d = domain::ParseDate(scratch_);
    if (!d.ok()) return false;
    out = *d;
    return true;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  std::string scratch_;
};

Result<std::vector<std::string>> ParseFlagsJson(std::string_view text, std::string_view uid) {
  std::vector<std::string> out;
  StoredJson r(text);
  std::string s;
  const bool ok = r.Array([&] {
    if (!r.String(s)) return false;
    out.push_back(s);
    return true;
  });
  if (!ok || !r.AtEnd()) return Corrupt("flags", uid);
  return out;
}

Result<std::vector<domain::Holder>> ParseHoldersJson(std::string_view text, std::string_view uid) {
  std::vector<domain::Holder> out;
  StoredJson r(text);
  const bool ok = r.Array([&] {
    domain::Holder h;
    const bool fields = r.Consume('[') && r.String(h.id) && r.Consume(',') && r.String(h.id_type) &&
                        r.Consume(',') && r.String(h.name) && r.Consume(']');
    if (fields) out.push_back(std::move(h));
    return fields;
  });
  if (!ok || !r.AtEnd()) return Corrupt("holders", uid);
  return out;
}

// Reads back what ModificationsJson writes (or the version 2 backfill).
Result<std::vector<domain::Modification>> ParseModificationsJson(std::string_view text,
                                                                 std::string_view uid) {
  std::vector<domain::Modification> out;
  StoredJson r(text);
  const bool ok = r.Array([&] {
    domain::Modification m;
    std::optional<int64_t> duration, amount;
    const bool fields = r.Consume('[') && r.String(m.id) && r.Consume(',') && r.String(m.object) &&
                        r.Consume(',') && r.OptionalDate(m.signed_on) && r.Consume(',') &&
                        r.OptionalDate(m.published_on) && r.Consume(',') &&
                        r.OptionalInt(duration) && r.Consume(',') && r.OptionalInt(amount) &&
                        r.Consume(',') && r.Array([&] {
                          domain::Holder h;
                          const bool hf = r.Consume('[') && r.String(h.id) && r.Consume(',') &&
                                          r.String(h.id_type) && r.Consume(',') &&
                                          r.String(h.name) && r.Consume(']');
                          if (hf) m.holders.push_back(std::move(h));
                          return hf;
                        }) &&
                        r.Consume(']');
    if (!fields) return false;
    if (duration) m.duration_months = static_cast<int>(*duration);
    if (amount) m.amount = domain::Money{*amount};
    out.push_back(std::move(m));
    return true;
  });
  if (!ok || !r.AtEnd()) return Corrupt("modifications", uid);
  return out;
}

std::optional<domain::Contract> KeepStoredModifications(
    const domain::Contract& incoming, const std::vector<domain::Modification>& stored) {
  auto find = [](const std::vector<domain::Modification>& mods, const std::string& id) {
    return std::find_if(mods.begin(), mods.end(), [&](const auto& m) { return m.id == id; });
  };
  bool missing = false;
  for (const auto& m : stored) missing = missing || find(incoming.modifications, m.id) == incoming.modifications.end();
  if (!missing) return std::nullopt;
  domain::Contract out = incoming;
  out.modifications.clear();
  for (const auto& m : stored) {
    auto it = find(incoming.modifications, m.id);
    out.modifications.push_back(it == incoming.modifications.end() ? m : *it);
  }
  for (const auto& m : incoming.modifications) {
    if (find(stored, m.id) == stored.end()) out.modifications.push_back(m);
  }
  return out;
}

}  // namespace limpide::store::internal
