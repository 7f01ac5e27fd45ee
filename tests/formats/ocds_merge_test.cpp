// The OCDS 1.1 merge rules one by one, on small hand-written releases, with
// the official release schema; then the rule table and broken input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/ocds/merge.h"
#include "ocds/merge_test_util.h"

namespace limpide::formats::ocds {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::OfficialMerger;
using testing::SameJson;

constexpr const char* kOcid = "ocds-213czf-T1";

// A release of kOcid numbered `n`, dated day `n` of January 2020, with `fields`.
json Release(int n, json fields = json::object()) {
  json r = {
      {"ocid", kOcid},
      {"id", "r" + std::to_string(n)},
      {"date", "2020-01-" + std::string(n < 10 ? "0" : "") + std::to_string(n) + "T10:00:00Z"},
      {"tag", {"tender"}}};
  r.update(fields);
  return r;
}

json Compile(const std::vector<json>& releases) {
  auto out = OfficialMerger().Compile(releases);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : json();
}

json Versioned(const std::vector<json>& releases) {
  auto out = OfficialMerger().Versioned(releases);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : json();
}

// The compiled release without its metadata, to compare the merged fields only.
json Fields(json compiled) {
  for (const char* key : {"ocid", "id", "date", "tag"}) compiled.erase(key);
  return compiled;
}

// One versioned value from release `n` (as built by Release()).
json V(int n, json value) {
  return {{"releaseID", "r" + std::to_string(n)},
          {"releaseDate", "2020-01-0" + std::to_string(n) + "T10:00:00Z"},
          {"releaseTag", {"tender"}},
          {"value", std::move(value)}};
}

// --- compiled release ------------------------------------------------------

TEST(OcdsMergeTest, CompiledReleaseCarriesItsOwnMetadata) {
  const json out = Compile({Release(1, {{"language", "fr"}}), Release(2)});
  EXPECT_EQ(out["ocid"], kOcid);
  EXPECT_EQ(out["date"], "2020-01-02T10:00:00Z");
  EXPECT_EQ(out["id"], std::string(kOcid) + "-2020-01-02T10:00:00Z");
  EXPECT_EQ(out["tag"], json({"compiled"}));
  EXPECT_EQ(out["language"], "fr");
}

TEST(OcdsMergeTest, LaterValuesReplaceEarlierOnes) {
  const json out = Compile({Release(1, {{"language", "fr"}}), Release(2, {{"language", "en"}})});
  EXPECT_TRUE(SameJson(Fields(out), {{"language", "en"}}));
}

TEST(OcdsMergeTest, NullRemovesAField) {
  const json out = Compile({Release(1, {{"tender", {{"title", "A"}, {"status", "active"}}}}),
                            Release(2, {{"tender", {{"title", nullptr}}}})});
  EXPECT_TRUE(SameJson(Fields(out), {{"tender", {{"status", "active"}}}}));
}

TEST(OcdsMergeTest, NullRemovesAWholeObjectAndALaterValueStartsAfresh) {
  const json value1 = {{"amount", 100}, {"currency", "EUR"}};
  const json out = Compile({Release(1, {{"tender", {{"title", "A"}, {"value", value1}}}}),
                            Release(2, {{"tender", {{"value", nullptr}}}}),
                            Release(3, {{"tender", {{"value", {{"amount", 200}}}}}})});
  EXPECT_TRUE(SameJson(Fields(out), {{"tender", {{"title", "A"}, {"value", {{"amount", 200}}}}}}));
}

TEST(OcdsMergeTest, AnObjectLeftEmptyByNullsIsDropped) {
  const json out = Compile({Release(1, {{"tender", {{"title", "A"}}}, {"language", "fr"}}),
                            Release(2, {{"tender", {{"title", nullptr}}}})});
  EXPECT_TRUE(SameJson(Fields(out), {{"language", "fr"}}));
}

TEST(OcdsMergeTest, NestedObjectsMergeFieldByField) {
  const json out = Compile(
      {Release(1,
               {{"tender", {{"title", "A"}, {"value", {{"amount", 100}, {"currency", "EUR"}}}}}}),
       Release(2, {{"tender", {{"value", {{"amount", 150}}}, {"status", "active"}}}})});
  EXPECT_TRUE(SameJson(Fields(out), {{"tender",
                                      {{"title", "A"},
                                       {"status", "active"},
                                       {"value", {{"amount", 150}, {"currency", "EUR"}}}}}}));
}

TEST(OcdsMergeTest, NullRemovesAnArrayAndALaterArrayStartsAfresh) {
  const json out =
      Compile({Release(1, {{"awards", {{{"id", "a1"}, {"title", "A"}}}}}),
               Release(2, {{"awards", nullptr}}), Release(3, {{"awards", {{{"id", "a2"}}}}})});
  EXPECT_TRUE(SameJson(Fields(out), {{"awards", {{{"id", "a2"}}}}}));
}

TEST(OcdsMergeTest, AnObjectInAnArrayWhoseFieldsAreAllNullKeepsItsId) {
  // The OCDS way to withdraw an object from an array: null each of its fields.
  const json out = Compile({Release(1, {{"awards", {{{"id", "a1"}, {"title", "A"}}}}}),
                            Release(2, {{"awards", {{{"id", "a1"}, {"title", nullptr}}}}})});
  EXPECT_TRUE(SameJson(Fields(out), {{"awards", {{{"id", "a1"}}}}}));
}

TEST(OcdsMergeTest, ArraysOfObjectsMergeByIdAndNewIdsAreAppended) {
  const json out = Compile(
      {Release(1, {{"awards", {{{"id", "a1"}, {"title", "Lot 1"}}, {{"id", "a2"}}}}}),
       Release(2,
               {{"awards",
                 {{{"id", "a3"}, {"status", "pending"}}, {{"id", "a1"}, {"status", "active"}}}}})});
  EXPECT_TRUE(SameJson(Fields(out), {{"awards",
                                      {{{"id", "a1"}, {"title", "Lot 1"}, {"status", "active"}},
                                       {{"id", "a2"}},
                                       {{"id", "a3"}, {"status", "pending"}}}}}));
}

TEST(OcdsMergeTest, ObjectsInNestedArraysMergeByIdToo) {
  const json out = Compile(
      {Release(1, {{"awards", {{{"id", "a1"}, {"suppliers", {{{"id", "s1"}, {"name", "X"}}}}}}}}),
       Release(2, {{"awards", {{{"id", "a1"}, {"suppliers", {{{"id", "s2"}, {"name", "Y"}}}}}}}})});
  EXPECT_TRUE(SameJson(
      Fields(out),
      {{"awards",
        {{{"id", "a1"},
          {"suppliers", {{{"id", "s1"}, {"name", "X"}}, {{"id", "s2"}, {"name", "Y"}}}}}}}}));
}

TEST(OcdsMergeTest, IdsAreComparedAsJsonValues) {
  // 1 and "1" are two identifiers.
  const json out = Compile({Release(1, {{"awards", {{{"id", 1}, {"title", "number"}}}}}),
                            Release(2, {{"awards", {{{"id", "1"}, {"title", "string"}}}}})});
  EXPECT_EQ(out["awards"].size(), 2u);
}

TEST(OcdsMergeTest, WholeListMergeArraysAreReplaced) {
  // Organization.additionalIdentifiers is "wholeListMerge": true in the schema.
  const json before = {{{"scheme", "FR-RCS"}, {"id", "1"}}, {{"scheme", "FR-RNA"}, {"id", "2"}}};
  const json after = {{{"scheme", "FR-SIRET"}, {"id", "3"}}};
  const json out =
      Compile({Release(1, {{"parties", {{{"id", "p1"}, {"additionalIdentifiers", before}}}}}),
               Release(2, {{"parties", {{{"id", "p1"}, {"additionalIdentifiers", after}}}}})});
  EXPECT_TRUE(SameJson(out["parties"][0]["additionalIdentifiers"], after));
}

TEST(OcdsMergeTest, AnEmptyWholeListMergeArrayEmptiesTheList) {
  const json out = Compile(
      {Release(1, {{"parties", {{{"id", "p1"}, {"additionalIdentifiers", {{{"id", "1"}}}}}}}}),
       Release(2, {{"parties", {{{"id", "p1"}, {"additionalIdentifiers", json::array()}}}}})});
  EXPECT_EQ(out["parties"][0]["additionalIdentifiers"], json::array());
}

TEST(OcdsMergeTest, ArraysOfScalarsAreReplaced) {
  const json out =
      Compile({Release(1, {{"parties", {{{"id", "p1"}, {"roles", {"buyer", "payer"}}}}}}),
               Release(2, {{"parties", {{{"id", "p1"}, {"roles", {"supplier"}}}}}})});
  EXPECT_EQ(out["parties"][0]["roles"], json({"supplier"}));
}

TEST(OcdsMergeTest, EmptyObjectsAndArraysOfObjectsChangeNothing) {
  const json out = Compile({Release(1, {{"tender", {{"title", "A"}}}, {"awards", {{{"id", "a"}}}}}),
                            Release(2, {{"tender", json::object()}, {"awards", json::array()}})});
  EXPECT_TRUE(SameJson(Fields(out), {{"tender", {{"title", "A"}}}, {"awards", {{{"id", "a"}}}}}));
}

TEST(OcdsMergeTest, OmitWhenMergedFieldsAreDropped) {
  // id, date and tag of a release are "omitWhenMerged": they never reach the merge.
  const json out = Compile({Release(1, {{"language", "fr"}})});
  EXPECT_EQ(out["tag"], json({"compiled"}));
  EXPECT_NE(out["id"], "r1");
}

TEST(OcdsMergeTest, OmitWhenMergedIsReadFromTheSchemaAtAnyDepth) {
  const json schema = {{"properties",
                        {{"ocid", {{"type", "string"}}},
                         {"extra",
                          {{"type", "object"},
                           {"properties",
                            {{"kept", {{"type", "string"}}},
                             {"secret", {{"type", "string"}, {"omitWhenMerged", true}}}}}}}}}};
  auto merger = Merger::FromSchema(schema);
  ASSERT_TRUE(merger.ok()) << merger.status().ToString();
  const std::vector<json> releases = {Release(1, {{"extra", {{"kept", "k"}, {"secret", "s"}}}})};
  auto compiled = merger->Compile(releases);
  auto versioned = merger->Versioned(releases);
  ASSERT_TRUE(compiled.ok() && versioned.ok());
  EXPECT_TRUE(SameJson((*compiled)["extra"], {{"kept", "k"}}));
  EXPECT_FALSE((*versioned)["extra"].contains("secret"));
}

TEST(OcdsMergeTest, ExtensionFieldsFollowTheDefaultRules) {
  // None of these is in the release schema.
  const json out =
      Compile({Release(1, {{"bids",
                            {{"statistics", {{{"id", "s1"}, {"value", 1}}}},
                             {"details", {{{"status", "valid"}}, {{"status", "invalid"}}}},
                             {"note", "first"}}}}),
               Release(2, {{"bids",
                            {{"statistics", {{{"id", "s2"}, {"value", 2}}}},
                             {"details", {{{"status", "withdrawn"}}}}}}})});
  EXPECT_TRUE(SameJson(
      out["bids"],
      {{"note", "first"},  // objects merge
       {"statistics", {{{"id", "s1"}, {"value", 1}}, {{"id", "s2"}, {"value", 2}}}},  // by id
       {"details", {{{"status", "withdrawn"}}}}}));  // objects without ids: replaced whole
}

TEST(OcdsMergeTest, SchemaArraysAppendObjectsThatHaveNoId) {
  const json out = Compile({Release(1, {{"awards", {{{"title", "no id"}}}}}),
                            Release(2, {{"awards", {{{"title", "no id"}}}}})});
  EXPECT_EQ(out["awards"].size(), 2u);
}

TEST(OcdsMergeTest, ReleasesAreMergedByDateAsInstants) {
  // 11:00+02:00 is 09:00Z: before 10:00Z, whatever the order of the strings.
  json early = Release(1, {{"language", "early"}});
  early["date"] = "2020-01-01T11:00:00+02:00";
  json late = Release(2, {{"language", "late"}});
  late["date"] = "2020-01-01T10:00:00Z";
  const json out = Compile({late, early});
  EXPECT_EQ(out["language"], "late");
  EXPECT_EQ(out["date"], "2020-01-01T10:00:00Z");
}

TEST(OcdsMergeTest, ReleasesWithTheSameDateKeepTheirInputOrder) {
  const json a = Release(1, {{"language", "a"}});
  json b = Release(1, {{"language", "b"}});
  b["id"] = "r1-bis";
  EXPECT_EQ(Compile({a, b})["language"], "b");
  EXPECT_EQ(Compile({b, a})["language"], "a");
}

TEST(OcdsMergeTest, AValueThatChangesShapeIsReplacedInTheCompiledRelease) {
  const json out = Compile({Release(1, {{"bids", "none"}}), Release(2, {{"bids", {{"count", 2}}}}),
                            Release(3, {{"bids", {{"note", "x"}}}})});
  EXPECT_TRUE(SameJson(out["bids"], {{"count", 2}, {"note", "x"}}));
}

// --- versioned release -----------------------------------------------------

TEST(OcdsMergeTest, VersionedValuesListEachChange) {
  const json out = Versioned(
      {Release(1, {{"tender", {{"title", "A"}}}}), Release(2, {{"tender", {{"title", "B"}}}})});
  EXPECT_TRUE(SameJson(out, {{"ocid", kOcid}, {"tender", {{"title", {V(1, "A"), V(2, "B")}}}}}));
}

TEST(OcdsMergeTest, VersionedValueUnchangedAddsNoVersion) {
  const json out = Versioned({Release(1, {{"tender", {{"title", "A"}}}}),
                              Release(2, {{"tender", {{"title", "A"}, {"status", "active"}}}}),
                              Release(3, {{"tender", {{"title", "A"}}}})});
  EXPECT_TRUE(SameJson(out["tender"], {{"title", {V(1, "A")}}, {"status", {V(2, "active")}}}));
}

TEST(OcdsMergeTest, VersionedFieldThatAppearsLaterStartsThere) {
  const json out = Versioned(
      {Release(1, {{"language", "fr"}}), Release(2, {{"tender", {{"value", {{"amount", 5}}}}}})});
  EXPECT_TRUE(SameJson(out["tender"], {{"value", {{"amount", {V(2, 5)}}}}}));
  EXPECT_TRUE(SameJson(out["language"], json::array({V(1, "fr")})));
}

TEST(OcdsMergeTest, VersionedFieldRemovedByNullGetsANullVersion) {
  const json out = Versioned(
      {Release(1, {{"tender", {{"title", "A"}}}}), Release(2, {{"tender", {{"title", nullptr}}}}),
       Release(3, {{"tender", {{"title", nullptr}}}}), Release(4, {{"tender", {{"title", "B"}}}})});
  EXPECT_TRUE(SameJson(out["tender"]["title"], {V(1, "A"), V(2, nullptr), V(4, "B")}));
}

TEST(OcdsMergeTest, VersionedNullOnAnObjectNullsEveryValueUnderIt) {
  const json out =
      Versioned({Release(1, {{"tender", {{"value", {{"amount", 5}, {"currency", "EUR"}}}}}}),
                 Release(2, {{"tender", {{"value", nullptr}}}})});
  EXPECT_TRUE(SameJson(out["tender"]["value"], {{"amount", {V(1, 5), V(2, nullptr)}},
                                                {"currency", {V(1, "EUR"), V(2, nullptr)}}}));
}

TEST(OcdsMergeTest, VersionedIdsOfObjectsInArraysAreNotVersioned) {
  const json out = Versioned({Release(1, {{"awards", {{{"id", "a1"}, {"status", "pending"}}}}}),
                              Release(2, {{"awards", {{{"id", "a1"}, {"status", "active"}}}}})});
  EXPECT_TRUE(
      SameJson(out["awards"], {{{"id", "a1"}, {"status", {V(1, "pending"), V(2, "active")}}}}));
}

TEST(OcdsMergeTest, VersionedIdsMarkedVersionIdAreVersioned) {
  // tender.id ("versionId": true) is not the identity of an object in an array.
  const json out = Versioned(
      {Release(1, {{"tender", {{"id", "t1"}}}}), Release(2, {{"tender", {{"id", "t2"}}}})});
  EXPECT_TRUE(SameJson(out["tender"]["id"], {V(1, "t1"), V(2, "t2")}));
}

TEST(OcdsMergeTest, VersionedWholeListsAreOneValue) {
  const json out = Versioned({Release(1, {{"parties", {{{"id", "p"}, {"roles", {"buyer"}}}}}}),
                              Release(2, {{"parties", {{{"id", "p"}, {"roles", {"buyer"}}}}}}),
                              Release(3, {{"parties", {{{"id", "p"}, {"roles", {"payer"}}}}}})});
  EXPECT_TRUE(SameJson(out["parties"][0]["roles"], {V(1, {"buyer"}), V(3, {"payer"})}));
}

TEST(OcdsMergeTest, VersionedReleaseTagIsNullWhenTheReleaseHasNone) {
  json r = Release(1, {{"language", "fr"}});
  r.erase("tag");
  const json out = Versioned({r});
  EXPECT_EQ(out["language"][0]["releaseTag"], nullptr);
}

TEST(OcdsMergeTest, VersionedFieldFirstNullMayBecomeAnObject) {
  const json out =
      Versioned({Release(1, {{"bids", nullptr}}), Release(2, {{"bids", {{"count", 1}}}})});
  EXPECT_TRUE(SameJson(out["bids"], {{"count", {V(2, 1)}}}));
}

TEST(OcdsMergeTest, VersionedNullOnAnArrayNullsTheFieldsOfEachObject) {
  const json out = Versioned({Release(1, {{"awards", {{{"id", "a1"}, {"title", "A"}}}}}),
                              Release(2, {{"awards", nullptr}})});
  EXPECT_TRUE(SameJson(out["awards"], {{{"id", "a1"}, {"title", {V(1, "A"), V(2, nullptr)}}}}));
}

TEST(OcdsMergeTest, VersionedValueThatBecomesAnObjectIsRejected) {
  const std::vector<json> releases = {Release(1, {{"bids", "none"}}),
                                      Release(2, {{"bids", {{"count", 1}}}})};
  auto out = OfficialMerger().Versioned(releases);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("release 1 (id \"r2\")"));
  EXPECT_THAT(out.status().message(), HasSubstr("bids"));
  EXPECT_EQ(out.status().field(), "releases[1].bids");
}

