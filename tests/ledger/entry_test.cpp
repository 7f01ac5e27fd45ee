#include "ledger/entry.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "ledger/merkle.h"

namespace limpide::ledger {
namespace {

using nlohmann::json;

std::string Canonical(const json& j) {
  auto c = CanonicalJson(j);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : std::string();
}

Status CanonicalError(const json& j) {
  auto c = CanonicalJson(j);
  EXPECT_FALSE(c.ok()) << "accepted: " << *c;
  return c.ok() ? Status::Ok() : c.status();
}

// The worked example of docs/ledger.md; its bytes and leaf hash were computed independently
// with Python (json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) and
// hashlib.sha256(b"\x00" + bytes)).
constexpr std::string_view kExampleBytes =
    R"({"body":{"acheteur":{"id":"21690123100011","nom":"Ville de Lyon"},"cpv":"77310000-6",)"
    R"("montant_cents":15000000,"note":"ligne 1\nligne 2\t\"fin\"","objet":"Entretien des )"
    R"(espaces verts — lot n°2","titulaires":[{"id":"44306184100047"}]},"kind":"contract.)"
    R"(created","seq":41,"subject":"21690123100011-2026-045","time":"2026-11-29T03:03:27.123Z"})";
constexpr std::string_view kExampleLeafHash =
    "9c1c9fbfe13662c603663c3f9fa3437905749392be254e5099dfcc44fa01bb65";

Entry ExampleEntry() {
  Entry e;
  e.seq = 41;
  e.time = "2026-11-29T03:03:27.123Z";
  e.kind = "contract.created";
  e.subject = "21690123100011-2026-045";
  e.body = json{{"acheteur", {{"id", "21690123100011"}, {"nom", "Ville de Lyon"}}},
                {"objet", "Entretien des espaces verts — lot n°2"},
                {"cpv", "77310000-6"},
                {"montant_cents", 15000000},
                {"titulaires", json::array({{{"id", "44306184100047"}}})},
                {"note", "ligne 1\nligne 2\t\"fin\""}};
  return e;
}

TEST(CanonicalJson, SortsKeysByBytesAndDropsWhitespace) {
  json j = json::parse(R"({ "b": 1, "a": [ true, false, null ], "aa": {"z": 0, "B": -5},
                            "é": "x", "Z": "", "z": {} })");
  EXPECT_EQ(Canonical(j),
            R"({"Z":"","a":[true,false,null],"aa":{"B":-5,"z":0},"b":1,"z":{},"é":"x"})");
  EXPECT_EQ(Canonical(json::array()), "[]");
  EXPECT_EQ(Canonical(json::object()), "{}");
  EXPECT_EQ(Canonical(json("plain")), "\"plain\"");
}

TEST(CanonicalJson, EscapesOnlyWhatJsonRequires) {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls += static_cast<char>(c);
  EXPECT_EQ(Canonical(json(all_controls)),
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
            "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019"
            "\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
  EXPECT_EQ(Canonical(json("quote \" backslash \\ slash / del \x7f")),
            "\"quote \\\" backslash \\\\ slash / del \x7f\"");
  EXPECT_EQ(Canonical(json{{"a\nb", 1}}), "{\"a\\nb\":1}");
}

TEST(CanonicalJson, PassesUtf8Through) {
  const std::string text = "Marché public — n°2, ✓, 𝄞, \u2028";
  EXPECT_EQ(Canonical(json(text)), "\"" + text + "\"");
  // Parsed from \u escapes, written as raw UTF-8.
  EXPECT_EQ(Canonical(json::parse(R"("\u00e9\ud834\udd1e")")), "\"é𝄞\"");
}

TEST(CanonicalJson, RejectsStringsThatAreNotUtf8) {
  for (const std::string& bad :
       {std::string("\xff"), std::string("a\xc3"), std::string("\xc0\xaf"),  // overlong '/'
        std::string("\xed\xa0\x80"),                                         // a surrogate
        std::string("\xf4\x90\x80\x80"),                                     // above U+10FFFF
        std::string("\xe2\x82")}) {
    Status s = CanonicalError(json{{"list", {"ok", bad}}});
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(s.field(), "/list/1");
    EXPECT_NE(s.message().find("UTF-8"), std::string::npos);
  }
  EXPECT_EQ(CanonicalError(json{{std::string("k\xff"), 1}}).field(), "/k\xff");
}

TEST(CanonicalJson, RejectsFloatsAnywhereNamingWhere) {
  Status s = CanonicalError(json::parse(R"({"a":[1,{"b~/":1.5}]})"));
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "/a/1/b~0~1");
  EXPECT_NE(s.message().find("floating-point"), std::string::npos);
  EXPECT_FALSE(CanonicalJson(json(1.0)).ok());
  EXPECT_FALSE(CanonicalJson(json::parse("1e2")).ok());
  EXPECT_FALSE(CanonicalJson(json::parse("[0.0]")).ok());
  EXPECT_EQ(CanonicalError(json(2.5)).field(), "/");
}

