// libFuzzer target for formats::json_text::IsDumpedObject (formats/json_text.h), which
// lets the API copy stored JSON as it is: whatever it accepts must be exactly
// what nlohmann writes for the value it parses to. Aborts otherwise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "formats/json_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!limpide::formats::json_text::IsDumpedObject(text)) return 0;
  const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || parsed.dump() != text) std::abort();
  return 0;
}
