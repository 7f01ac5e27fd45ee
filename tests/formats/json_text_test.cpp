#include "formats/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace limpide::formats::json_text {
namespace {

using nlohmann::json;

// What the API writes for a stored extra object: nlohmann's dump of its parse.
std::string Redump(const std::string& text) {
  return json::parse(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(IsDumpedObject, AcceptsObjectsThatADumpWritesBackUnchanged) {
  for (const std::string text : {
           R"({})",
           R"({"codeCPV":"12345678"})",
           R"({"a":[],"b":{},"c":[1,-2,0,true,false,null,"x"],"d":{"e":{"f":[[]]}}})",
           R"({"A":1,"B":2,"a":3,"b":4,"é":5})",  // byte order: upper case, lower case, UTF-8
           R"({"k":"quote \" backslash \\ \b\f\n\r\t \u0000\u001f"})",
           "{\"k\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e \x7f /\"}",
           R"({"m":-999999999999999999,"n":999999999999999999})",
       }) {
    EXPECT_TRUE(IsDumpedObject(text)) << text;
    EXPECT_EQ(Redump(text), text);
  }
}

TEST(IsDumpedObject, RefusesWhatADumpWouldWriteDifferently) {
  // Valid JSON that nlohmann writes back otherwise: each would be served
  // changed if it were copied.
  for (const std::string text : {
           R"({ })", R"({"a": 1})", R"({"b":1,"a":2})", R"({"a":1,"a":2})", R"({"a":1e3})", R"({"a":1E3})", R"({"a":-0})", R"({"a":"\/"})", R"({"a":"\u00e9"})",
           R"({"a":"\u000A"})", R"({"a":"\u0008"})", R"({"a":"\u001F"})", R"({"a":"\u007f"})",
           R"({"\u0061":1})", "{\"a\":1}\n",
       }) {
    EXPECT_FALSE(IsDumpedObject(text)) << text;
    EXPECT_NE(Redump(text), text) << text;
  }
  // Refused though a dump would write them back: escapes in keys (their byte
  // order is that of the decoded key), integers of 19 digits or more (beyond
  // int64, nlohmann parses a double), fractions. The caller parses and dumps
  // them.
  for (const std::string text :
       {R"({"a\"":1})", R"({"a":1234567890123456789})", R"({"a":1.5})"}) {
    EXPECT_FALSE(IsDumpedObject(text)) << text;
  }
  // Not JSON a dump could write, or not an object: bytes that are not UTF-8,
  // raw control characters, truncations, other values.
  for (const std::string& text : {
           std::string(""), std::string("[]"), std::string("1"), std::string("{"),
           std::string("{\"a\""), std::string("{\"a\":}"), std::string("{\"a\":1,}"),
           std::string("{\"a\":[1,]}"), std::string("{\"a\":01}"), std::string("{\"a\":-}"),
           std::string("{\"a\":tru}"), std::string("{\"a\":\"x}"), std::string("{\"a\":\"\\"),
           std::string("{\"a\":\"\\u00\"}"), std::string("{\"a\":\"\\q\"}"),
           std::string("{\"a\":\"\xff\"}"), std::string("{\"\xc3\":1}"),
           std::string("{\"a\":\"\xc0\x80\"}"), std::string("{\"a\":\"\xed\xa0\x80\"}"),
           std::string("{\"a\":\"\xf4\x90\x80\x80\"}"), std::string("{\"a\":\"\xe2\x82\"}"),
           std::string("{\"a\":\"x\x01y\"}"), std::string("{\"a\":\"x\ny\"}"),
           std::string("{\"a\":1}x"), std::string("{\"a\":1}{}"), std::string("{\"a\":\"\0\"}", 9),
       }) {
    EXPECT_FALSE(IsDumpedObject(text)) << text;
  }
}

TEST(IsDumpedObject, RefusesNestingDeeperThanSixtyFour) {
  auto nested = [](int depth) {
    std::string s = "{\"a\":";
    for (int i = 1; i < depth; ++i) s += "[";
    s += "1";
    for (int i = 1; i < depth; ++i) s += "]";
    return s + "}";
  };
  EXPECT_TRUE(IsDumpedObject(nested(64)));
  EXPECT_FALSE(IsDumpedObject(nested(65)));
  EXPECT_FALSE(IsDumpedObject(nested(100000)));  // no deep recursion either
}

// Whatever it accepts, a parse and a dump give back byte for byte: checked on
// random mutations (bytes replaced, inserted, removed) of objects that mix
// every form, bad bytes included.
TEST(IsDumpedObject, WhatItAcceptsADumpWritesBackUnchanged) {
  const std::vector<std::string> seeds = {
      R"({"a":[1,-2,{"b":null,"c":true}],"d":"x\ty\u0001","e":false,"é":{}})",
      "{\"k\":\"caf\xc3\xa9\",\"l\":[\"\xe2\x82\xac\",0,12]}",
      R"({"n":1.5,"o":"\/","p":"\u00e9","q":1e2})",
  };
  const std::string alphabet =
      "{}[]:,\"\\-0123456789.eEabfnrtu lsx\x01\x7f\xc3\xa9\xff\xe2\x82\xac\x80\xed";
  std::mt19937 rng(20261129);
  int accepted = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string s = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = rng() % s.size();
      const char ch = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          s[at] = ch;
          break;
        case 1:
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), ch);
          break;
        default:
          s.erase(at, 1);
      }
    }
    if (!IsDumpedObject(s)) continue;
    ++accepted;
    const json parsed = json::parse(s, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(parsed.is_object()) << s;
    ASSERT_EQ(parsed.dump(-1, ' ', false, json::error_handler_t::replace), s);
  }
  EXPECT_GT(accepted, 1000);
}

}  // namespace
}  // namespace limpide::formats::json_text