TEST(OcdsMergeTest, MergeGivesBothReleasesAtOnce) {
  const std::vector<json> releases = {
      Release(1, {{"tender", {{"title", "A"}}}, {"awards", {{{"id", "a1"}}}}}),
      Release(2, {{"tender", {{"title", nullptr}, {"status", "active"}}}})};
  auto record = OfficialMerger().Merge(releases);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_TRUE(SameJson(record->compiled, Compile(releases)));
  EXPECT_TRUE(SameJson(record->versioned, Versioned(releases)));
}

TEST(OcdsMergeTest, MergeFailsWhereVersionedFailsButCompileStillWorks) {
  const std::vector<json> releases = {Release(1, {{"bids", "none"}}),
                                      Release(2, {{"bids", {{"count", 1}}}})};
  EXPECT_FALSE(OfficialMerger().Merge(releases).ok());
  EXPECT_TRUE(OfficialMerger().Compile(releases).ok());
}

// MergeToText writes exactly what dump() gives of Merge's results.
void ExpectTextMatchesDom(const std::vector<json>& releases) {
  auto record = OfficialMerger().Merge(releases);
  auto text = OfficialMerger().MergeToText(releases);
  ASSERT_TRUE(record.ok() && text.ok());
  EXPECT_EQ(text->compiled, record->compiled.dump());
  EXPECT_EQ(text->versioned, record->versioned.dump());
}

