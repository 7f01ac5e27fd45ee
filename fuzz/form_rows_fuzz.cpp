// libFuzzer target for the rows of the buyer's draft form (web/form_rows.h):
// the input is an urlencoded body, decoded then read by PostedValues; the
// invariants are in form_rows_fuzz.h, which tests/web/form_rows_test.cpp also
// runs over the seeds (tests/web/form_rows_seeds/) under the normal compiler.
#include "form_rows_fuzz.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  limpide::fuzz::FuzzFormRows(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
