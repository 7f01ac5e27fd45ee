// libFuzzer target for the DECP JSON readers: the streaming file reader and the
// one-record converter used on each record.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decp_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  limpide::fuzz::FuzzDecpBytes(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using limpide::formats::DecpFormat;
  limpide::fuzz::CheckRecord(
      limpide::formats::ParseDecpJsonRecord(text, DecpFormat::kJson1, false, "fuzz"));
  limpide::fuzz::CheckRecord(
      limpide::formats::ParseDecpJsonRecord(text, DecpFormat::kJson2, true, "fuzz"));
  return 0;
}
