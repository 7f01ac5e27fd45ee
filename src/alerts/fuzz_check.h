// The invariants the saved-search readers keep on any input, shared by the
// libFuzzer target (fuzz/alerts_query_fuzz.cpp) and the test that runs its
// seed corpus under the normal compiler (tests/alerts/).
#pragma once

#include <string_view>

namespace limpide::alerts {

// Reads `input` as a keyword query and as a saved search's JSON; false when
// an invariant breaks (see fuzz/alerts_query_fuzz.cpp).
bool CheckSavedSearchInput(std::string_view input);

}  // namespace limpide::alerts
