// Helpers shared by the OCDS merge tests (tests/formats/ocds_merge_*_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "formats/ocds/merge.h"

namespace limpide::formats::ocds::testing {

inline std::string SharedData(const std::string& rel) {
  return std::string(LIMPIDE_SHARED_DATA) + "/" + rel;
}

inline nlohmann::json LoadJson(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return nlohmann::json::parse(in);
}

// The merger of the official OCDS 1.1.5 release schema, built once.
inline const Merger& OfficialMerger() {
  static const Merger merger = [] {
    auto m = Merger::FromSchemaFile(SharedData("ocds/schema/release-schema.json"));
    if (!m.ok()) {
      ADD_FAILURE() << m.status().ToString();
      std::abort();
    }
    return std::move(m).value();
  }();
  return merger;
}

// JSON equality, key order aside; on failure, the differences as a JSON Patch
// that turns `actual` into `expected`.
inline ::testing::AssertionResult SameJson(const nlohmann::json& actual,
                                           const nlohmann::json& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "differences (JSON Patch from actual to expected):\n"
                                       << nlohmann::json::diff(actual, expected).dump(2);
}

}  // namespace limpide::formats::ocds::testing