TEST(OcdsMergeTest, MergeToTextIsTheDumpOfMerge) {
  ExpectTextMatchesDom({Release(1, {{"language", "fr"}})});
  ExpectTextMatchesDom(
      {Release(1, {{"tender",
                    {{"title", "A \"quoted\" \\ title\n\u0001"}, {"value", {{"amount", 1.5}}}}},
                   {"awards", {{{"id", 1}, {"title", "x"}}, {{"id", "a2"}, {"status", "pending"}}}},
                   {"weird \"key\"\t\u0002é", {{"b", true}, {"list", {1, "two", nullptr}}}},
                   {"parties", {{{"id", "p"}, {"roles", {"buyer"}}}}}}),
       Release(2, {{"tender", {{"title", nullptr}, {"value", {{"amount", 2e20}}}}},
                   {"awards", {{{"id", 1}, {"title", nullptr}}, {{"id", "a3"}}}},
                   {"parties", nullptr},
                   {"extension", {{{"note", "no id"}}}}}),
       Release(3, {{"buyer",
                    {{"name", "Ville de Paris — Direction des achats"}, {"id", "del\x7f/slash"}}},
                   {"empty", json::object()},
                   {"tender", {{"value", nullptr}}}})});
}

TEST(OcdsMergeTest, MergeToTextFailsWhereMergeFails) {
  const std::vector<json> releases = {Release(1, {{"bids", "none"}}),
                                      Release(2, {{"bids", {{"count", 1}}}})};
  auto text = OfficialMerger().MergeToText(releases);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(), OfficialMerger().Merge(releases).status().message());
  EXPECT_FALSE(OfficialMerger().MergeToText(std::vector<json>()).ok());
}

