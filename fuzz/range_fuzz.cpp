// libFuzzer target for the Range header parser (http/file.h). Aborts when an
// invariant breaks: a part outside the body, an empty part, or an
// unsatisfiable answer for a range that starts inside the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "http/file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using limpide::http::ParseRange;
  using limpide::http::RangeRequest;
  if (size < 2) return 0;
  // The first two bytes pick the body size; the rest is the header.
  const uint64_t body = (uint64_t{data[0]} << 8 | data[1]) * 37;
  const std::string_view header(reinterpret_cast<const char*>(data + 2), size - 2);
  const RangeRequest r = ParseRange(header, body);
  if (r.kind == RangeRequest::kPart) {
    if (r.length == 0 || r.offset >= body || r.length > body - r.offset) std::abort();
  } else if (r.kind == RangeRequest::kWhole) {
    if (r.offset != 0 || r.length != 0) std::abort();
  }
  return 0;
}
