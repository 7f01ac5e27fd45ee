// Golden files of the formats tests (tests/formats/golden/). With
// LIMPIDE_UPDATE_GOLDEN=1 in the environment the file is rewritten first, so
// the comparison then holds; review the diff before committing it.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace limpide::formats::testing {

inline const std::string kGoldenDir = std::string(LIMPIDE_SOURCE_DIR) + "/tests/formats/golden/";

// Expects `actual` to equal the golden file `name`, byte for byte.
inline void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = kGoldenDir + name;
  if (std::getenv("LIMPIDE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(actual, text.str()) << "golden file " << path
                                << " differs; LIMPIDE_UPDATE_GOLDEN=1 rewrites it";
}

}  // namespace limpide::formats::testing