TEST(OcdsMergeTest, MergeToTextRejectsStringsThatAreNotUtf8) {
  const std::vector<json> releases = {Release(1, {{"language", "\xff"}})};
  auto text = OfficialMerger().MergeToText(releases);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), ErrorCode::kInvalidArgument);
}

// --- the rule table --------------------------------------------------------

MergeRule RuleOf(const std::vector<PathRule>& rules, const std::string& path) {
  for (const PathRule& r : rules) {
    if (r.path == path) return r.rule;
  }
  ADD_FAILURE() << "no rule for " << path;
  return MergeRule::kDefault;
}

TEST(OcdsMergeTest, RulesComeFromTheSchemaWithRefsResolved) {
  const std::vector<PathRule> rules = OfficialMerger().Rules();
  EXPECT_EQ(RuleOf(rules, "id"), MergeRule::kOmitWhenMerged);
  EXPECT_EQ(RuleOf(rules, "date"), MergeRule::kOmitWhenMerged);
  EXPECT_EQ(RuleOf(rules, "tag"), MergeRule::kOmitWhenMerged);
  EXPECT_EQ(RuleOf(rules, "tender"), MergeRule::kObject);
  EXPECT_EQ(RuleOf(rules, "awards"), MergeRule::kIdentifierMerge);
  EXPECT_EQ(RuleOf(rules, "awards/suppliers"), MergeRule::kIdentifierMerge);
  EXPECT_EQ(RuleOf(rules, "tender/items/additionalClassifications"), MergeRule::kWholeListMerge);
  EXPECT_EQ(RuleOf(rules, "parties/additionalIdentifiers"), MergeRule::kWholeListMerge);
  EXPECT_EQ(RuleOf(rules, "parties/roles"), MergeRule::kWholeListMerge);  // array of strings
  EXPECT_EQ(RuleOf(rules, "tender/value/amount"), MergeRule::kDefault);
  bool tender_id_version_id = false;
  for (const PathRule& r : rules) {
    if (r.path == "tender/id") tender_id_version_id = r.version_id;
  }
  EXPECT_TRUE(tender_id_version_id);
}

