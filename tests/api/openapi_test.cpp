#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "api/api.h"
#include "app/importer.h"

namespace limpide::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::set<std::string> Enum(const json& schema) {
  std::set<std::string> out;
  for (const auto& v : schema.at("enum")) out.insert(v.get<std::string>());
  return out;
}

// Every value found in the bundled demo data must be listed in the OpenAPI
// enums, so that clients generated from it accept our own data.
TEST(OpenApi, EveryEnumValueFoundInTheBundledDataIsListed) {
  const fs::path dir = fs::temp_directory_path() / ("limpide-openapi-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto store = store::OpenStore("sqlite:" + (dir / "t.db").string());
  ASSERT_TRUE(store.ok());
  std::vector<std::string> files;
  const std::string shared = LIMPIDE_SHARED_DATA;
  for (const char* f : {"/decp/real-2019-decp-rama/marches-publics.info.json",
                        "/decp/real-2019-decp-rama/data.gouv.fr_aife.json"}) {
    files.push_back(shared + f);
  }
  for (const auto& e : fs::directory_iterator(fs::path(LIMPIDE_SOURCE_DIR) / "data/demo")) {
    if (e.path().extension() == ".json" || e.path().extension() == ".xml")
      files.push_back(e.path());
  }
  app::Importer importer(**store);
  auto report = importer.Import(files, {});
  ASSERT_TRUE(report.ok());
  ASSERT_GT(report->totals.inserted, 8000);

  const json doc = json::parse(OpenApiJson());
  const json& contract = doc["components"]["schemas"]["Contract"]["properties"];
  const std::map<std::string, std::set<std::string>> enums = {
      {"procedure", Enum(contract["procedure"]["properties"]["code"])},
      {"nature", Enum(contract["nature"]["properties"]["code"])},
      {"holder_id_type", Enum(contract["holders"]["items"]["properties"]["idType"])},
      {"place_code_type", Enum(contract["place"]["properties"]["type"])},
  };
  for (const auto& [column, allowed] : enums) {
    auto values = (*store)->DistinctValues(column);
    ASSERT_TRUE(values.ok()) << column << ": " << values.status().ToString();
    EXPECT_FALSE(values->empty()) << column;
    for (const auto& v : *values)
      EXPECT_TRUE(allowed.count(v)) << column << " value '" << v << "' missing";
  }
  store->reset();
  fs::remove_all(dir);
}

TEST(OpenApi, ListsEveryRouteOfTheApi) {
  const json doc = json::parse(OpenApiJson());
  for (const char* path :
       {"/api/v1/contracts", "/api/v1/contracts.csv", "/api/v1/contracts/{uid}",
        "/api/v1/organizations/{siret}", "/api/v1/cpv/{code}", "/api/v1/ocds/releases",
        "/api/v1/ocds/records/{ocid}", "/api/v1/bulk", "/api/v1/bulk/full/{file}",
        "/api/v1/bulk/daily/{day}/{file}", "/healthz", "/metrics", "/api/v1/alerts",
        "/api/v1/alerts/{id}", "/api/v1/alerts/{id}/feed", "/api/v1/alerts/{id}/deliveries"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
}

TEST(OpenApi, SearchAnswerSaysHowTheFacetsWereCounted) {
  const json doc = json::parse(OpenApiJson());
  const json& ok = doc["paths"]["/api/v1/search"]["get"]["responses"]["200"];
  const json& schema = ok["content"]["application/json"]["schema"];
  const json& properties = schema["properties"];
  ASSERT_TRUE(properties.contains("facetsExact"));
  ASSERT_TRUE(properties.contains("facetsSampled"));
  EXPECT_EQ(properties["facetsSampled"]["type"], "integer");
  // Added after clients were written against facetsExact: not required.
  for (const auto& required : schema["required"]) EXPECT_NE(required, "facetsSampled");
}

TEST(QueryString, EncodesAndSkips) {
  EXPECT_EQ(QueryString({{"q", "a b&c"}, {"after", "x"}, {"e", ""}}, "after"), "?q=a%20b%26c");
  EXPECT_EQ(QueryString({}, ""), "");
  EXPECT_EQ(UrlEncode("é/"), "%C3%A9%2F");
}

}  // namespace
}  // namespace limpide::api
