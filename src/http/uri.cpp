#include "http/uri.h"

namespace limpide::http::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool PercentDecode(std::string_view in, bool plus_as_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;  // fewer than two characters follow
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::string_view RawPath(std::string_view target) {
  if (target.empty()) return target;
  if (target.front() != '/') {
    // absolute-form: scheme "://" authority path
    const size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return target;
    const size_t path_start = target.find_first_of("/?#", scheme_end + 3);
    if (path_start == std::string_view::npos) return "/";
    if (target[path_start] != '/') return "/";
    target.remove_prefix(path_start);
  }
  // One pass (string_view::find_first_of calls memchr on "?#" for each byte).
  size_t end = 0;
  while (end < target.size() && target[end] != '?' && target[end] != '#') ++end;
  return target.substr(0, end);
}

std::string_view RawQuery(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  const size_t hash = query.find('#');
  return hash == std::string_view::npos ? query : query.substr(0, hash);
}

bool DecodeQuery(std::string_view raw_query,
                 std::vector<std::pair<std::string, std::string>>& out) {
  while (!raw_query.empty()) {
    const size_t amp = raw_query.find('&');
    const std::string_view piece = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    std::pair<std::string, std::string> kv;
    if (!PercentDecode(piece.substr(0, eq), true, kv.first)) return false;
    if (eq != std::string_view::npos && !PercentDecode(piece.substr(eq + 1), true, kv.second)) {
      return false;
    }
    out.push_back(std::move(kv));
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

}  // namespace limpide::http::internal