TEST(CanonicalJson, KeepsIntegersWithinTheExactRange) {
  const int64_t max = (int64_t{1} << 53) - 1;
  EXPECT_EQ(Canonical(json{max, -max, 0, -1}), "[9007199254740991,-9007199254740991,0,-1]");
  EXPECT_FALSE(CanonicalJson(json(max + 1)).ok());
  EXPECT_FALSE(CanonicalJson(json(-max - 1)).ok());
  EXPECT_FALSE(CanonicalJson(json(~uint64_t{0})).ok());
  Status s = CanonicalError(json{{"n", uint64_t{1} << 60}});
  EXPECT_EQ(s.field(), "/n");
  EXPECT_NE(s.message().find("1152921504606846976"), std::string::npos);
  // Beyond uint64, the parser yields a float: rejected too.
  EXPECT_FALSE(CanonicalJson(json::parse("18446744073709551616")).ok());
}

TEST(CanonicalJson, RejectsDeepNesting) {
  json j = json::array();
  for (int i = 0; i < 64; ++i) j = json::array({j});
  EXPECT_NE(CanonicalError(j).message().find("nested deeper"), std::string::npos);
  json ok = json::array();
  for (int i = 0; i < 63; ++i) ok = json::array({ok});
  EXPECT_TRUE(CanonicalJson(ok).ok());
}

TEST(EncodeEntry, ProducesTheDocumentedBytesAndLeafHash) {
  auto bytes = EncodeEntry(ExampleEntry());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, kExampleBytes);
  EXPECT_EQ(crypto::ToHex(LeafHash(*bytes)), kExampleLeafHash);
  // The same as canonicalising the whole entry object.
  EXPECT_EQ(Canonical(EntryToJson(ExampleEntry())), kExampleBytes);
}

TEST(EncodeEntry, RejectsMalformedFields) {
  auto expect_bad = [](Entry e, const std::string& field) {
    auto r = EncodeEntry(e);
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), field) << r.status().ToString();
  };
  for (const char* time :
       {"2026-11-29T03:03:27Z", "2026-11-29T03:03:27.1234Z", "2026-11-29 03:03:27.123Z",
        "2026-11-29T03:03:27.123z", "2026-11-29T03:03:27.123+01:00", "2026-02-29T00:00:00.000Z",
        "2026-13-01T00:00:00.000Z", "2026-04-31T00:00:00.000Z", "2026-11-29T24:00:00.000Z",
        "2026-11-29T23:60:00.000Z", "2026-11-29T23:59:60.000Z", "0000-01-01T00:00:00.000Z", ""}) {
    Entry e = ExampleEntry();
    e.time = time;
    expect_bad(e, "time");
  }
  Entry leap = ExampleEntry();
  leap.time = "2024-02-29T23:59:59.999Z";
  EXPECT_TRUE(EncodeEntry(leap).ok());
  for (const char* kind : {"", "contract created", "contrat.créé", "tab\t"}) {
    Entry e = ExampleEntry();
    e.kind = kind;
    expect_bad(e, "kind");
  }
  Entry e = ExampleEntry();
  e.subject = "";
  expect_bad(e, "subject");
  e = ExampleEntry();
  e.subject = "\xff";
  expect_bad(e, "subject");
  e = ExampleEntry();
  e.body = json::array();
  expect_bad(e, "body");
  e = ExampleEntry();
  e.seq = uint64_t{1} << 53;
  expect_bad(e, "seq");
  e = ExampleEntry();
  e.body["montant"] = 12.5;
  expect_bad(e, "/body/montant");
}

