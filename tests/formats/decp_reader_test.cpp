// The two JSON readers behind ReadDecp: the fast one (record splitter and
// simdjson) and the exact one (nlohmann SAX) it hands over to. Whichever
// reads, the records and errors must be the same.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <istream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "decp_test_util.h"
#include "formats/decp.h"

namespace limpide::formats {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::ReadOutcome;
using testing::ReadText;
using testing::SharedData;

// A stream that cannot seek: the fast reader, which may have to start again,
// leaves it to the exact reader.
class UnseekableBuf : public std::streambuf {
 public:
  explicit UnseekableBuf(std::string text) : text_(std::move(text)) {
    setg(text_.data(), text_.data(), text_.data() + text_.size());
  }

 private:
  std::string text_;
};

ReadOutcome ReadExactly(const std::string& text, const std::string& source = "test.json") {
  UnseekableBuf buf(text);
  std::istream in(&buf);
  ReadOutcome out;
  out.status = ReadDecp(in, source, [&](DecpRecord&& r) {
    out.records.push_back(std::move(r));
    return Status::Ok();
  });
  return out;
}

std::string FileText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream buffer;
  buffer << f.rdbuf();
  return buffer.str();
}

void ExpectSameOutcome(const ReadOutcome& fast, const ReadOutcome& exact) {
  EXPECT_EQ(fast.status.code(), exact.status.code());
  EXPECT_EQ(fast.status.message(), exact.status.message());
  ASSERT_EQ(fast.records.size(), exact.records.size());
  for (size_t i = 0; i < fast.records.size(); ++i) {
    const DecpRecord& a = fast.records[i];
    const DecpRecord& b = exact.records[i];
    EXPECT_EQ(a.position, b.position) << i;
    EXPECT_EQ(a.line, b.line) << i;
    EXPECT_EQ(a.id, b.id) << i;
    EXPECT_EQ(a.errors, b.errors) << i;
    EXPECT_EQ(a.contract, b.contract) << i;
  }
}

// A clean 1.x marché whose id and object text are given (JSON-escaped).
std::string Marche(const std::string& id, const std::string& object_json) {
  return R"({"id": ")" + id + R"(", "acheteur": {"id": "21350238800019", "nom": "Ville"},
    "nature": "Marché", "objet": )" +
         object_json + R"(, "codeCPV": "77313000",
    "procedure": "Procédure adaptée", "dureeMois": 24, "montant": 1000.5,
    "lieuExecution": {"code": "35238", "typeCode": "Code commune", "nom": "Rennes"},
    "dateNotification": "2019-03-01", "datePublicationDonnees": "2019-03-05",
    "titulaires": [{"typeIdentifiant": "SIRET", "id": "81223113200026"}]})";
}

TEST(DecpJsonReader, RealFilesGiveTheSameRecordsAsTheExactReader) {
  for (const char* file : {"decp/real-2019-decp-rama/marches-publics.info.json",
                           "decp/examples-2.0/json/marches_concessions.json",
                           "decp/decp-processing/decp_test_2022.json"}) {
    SCOPED_TRACE(file);
    const std::string text = FileText(SharedData(file));
    ExpectSameOutcome(ReadText(text), ReadExactly(text));
  }
}

TEST(DecpJsonReader, RecordsAcrossBlockBoundariesAreSplitExactly) {
  // About 3 MB (the fast reader reads 1 MiB blocks), strings holding quotes,
  // backslashes and brackets, one line per record after the first.
  std::string text = "{\"marches\": [\n";
  const int n = 6000;
  for (int i = 0; i < n; ++i) {
    if (i > 0) text += ",\n";
    text += Marche("r" + std::to_string(i), R"("a \"quoted\" }] {[ \\ back\\\\slash \u00e9 )" +
                                                std::string(i % 97, 'x') + R"(\\")");
  }
  text += "\n]}\n";
  ASSERT_GT(text.size(), 3u << 20);
  const ReadOutcome fast = ReadText(text);
  ASSERT_TRUE(fast.status.ok()) << fast.status.ToString();
  ASSERT_EQ(fast.records.size(), static_cast<size_t>(n));
  EXPECT_EQ(fast.accepted(), n);
  EXPECT_EQ(fast.records[0].line, 2);
  EXPECT_EQ(fast.records[n - 1].id, "r" + std::to_string(n - 1));
  EXPECT_THAT(fast.records[5].contract->object, HasSubstr("a \"quoted\" }] {[ \\ back\\\\slash é"));
  ExpectSameOutcome(fast, ReadExactly(text));
}

