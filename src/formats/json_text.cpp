#include "formats/json_text.h"

#include <array>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace limpide::formats::json_text {
namespace {

// Length of the valid UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0.
// Accepts exactly what nlohmann's decoder accepts (no overlongs, surrogates
// or code points beyond U+10FFFF).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = at(i);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return n;
}

// The checks of IsDumpedObject, over text[pos…]: each advances pos past the
// value it accepts.
class DumpedFormCheck {
 public:
  explicit DumpedFormCheck(std::string_view text) : s_(text) {}
  bool Whole() { return Object(1) && pos_ == s_.size(); }

 private:
  static constexpr int kMaxDepth = 64;

  bool Peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }

  bool Value(int depth) {
    if (pos_ >= s_.size()) return false;
    switch (s_[pos_]) {
      case '{':
        return Object(depth + 1);
      case '[':
        return Array(depth + 1);
      case '"':
        return String(/*key=*/false);
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Integer();
    }
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // -?(0|[1-9][0-9]*), at most 18 digits (an int64 whatever they are), not -0.
  bool Integer() {
    const bool negative = Eat('-');
    const size_t digits = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    const size_t n = pos_ - digits;
    if (n == 0 || n > 18) return false;
    if (s_[digits] == '0' && (n > 1 || negative)) return false;
    // A fraction or an exponent would be written again by nlohmann's own rules.
    return !(Peek('.') || Peek('e') || Peek('E'));
  }

  // A string as AppendString writes it; a key has no escape at all.
  bool String(bool key) {
    ++pos_;  // the opening quote
    while (pos_ < s_.size()) {
      const auto b = static_cast<unsigned char>(s_[pos_]);
      if (b == '"') {
        ++pos_;
        return true;
      }
      if (b < 0x20) return false;
      if (b >= 0x80) {
        const size_t n = Utf8SequenceLength(s_, pos_);
        if (n == 0) return false;
        pos_ += n;
        continue;
      }
      if (b != '\\') {
        ++pos_;
        continue;
      }
      if (key || pos_ + 1 >= s_.size()) return false;
      const char e = s_[pos_ + 1];
      if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        pos_ += 2;
        continue;
      }
      // \u00XX, lowercase, for the control characters without a short form.
      if (e != 'u' || s_.substr(pos_ + 2, 2) != "00" || pos_ + 6 > s_.size()) return false;
      const auto hex = [](char h) {
        return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
      };
      const int hi = hex(s_[pos_ + 4]);
      const int lo = hex(s_[pos_ + 5]);
      if (hi < 0 || lo < 0) return false;
      const int code = hi * 16 + lo;
      if (code >= 0x20 || code == '\b' || code == '\t' || code == '\n' || code == '\f' ||
          code == '\r') {
        return false;
      }
      pos_ += 6;
    }
    return false;  // unterminated
  }

  bool Array(int depth) {
    if (depth > kMaxDepth) return false;
    ++pos_;
    if (Eat(']')) return true;
    while (true) {
      if (!Value(depth)) return false;
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
    }
  }

  bool Object(int depth) {
    if (depth > kMaxDepth || !Eat('{')) return false;
    if (Eat('}')) return true;
    std::string_view previous;
    bool first = true;
    while (true) {
      if (!Peek('"')) return false;
      const size_t start = pos_ + 1;
      if (!String(/*key=*/true)) return false;
      const std::string_view key = s_.substr(start, pos_ - 1 - start);
      // Byte order, as std::string compares (unsigned bytes); no duplicates.
      if (!first && !(previous < key)) return false;
      previous = key;
      first = false;
      if (!Eat(':') || !Value(depth)) return false;
      if (Eat('}')) return true;
      if (!Eat(',')) return false;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

bool IsDumpedObject(std::string_view text) { return DumpedFormCheck(text).Whole(); }

void AppendString(std::string& out, std::string_view s) {
  const size_t start = out.size();
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x80) {
      const size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        // Invalid UTF-8 (rare): let nlohmann apply its replacement rules.
        out.resize(start);
        out += nlohmann::json(std::string(s))
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      i += n;
      continue;
    }
    if (b >= 0x20 && b != '"' && b != '\\') {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (b) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
      }
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendDouble(std::string& out, double d) {
  // nlohmann's dump_float: "null" for what JSON cannot hold, else its to_chars.
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  std::array<char, 64> buf{};
  char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), d);
  out.append(buf.data(), end);
}

}  // namespace limpide::formats::json_text