TEST(OcdsMergeTest, RecursiveDefinitionsStopWhereTheyLoop) {
  const json schema = {
      {"properties", {{"tree", {{"$ref", "#/definitions/Node"}}}}},
      {"definitions",
       {{"Node",
         {{"type", "object"},
          {"properties",
           {{"name", {{"type", "string"}}}, {"child", {{"$ref", "#/definitions/Node"}}}}}}}}}};
  auto merger = Merger::FromSchema(schema);
  ASSERT_TRUE(merger.ok()) << merger.status().ToString();
  EXPECT_EQ(RuleOf(merger->Rules(), "tree"), MergeRule::kObject);
  EXPECT_EQ(RuleOf(merger->Rules(), "tree/child"), MergeRule::kDefault);
}

TEST(OcdsMergeTest, ASchemaWithoutPropertiesIsRejected) {
  auto merger = Merger::FromSchema(json{{"type", "object"}});
  ASSERT_FALSE(merger.ok());
  EXPECT_EQ(merger.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Merger::FromSchema(json::array()).ok());
}

TEST(OcdsMergeTest, ARefThatPointsNowhereIsRejected) {
  auto merger =
      Merger::FromSchema(json{{"properties", {{"tender", {{"$ref", "#/definitions/Nope"}}}}}});
  ASSERT_FALSE(merger.ok());
  EXPECT_THAT(merger.status().message(), HasSubstr("#/definitions/Nope"));
}

