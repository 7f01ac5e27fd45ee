// libFuzzer target for the DECP XML reader (format detection included).
#include <cstddef>
#include <cstdint>

#include "decp_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return limpide::fuzz::FuzzDecpBytes(data, size);
}
