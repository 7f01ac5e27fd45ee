// libFuzzer target for the saved-search readers (docs/alerts.md): the keyword
// syntax (ParseKeywords) and the JSON form (SavedSearchFromJson). Aborts when
// an invariant breaks: an error that is not invalid_argument naming a field,
// an accepted search whose stored form does not read back to the same
// criteria, or a matcher that answers otherwise than evaluating each search.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "alerts/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!limpide::alerts::CheckSavedSearchInput(text)) std::abort();
  return 0;
}
