// libFuzzer target for OCDS in: the reader (every form), the release checks,
// the merge engine and the mapping onto contracts (fuzz/ocds_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "ocds_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  limpide::fuzz::FuzzOcdsBytes(data, size);
  return 0;
}