TEST(DecodeEntry, RoundTripsTheCanonicalForm) {
  auto e = DecodeEntry(kExampleBytes);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->seq, 41u);
  EXPECT_EQ(e->kind, "contract.created");
  EXPECT_EQ(e->subject, "21690123100011-2026-045");
  EXPECT_EQ(e->time, "2026-11-29T03:03:27.123Z");
  EXPECT_EQ(e->body, ExampleEntry().body);
  EXPECT_EQ(*EncodeEntry(*e), kExampleBytes);
}

TEST(DecodeEntry, RejectsNonCanonicalInputSayingWhere) {
  const std::string good(kExampleBytes);
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::string variants[] = {
      replace("\"kind\":", "\"kind\": "),                             // a space
      " " + good,                                                     // leading whitespace
      good + "\n",                                                    // a newline
      replace("\"seq\":41", "\"seq\":41.0"),                          // a float
      replace("\"seq\":41", "\"seq\":4.1e1"),                         // an exponent
      replace("Ville", "Vill\\u0065"),                                // a needless escape
      replace("n°2", "n\\u00b02"),                                    // an escaped non-ASCII
      replace("\\n", "\\u000a"),                                      // the long form of \n
      replace("\"montant_cents\":15000000", "\"montant_cents\":-0"),  // (-0 is not 0's form)
      "\xef\xbb\xbf" + good,                                          // a byte-order mark
  };
  for (size_t i = 0; i < std::size(variants); ++i) {
    auto r = DecodeEntry(variants[i]);
    ASSERT_FALSE(r.ok()) << variants[i];
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  }
  // Unsorted keys: the canonical form starts with "body".
  const std::string unsorted =
      R"({"kind":"k","body":{},"seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})";
  auto r = DecodeEntry(unsorted);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("not in canonical form", 0), 0u) << r.status().message();
  EXPECT_NE(r.status().message().find("at byte 2"), std::string::npos) << r.status().message();
  // A space: the message points at it.
  auto spaced = DecodeEntry(replace("\"kind\":", "\"kind\": "));
  ASSERT_FALSE(spaced.ok());
  EXPECT_NE(spaced.status().message().find("at byte " + std::to_string(good.find("\"kind\":") + 7)),
            std::string::npos)
      << spaced.status().message();
  // Duplicate keys: the re-encoding is shorter.
  auto dup = DecodeEntry(
      R"({"body":{"a":1,"a":2},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("canonical"), std::string::npos);
  // A float is named as such, not as a byte difference.
  auto f = DecodeEntry(replace("\"seq\":41", "\"seq\":41.0"));
  EXPECT_NE(f.status().message().find("seq must be an integer"), std::string::npos)
      << f.status().message();
}