TEST(DecpJsonReader, AnUnusualMemberAfterRecordsHandsOverWithoutRepeatingThem) {
  // A non-ASCII member name is left to the exact reader, which re-reads the
  // input and delivers only the records after those already delivered.
  const std::string text = R"({"marches": [)" + Marche("a", R"("A")") + "," +
                           Marche("b", R"("B")") + R"(], "clé": 1, "marches": 2})";
  const ReadOutcome out = ReadText(text);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.records[0].position, 1);
  EXPECT_EQ(out.records[1].position, 2);
  EXPECT_EQ(out.records[1].id, "b");
  ExpectSameOutcome(out, ReadExactly(text));
}

TEST(DecpJsonReader, ASyntaxErrorAfterRecordsHasTheExactReadersPosition) {
  const std::string text = "{\"marches\": [\n" + Marche("a", R"("A")") + ",\n" +
                           Marche("b", R"("B")") + ",\n" + R"({"id": "c", "montant": 1e400})";
  const ReadOutcome out = ReadText(text);
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(out.status.message(), HasSubstr("test.json:14:30: invalid JSON"));
  ExpectSameOutcome(out, ReadExactly(text));
}

TEST(DecpJsonReader, HugeIntegersAndDeepNestingAreReadAsNlohmannDid) {
  // simdjson refuses both; the record is parsed again by nlohmann.
  std::string deep(1100, '[');
  deep += std::string(1100, ']');
  json record = json::parse(Marche("a", R"("A")"));
  const std::string text = R"({"marches": [)" + record.dump().substr(0, record.dump().size() - 1) +
                           R"(, "offresRecues": 123456789012345678901234, "x": )" + deep + "}]}";
  const ReadOutcome out = ReadText(text);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.accepted(), 1);
  EXPECT_THAT(out.records[0].contract->extra_json,
              HasSubstr(R"("offresRecues":1.2345678901234569e+23)"));
  ExpectSameOutcome(out, ReadExactly(text));
}

TEST(DecpJsonReader, ADuplicatedKeyKeepsItsLastValue) {
  const std::string text = R"({"marches": [{"id": "first", "x": 1, "x": 2, )" +
                           Marche("second", R"("A")").substr(1) + "]}";
  const ReadOutcome out = ReadText(text);
  ASSERT_EQ(out.accepted(), 1);
  EXPECT_EQ(out.records[0].id, "second");
  EXPECT_EQ(out.records[0].contract->extra_json, R"({"x":2})");
  ExpectSameOutcome(out, ReadExactly(text));
}

TEST(DecpJsonReader, ExtraJsonIsWhatNlohmannDumpWrote) {
  // Sorted keys (bytewise), compact, control characters escaped, UTF-8 kept,
  // empty top-level values dropped: stored content hashes must not change.
  const std::string extra =
      R"({"zeta": "a\u0001b\"c\\d\n\t", "Alpha": [1, -2, 2.5, 1E5, true, null, {}],
          "é": {"b": null, "a": ""}, "empty": "  ", "none": null, "list": [],
          "big": 18446744073709551615, "neg": -0, "tiny": 1e-320})";
  json fields = json::parse(extra);
  json record = json::parse(Marche("a", R"("A")"));
  record.update(fields);
  const ReadOutcome out = ReadText(R"({"marches": [)" + record.dump() + "]}");
  ASSERT_EQ(out.accepted(), 1);
  for (const char* dropped : {"empty", "none", "list"}) fields.erase(dropped);
  EXPECT_EQ(out.records[0].contract->extra_json, fields.dump());
}

}  // namespace
}  // namespace limpide::formats
