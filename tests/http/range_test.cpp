#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "http/file.h"

namespace limpide::http {
namespace {

void ExpectPart(std::string_view header, uint64_t size, uint64_t offset, uint64_t length) {
  const RangeRequest r = ParseRange(header, size);
  EXPECT_EQ(r.kind, RangeRequest::kPart) << header;
  EXPECT_EQ(r.offset, offset) << header;
  EXPECT_EQ(r.length, length) << header;
}

void ExpectKind(std::string_view header, uint64_t size, RangeRequest::Kind kind) {
  EXPECT_EQ(ParseRange(header, size).kind, kind) << header;
}

TEST(ParseRange, ReadsTheThreeFormsOfOneByteRange) {
  ExpectPart("bytes=0-499", 1000, 0, 500);
  ExpectPart("bytes=500-", 1000, 500, 500);
  ExpectPart("bytes=-200", 1000, 800, 200);
  ExpectPart(" Bytes = 10 - 19 ", 1000, 10, 10);
}

TEST(ParseRange, CutsALastPositionPastTheEndToTheEnd) {
  ExpectPart("bytes=900-5000", 1000, 900, 100);
  ExpectPart("bytes=-5000", 1000, 0, 1000);
  ExpectPart("bytes=0-99999999999999999999999", 1000, 0, 1000);
}

TEST(ParseRange, ARangeStartingAtOrPastTheEndIsUnsatisfiable) {
  ExpectKind("bytes=1000-", 1000, RangeRequest::kUnsatisfiable);
  ExpectKind("bytes=1000-2000", 1000, RangeRequest::kUnsatisfiable);
  ExpectKind("bytes=99999999999999999999999-", 1000, RangeRequest::kUnsatisfiable);
  ExpectKind("bytes=-0", 1000, RangeRequest::kUnsatisfiable);
  ExpectKind("bytes=0-", 0, RangeRequest::kUnsatisfiable);
  ExpectKind("bytes=-5", 0, RangeRequest::kUnsatisfiable);
}

TEST(ParseRange, IgnoresWhatItDoesNotServe) {
  for (std::string_view h : {"", "bytes", "bytes=", "bytes=-", "items=0-1", "bytes=0-1,5-6",
                             "bytes=a-b", "bytes=5-2", "bytes=1-2-3", "bytes 0-1", "bytes=+1-2",
                             "bytes=0x10-", "bytes=--1"}) {
    ExpectKind(h, 1000, RangeRequest::kWhole);
  }
}

}  // namespace
}  // namespace limpide::http

namespace limpide::http {
namespace {

// The seeds of fuzz/range_fuzz.cpp keep its invariants under every compiler.
TEST(ParseRange, KeepsTheFuzzInvariantsOnTheSeeds) {
  int seeds = 0;
  for (const auto& e : std::filesystem::directory_iterator(
           std::filesystem::path(LIMPIDE_SOURCE_DIR) / "fuzz/corpus/range")) {
    std::ifstream in(e.path(), std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GE(data.size(), 2u);
    const uint64_t body =
        (uint64_t{static_cast<uint8_t>(data[0])} << 8 | static_cast<uint8_t>(data[1])) * 37;
    const RangeRequest r = ParseRange(std::string_view(data).substr(2), body);
    if (r.kind == RangeRequest::kPart) {
      EXPECT_GT(r.length, 0u) << e.path();
      EXPECT_LT(r.offset, body) << e.path();
      EXPECT_LE(r.length, body - r.offset) << e.path();
    }
    ++seeds;
  }
  EXPECT_GE(seeds, 4);
}

}  // namespace
}  // namespace limpide::http