TEST(DecodeEntry, RejectsMalformedEntries) {
  const std::string tail = R"("time":"2026-11-29T03:03:27.123Z")";
  struct Case {
    std::string input;
    std::string message;
  } cases[] = {
      {"", "not JSON"},
      {"{\"body\":", "not JSON"},
      {"[1,2]", "must be a JSON object, not array"},
      {"\"entry\"", "must be a JSON object, not string"},
      {R"({"kind":"k","seq":0,"subject":"s",)" + tail + "}", "no \"body\" field"},
      {R"({"body":{},"extra":1,"kind":"k","seq":0,"subject":"s",)" + tail + "}",
       "unknown field \"extra\""},
      {R"({"body":{},"kind":"k","seq":-1,"subject":"s",)" + tail + "}",
       "seq must be an integer >= 0"},
      {R"({"body":{},"kind":"k","seq":"0","subject":"s",)" + tail + "}", "seq must be an integer"},
      {R"({"body":{},"kind":"k","seq":9007199254740992,"subject":"s",)" + tail + "}",
       "above 2^53 - 1"},
      {R"({"body":{},"kind":"k","seq":18446744073709551615,"subject":"s",)" + tail + "}",
       "above 2^53 - 1"},
      {R"({"body":[],"kind":"k","seq":0,"subject":"s",)" + tail + "}",
       "body must be a JSON object"},
      {R"({"body":{},"kind":7,"seq":0,"subject":"s",)" + tail + "}", "kind must be a string"},
      {R"({"body":{},"kind":"k","seq":0,"subject":"",)" + tail + "}", "subject is empty"},
      {R"({"body":{},"kind":"k","seq":0,"subject":"s","time":"yesterday"})", "time must be UTC"},
  };
  for (const Case& c : cases) {
    auto r = DecodeEntry(c.input);
    ASSERT_FALSE(r.ok()) << c.input;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.input << " → " << r.status().message();
  }
}