TEST(OcdsMergeTest, AMissingSchemaFileIsNotFound) {
  auto merger = Merger::FromSchemaFile("/nonexistent/release-schema.json");
  ASSERT_FALSE(merger.ok());
  EXPECT_EQ(merger.status().code(), ErrorCode::kNotFound);
}

// --- broken input ----------------------------------------------------------

// Both merges fail the same way; returns the status.
Status MergeError(const std::vector<json>& releases) {
  auto compiled = OfficialMerger().Compile(releases);
  auto versioned = OfficialMerger().Versioned(releases);
  EXPECT_FALSE(compiled.ok());
  EXPECT_FALSE(versioned.ok());
  if (compiled.ok() || versioned.ok()) return Status::Ok();
  EXPECT_EQ(compiled.status().message(), versioned.status().message());
  EXPECT_EQ(compiled.status().code(), ErrorCode::kInvalidArgument);
  return compiled.status();
}

TEST(OcdsMergeTest, NoReleasesIsAnError) {
  EXPECT_THAT(MergeError({}).message(), HasSubstr("no releases"));
}

TEST(OcdsMergeTest, AReleaseThatIsNotAnObjectIsRejected) {
  const Status s = MergeError({Release(1), json::array({1, 2})});
  EXPECT_EQ(s.message(), "release 1: is not an object (it is array)");
  EXPECT_EQ(s.field(), "releases[1]");
}

