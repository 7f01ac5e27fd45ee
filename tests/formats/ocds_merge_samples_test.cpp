// The merge engine against published records: the OCP's fictional worked
// example (six releases → compiled and versioned release of the record files)
// and real ProZorro data.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/ocds/merge.h"
#include "ocds/merge_test_util.h"

namespace limpide::formats::ocds {
namespace {

using nlohmann::json;
using testing::LoadJson;
using testing::OfficialMerger;
using testing::SameJson;
using testing::SharedData;

const char* const kFictional[] = {
    "ocds-213czf-000-00001-01-planning.json",        "ocds-213czf-000-00001-02-tender.json",
    "ocds-213czf-000-00001-03-tenderAmendment.json", "ocds-213czf-000-00001-04-award.json",
    "ocds-213czf-000-00001-05-contract.json",        "ocds-213czf-000-00001-06-implementation.json",
};

std::vector<json> FictionalReleases() {
  std::vector<json> releases;
  for (const char* file : kFictional) {
    json package = LoadJson(SharedData(std::string("ocds/samples/fictional-ocp-1.1/") + file));
    for (json& r : package["releases"]) releases.push_back(std::move(r));
  }
  return releases;
}

json FictionalRecord(const char* file) {
  return LoadJson(SharedData(std::string("ocds/samples/fictional-ocp-1.1/") + file))["records"][0];
}

TEST(OcdsMergeSamplesTest, SixFictionalReleasesGiveTheCompiledReleaseOfTheRecord) {
  const std::vector<json> releases = FictionalReleases();
  ASSERT_EQ(releases.size(), 6u);
  auto compiled = OfficialMerger().Compile(releases);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  EXPECT_TRUE(
      SameJson(*compiled, FictionalRecord("record-ocds-213czf-000-00001.json")["compiledRelease"]));
}

TEST(OcdsMergeSamplesTest, SixFictionalReleasesGiveTheVersionedReleaseOfTheRecord) {
  const std::vector<json> releases = FictionalReleases();
  auto versioned = OfficialMerger().Versioned(releases);
  ASSERT_TRUE(versioned.ok()) << versioned.status().ToString();
  EXPECT_TRUE(SameJson(
      *versioned,
      FictionalRecord("record-ocds-213czf-000-00001-withversions.json")["versionedRelease"]));
}

TEST(OcdsMergeSamplesTest, MergeGivesTheCompiledAndVersionedReleasesAtOnce) {
  const std::vector<json> releases = FictionalReleases();
  auto record = OfficialMerger().Merge(releases);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_TRUE(SameJson(record->compiled,
                       FictionalRecord("record-ocds-213czf-000-00001.json")["compiledRelease"]));
  EXPECT_TRUE(SameJson(
      record->versioned,
      FictionalRecord("record-ocds-213czf-000-00001-withversions.json")["versionedRelease"]));
}

TEST(OcdsMergeSamplesTest, MergeToTextWritesTheSameRecordAsText) {
  const std::vector<json> releases = FictionalReleases();
  auto text = OfficialMerger().MergeToText(releases);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_TRUE(SameJson(json::parse(text->compiled),
                       FictionalRecord("record-ocds-213czf-000-00001.json")["compiledRelease"]));
  EXPECT_TRUE(SameJson(
      json::parse(text->versioned),
      FictionalRecord("record-ocds-213czf-000-00001-withversions.json")["versionedRelease"]));
  auto record = OfficialMerger().Merge(releases);
  EXPECT_EQ(text->compiled, record->compiled.dump());
  EXPECT_EQ(text->versioned, record->versioned.dump());
}

TEST(OcdsMergeSamplesTest, TheOrderOfTheInputDoesNotMatterWhenDatesDiffer) {
  std::vector<json> releases = FictionalReleases();
  std::reverse(releases.begin(), releases.end());
  std::swap(releases[1], releases[4]);
  auto compiled = OfficialMerger().Compile(releases);
  auto versioned = OfficialMerger().Versioned(releases);
  ASSERT_TRUE(compiled.ok() && versioned.ok());
  EXPECT_TRUE(
      SameJson(*compiled, FictionalRecord("record-ocds-213czf-000-00001.json")["compiledRelease"]));
  EXPECT_TRUE(SameJson(
      *versioned,
      FictionalRecord("record-ocds-213czf-000-00001-withversions.json")["versionedRelease"]));
}

TEST(OcdsMergeSamplesTest, ThePackageOfAllSixReleasesGivesTheSameRecord) {
  const json package =
      LoadJson(SharedData("ocds/samples/fictional-ocp-1.1/ocds-213czf-000-00001.json"));
  const std::vector<json> releases(package["releases"].begin(), package["releases"].end());
  auto compiled = OfficialMerger().Compile(releases);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  EXPECT_TRUE(
      SameJson(*compiled, FictionalRecord("record-ocds-213czf-000-00001.json")["compiledRelease"]));
}

// ProZorro's record package only links its releases ({url, date}); the
// releases themselves are in release-package-10.json, one per ocid, and it is
// the contract-stage release. For 9 of the 10 ocids it is the latest release
// (its date is the compiled release's); the earlier, tender-stage release is
// linked but not bundled, and it is where the compiled `tender` and `awards`
// come from. For ocds-be6bcu-UA-2017-10-31-002726-a the bundled release is the
// second of three, so that compiled release cannot be rebuilt at all.
TEST(OcdsMergeSamplesTest, ProzorroRecordsLinkTheirReleasesInsteadOfCarryingThem) {
  const json records = LoadJson(SharedData("ocds/samples/prozorro-ua/record-package-10.json"));
  ASSERT_EQ(records["records"].size(), 10u);
  for (const json& record : records["records"]) {
    for (const json& linked : record["releases"]) {
      EXPECT_TRUE(linked.contains("url") && linked.contains("date") && !linked.contains("id"))
          << record["ocid"];
    }
  }
}

TEST(OcdsMergeSamplesTest, ProzorroLatestReleasesMergeToTheirCompiledReleases) {
  const json records = LoadJson(SharedData("ocds/samples/prozorro-ua/record-package-10.json"));
  const json package = LoadJson(SharedData("ocds/samples/prozorro-ua/release-package-10.json"));
  std::map<std::string, std::vector<json>> by_ocid;
  for (const json& r : package["releases"]) by_ocid[r["ocid"].get<std::string>()].push_back(r);

  int compared = 0;
  for (const json& record : records["records"]) {
    const std::string ocid = record["ocid"];
    SCOPED_TRACE(ocid);
    const json& expected = record["compiledRelease"];
    const std::vector<json>& releases = by_ocid.at(ocid);
    auto compiled = OfficialMerger().Compile(releases);
    ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
    // The versioned release must come out too: sixteen extensions, none in the schema.
    auto versioned = OfficialMerger().Versioned(releases);
    ASSERT_TRUE(versioned.ok()) << versioned.status().ToString();
    EXPECT_EQ((*versioned)["ocid"], ocid);
    auto text = OfficialMerger().MergeToText(releases);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    EXPECT_EQ(text->compiled, compiled->dump());
    EXPECT_EQ(text->versioned, versioned->dump());

    if (releases.back()["date"] != expected["date"]) {
      // Only an earlier release is bundled: the latest one cannot be rebuilt.
      EXPECT_EQ(ocid, "ocds-be6bcu-UA-2017-10-31-002726-a");
      EXPECT_LT(releases.back()["date"].get<std::string>(), expected["date"].get<std::string>());
      continue;
    }
    ++compared;
    // Every field the bundled release carries is as the publisher compiled it;
    // `tender` and `awards` come from the missing tender-stage release.
    EXPECT_FALSE(compiled->contains("tender") || compiled->contains("awards"));
    json without = expected;
    without.erase("tender");
    without.erase("awards");
    EXPECT_TRUE(SameJson(*compiled, without));

    // With the tender-stage release rebuilt from what the record says of it
    // (date of the first linked release), the merge is the compiled release.
    ASSERT_EQ(record["releases"].size(), 2u);
    const json first = {{"ocid", ocid},
                        {"id", "rebuilt-tender-stage"},
                        {"date", record["releases"][0]["date"]},
                        {"tag", {"tender"}},
                        {"tender", expected["tender"]},
                        {"awards", expected["awards"]}};
    const std::vector<json> both = {releases.back(), first};
    auto rebuilt = OfficialMerger().Compile(both);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
    EXPECT_TRUE(SameJson(*rebuilt, expected));
  }
  EXPECT_EQ(compared, 9);
}

}  // namespace
}  // namespace limpide::formats::ocds