// Random JSON values of every kind canonical JSON allows.
json RandomValue(std::mt19937_64& rng, int depth) {
  static const std::string kPieces[] = {"a",    "Z",    "0",    " ", "\"", "\\", "/", "\n", "\t",
                                        "\x01", "\x1f", "\x7f", "é", "—",  "𝄞",  "~", "{",  "]"};
  auto text = [&](bool key) {
    std::string out;
    const size_t n = rng() % 6;
    for (size_t i = 0; i < n; ++i) {
      const std::string& piece = kPieces[rng() % std::size(kPieces)];
      // Keys without escapes, which is what the quick check handles.
      if (key && (piece == "\"" || piece == "\\" || static_cast<unsigned char>(piece[0]) < 0x20)) {
        continue;
      }
      out += piece;
    }
    return out;
  };
  const int kind = static_cast<int>(rng() % (depth >= 4 ? 5 : 7));
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2: {
      const int64_t max = (int64_t{1} << 53) - 1;
      const int64_t choices[] = {0, -1, 7, max, -max, static_cast<int64_t>(rng() % 1000000) - 500};
      return choices[rng() % std::size(choices)];
    }
    case 3:
    case 4:
      return text(false);
    case 5: {
      json a = json::array();
      for (size_t i = rng() % 4; i > 0; --i) a.push_back(RandomValue(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (size_t i = rng() % 5; i > 0; --i) o[text(true)] = RandomValue(rng, depth + 1);
      return o;
    }
  }
}

TEST(QuickCheckEncodedEntry, AcceptsCanonicalEntriesAndOnlyThem) {
  std::mt19937_64 rng(1);
  uint64_t seq = 0;
  ASSERT_TRUE(QuickCheckEncodedEntry(kExampleBytes, &seq));
  EXPECT_EQ(seq, 41u);
  int accepted_mutants = 0;
  for (int round = 0; round < 2000; ++round) {
    Entry e = ExampleEntry();
    e.seq = rng() % 1000000;
    e.body = json::object();
    for (size_t i = rng() % 6; i > 0; --i)
      e.body["k" + std::to_string(rng() % 50)] = RandomValue(rng, 1);
    const std::string bytes = *EncodeEntry(e);
    ASSERT_TRUE(QuickCheckEncodedEntry(bytes, &seq)) << bytes;
    EXPECT_EQ(seq, e.seq);
    // Mutants: whatever the quick check accepts, DecodeEntry accepts with the same bytes.
    for (int m = 0; m < 20; ++m) {
      std::string mutant = bytes;
      const size_t at = rng() % mutant.size();
      switch (rng() % 4) {
        case 0:
          mutant[at] = static_cast<char>(mutant[at] ^ (1 << (rng() % 8)));
          break;
        case 1:
          mutant.erase(at, 1);
          break;
        case 2:
          mutant.insert(at, 1, " -0.e\\u\"{}[],:"[rng() % 15]);
          break;
        default:
          mutant[at] = static_cast<char>(rng());
      }
      uint64_t mutant_seq = 0;
      if (QuickCheckEncodedEntry(mutant, &mutant_seq)) {
        ++accepted_mutants;
        auto decoded = DecodeEntry(mutant);
        ASSERT_TRUE(decoded.ok()) << mutant << "\n" << decoded.status().ToString();
        EXPECT_EQ(decoded->seq, mutant_seq);
        EXPECT_EQ(*EncodeEntry(*decoded), mutant);
      }
    }
  }
  EXPECT_GT(accepted_mutants, 100);  // (value changes that stay canonical)
}

TEST(QuickCheckEncodedEntry, LeavesTheRestToDecodeEntry) {
  uint64_t seq;
  // Canonical, but with an escaped key: the quick check does not say.
  Entry e = ExampleEntry();
  e.body = json{{"a\nb", 1}};
  const std::string escaped_key = *EncodeEntry(e);
  EXPECT_TRUE(DecodeEntry(escaped_key).ok());
  EXPECT_FALSE(QuickCheckEncodedEntry(escaped_key, &seq));
  // Not canonical or not well-formed: never accepted.
  const std::string good(kExampleBytes);
  const std::vector<std::string> bads = {
      good + " ",
      good.substr(0, good.size() - 1),
      std::string("{}"),
      std::string(),
      R"({"body":{"b":1,"a":2},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{"a":1,"a":1},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{"a":-0},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{"a":01},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{"a":1.5},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{"a":9007199254740992},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{"a":"\u000a"},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{"a":"\u001F"},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{"a":"\/"},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{},"kind":"","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{},"kind":"k k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{},"kind":"k","seq":-1,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{},"kind":"k","seq":0,"subject":"","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{},"kind":"k","seq":0,"subject":"s","time":"2026-02-30T03:03:27.123Z"})",
      R"({"body":[],"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})",
      R"({"body":{},"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z","x":1})",
      std::string(
          "{\"body\":{\"a\":\"\xc0\xaf\"},\"kind\":\"k\",\"seq\":0,\"subject\":\"s\",\"time\":"
          "\"2026-11-29T03:03:27.123Z\"}")};
  for (const std::string& bad : bads) {
    EXPECT_FALSE(QuickCheckEncodedEntry(bad, &seq)) << bad;
    EXPECT_FALSE(DecodeEntry(bad).ok()) << bad;
  }
  // The body and the objects nested in it: 64 levels in all are allowed, 65 are not.
  auto nested = [](int levels) {
    std::string out = "{\"body\":";
    for (int i = 0; i < levels; ++i) out += i + 1 < levels ? "{\"a\":" : "{\"a\":1";
    out += std::string(levels, '}');
    return out + R"(,"kind":"k","seq":0,"subject":"s","time":"2026-11-29T03:03:27.123Z"})";
  };
  EXPECT_TRUE(QuickCheckEncodedEntry(nested(64), &seq));
  EXPECT_TRUE(DecodeEntry(nested(64)).ok());
  EXPECT_FALSE(QuickCheckEncodedEntry(nested(65), &seq));
  EXPECT_FALSE(DecodeEntry(nested(65)).ok());
}

TEST(EntryFromJson, IsTheInverseOfEntryToJson) {
  auto e = EntryFromJson(EntryToJson(ExampleEntry()));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*EncodeEntry(*e), kExampleBytes);
}

}  // namespace
}  // namespace limpide::ledger