TEST(OcdsMergeTest, AReleaseWithoutOcidIsRejected) {
  json r = Release(2);
  r.erase("ocid");
  const Status s = MergeError({Release(1), r});
  EXPECT_EQ(s.message(), "release 1 (id \"r2\"): has no ocid");
  EXPECT_EQ(s.field(), "releases[1].ocid");
  r["ocid"] = "";
  EXPECT_EQ(MergeError({r}).message(), "release 0 (id \"r2\"): has no ocid");
  r["ocid"] = 42;
  EXPECT_THAT(MergeError({r}).message(), HasSubstr("ocid is not a string"));
}

TEST(OcdsMergeTest, ReleasesOfDifferentOcidsAreRejected) {
  json other = Release(3);
  other["ocid"] = "ocds-213czf-T2";
  const Status s = MergeError({Release(1), Release(2), other});
  EXPECT_EQ(s.message(),
            "release 2 (id \"r3\"): ocid \"ocds-213czf-T2\" differs from \"ocds-213czf-T1\" "
            "(release 0): only releases of one contracting process merge");
}

TEST(OcdsMergeTest, ADateThatIsNotADateIsRejected) {
  json r = Release(1);
  r["date"] = "yesterday";
  Status s = MergeError({r});
  EXPECT_THAT(s.message(), HasSubstr("release 0 (id \"r1\"): date-time \"yesterday\""));
  EXPECT_EQ(s.field(), "releases[0].date");

  r["date"] = "2020-02-30T10:00:00Z";  // no such day
  EXPECT_THAT(MergeError({r}).message(), HasSubstr("2020-02-30T10:00:00Z"));
  r["date"] = "2020-01-01T10:00:00";  // no offset: ambiguous
  EXPECT_THAT(MergeError({r}).message(), HasSubstr("ambiguous"));
  r["date"] = 20200101;
  EXPECT_THAT(MergeError({r}).message(), HasSubstr("date is not a string"));
  r.erase("date");
  EXPECT_THAT(MergeError({r}).message(), HasSubstr("has no date"));
}

TEST(OcdsMergeTest, AReleaseWithoutIdIsRejected) {
  json r = Release(1);
  r.erase("id");
  EXPECT_EQ(MergeError({Release(2), r}).message(), "release 1: has no id");
  r["id"] = 7;
  EXPECT_EQ(MergeError({r}).message(), "release 0 (id 7): id is not a string");
}

}  // namespace
}  // namespace limpide::formats::ocds
