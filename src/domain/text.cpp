#include "domain/text.h"

#include <array>
#include <cstdint>

namespace limpide::domain {
namespace {

constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes one well-formed UTF-8 sequence at `s[i]`. On success stores the code
// point and returns its length; returns 0 when the bytes there are not
// well-formed (truncated, overlong, surrogate, beyond U+10FFFF, stray byte).
size_t DecodeOne(std::string_view s, size_t i, char32_t* out) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    *out = b0;
    return 1;
  }
  size_t len = 0;
  char32_t cp = 0;
  // Bounds of the second byte rule out overlongs, surrogates and > U+10FFFF
  // (RFC 3629 table of well-formed sequences).
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    const unsigned char min = k == 1 ? lo : 0x80;
    const unsigned char max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  *out = cp;
  return len;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsUnicodeSpace(char32_t cp) {
  return (cp < 0x80 && IsAsciiSpace(static_cast<char>(cp))) || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Folded forms of U+00C0..U+00FF; nullptr keeps the character (× and ÷).
constexpr std::array<const char*, 64> kLatin1Fold = {
    "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "y",
};

// Folded forms of Latin Extended-A, U+0100..U+017F.
constexpr std::array<const char*, 128> kLatinExtAFold = {
    "a", "a", "a",  "a",  "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",  // 0100
    "d", "d", "e",  "e",  "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",  // 0110
    "g", "g", "g",  "g",  "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",  // 0120
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",  // 0130
    "l", "l", "l",  "n",  "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",  // 0140
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",  // 0150
    "s", "s", "t",  "t",  "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",  // 0160
    "u", "u", "u",  "u",  "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",  // 0170
};

}  // namespace

std::string FoldForSearch(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  bool pending_space = false;  // a whitespace run seen after some output
  size_t i = 0;
  while (i < utf8.size()) {
    char32_t cp = 0;
    const size_t len = DecodeOne(utf8, i, &cp);
    if (len == 0) {  // an invalid byte: dropped, decoding resumes after it
      ++i;
      continue;
    }
    i += len;
    if (IsUnicodeSpace(cp)) {
      pending_space = !out.empty();
      continue;
    }
    // Combining diacritical marks (decomposed input, "e\u0301") and the mark
    // of a lost character carry nothing to match on.
    if ((cp >= 0x0300 && cp <= 0x036F) || cp == kReplacementChar) continue;
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      out.push_back(c);
    } else if (cp >= 0xC0 && cp <= 0xFF && kLatin1Fold[cp - 0xC0] != nullptr) {
      out += kLatin1Fold[cp - 0xC0];
    } else if (cp >= 0x100 && cp <= 0x17F) {
      out += kLatinExtAFold[cp - 0x100];
    } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC) {
      out.push_back('\'');  // typographic apostrophes match the ASCII one
    } else {
      AppendUtf8(cp, &out);
    }
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp = 0;
    const size_t len = DecodeOne(s, i, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

bool HasReplacementChar(std::string_view s) {
  return s.find("\xEF\xBF\xBD") != std::string_view::npos;
}

std::string NormalizeSpaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (IsAsciiSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace limpide::domain
