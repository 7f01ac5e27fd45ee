// Runs the seed corpus of alerts_query_fuzz (fuzz/corpus-alerts) under the
// normal compiler: every seed and every minimised crash kept there is a
// regression test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "alerts/fuzz_check.h"

namespace limpide::alerts {
namespace {

namespace fs = std::filesystem;

TEST(AlertsFuzzCorpus, EverySeedKeepsTheInvariants) {
  size_t seeds = 0;
  for (const auto& e : fs::directory_iterator(fs::path(LIMPIDE_SOURCE_DIR) / "fuzz/corpus-alerts")) {
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << f.rdbuf();
    EXPECT_TRUE(CheckSavedSearchInput(buffer.str())) << e.path();
    ++seeds;
  }
  EXPECT_GE(seeds, 5u);
}

}  // namespace
}  // namespace limpide::alerts
