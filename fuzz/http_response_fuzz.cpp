// libFuzzer target for the HTTP response reader of the client (http/client.h),
// which reads whatever a server (or anything listening on its port) sends.
// The first byte picks the body limit; the rest is the response. Aborts when
// an invariant breaks: a whole response with a status outside 200..599 (1xx
// are skipped), a body beyond the limit, a response that is whole before its
// end but not once closed (or another one), or a failure that is neither
// unavailable (malformed) nor resource_exhausted (a limit).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using limpide::http::ParseResponse;
  if (size < 1) return 0;
  const uint64_t max_body = uint64_t{data[0]} * 16;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  for (const bool closed : {false, true}) {
    auto r = ParseResponse(bytes, closed, max_body);
    if (!r.ok() || !r->has_value()) continue;
    const auto& response = **r;
    if (response.status < 200 || response.status > 599) std::abort();
    if (response.body.size() > max_body) std::abort();
  }
  auto open = ParseResponse(bytes, false, max_body);
  auto closed = ParseResponse(bytes, true, max_body);
  // Whole while the connection is open: the close changes nothing.
  if (open.ok() && open->has_value()) {
    if (!closed.ok() || !closed->has_value()) std::abort();
    if ((*closed)->body != (*open)->body || (*closed)->status != (*open)->status) std::abort();
  }
  if (!closed.ok() && closed.status().code() != limpide::ErrorCode::kUnavailable &&
      closed.status().code() != limpide::ErrorCode::kResourceExhausted)
    std::abort();
  return 0;
}
