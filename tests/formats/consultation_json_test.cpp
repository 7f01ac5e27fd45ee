#include "formats/consultation_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace limpide::formats {
namespace {

using nlohmann::json;
namespace d = domain;

d::Instant T(std::string_view iso) { return *d::ParseInstant(iso); }

// A buyer's post: every draft field.
constexpr std::string_view kPosted = R"({
  "reference": "2026-TX-014",
  "title": "Réfection de la toiture",
  "description": "Charpente et couverture",
  "buyer": {"id": "21350238800019", "name": "Commune de Rennes", "centralGovernment": false},
  "procedure": "appel_offres_ouvert",
  "nature": "marche",
  "cpv": "45000000-7",
  "additionalCpv": ["45262000-1"],
  "place": {"code": "35", "type": "Code département"},
  "estimatedValue": 6000000.5,
  "lots": [
    {"number": 1, "title": "Charpente", "cpv": "45261000-4", "estimatedValue": 2500000},
    {"number": 2, "title": "Couverture", "estimatedValue": "3 500 000,50"}
  ],
  "criteria": [{"name": "Prix", "weight": 60}, {"name": "Valeur technique", "weight": 40}],
  "electronicBids": true,
  "test": false,
  "maxDocumentBytes": 104857600,
  "questionsDeadline": "2026-12-10T12:00:00+01:00",
  "deadline": "2026-12-20T12:00:00.250+01:00"
})";

d::Consultation MustRead(std::string_view text) {
  auto r = ConsultationFromJson(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : d::Consultation{};
}

TEST(ConsultationFromJson, ReadsEveryDraftField) {
  const d::Consultation c = MustRead(kPosted);
  EXPECT_EQ(c.reference, "2026-TX-014");
  EXPECT_EQ(c.title, "Réfection de la toiture");
  EXPECT_EQ(c.buyer_id, "21350238800019");
  EXPECT_EQ(c.buyer_name, "Commune de Rennes");
  EXPECT_EQ(c.procedure, d::ProcedureType::kAppelOffresOuvert);
  EXPECT_EQ(c.nature, d::ContractNature::kMarche);
  EXPECT_EQ(c.cpv, "45000000-7");
  EXPECT_EQ(c.additional_cpv, std::vector<std::string>{"45262000-1"});
  EXPECT_EQ(c.place_code, "35");
  EXPECT_EQ(c.place_type, "Code département");
  EXPECT_EQ(c.estimated_value, d::Money{6'000'000'50});
  ASSERT_EQ(c.lots.size(), 2u);
  EXPECT_EQ(c.lots[0], (d::Lot{1, "Charpente", "45261000-4", d::Money{2'500'000'00}}));
  EXPECT_EQ(c.lots[1], (d::Lot{2, "Couverture", "", d::Money{3'500'000'50}}));
  EXPECT_EQ(c.criteria, (std::vector<d::AwardCriterion>{{"Prix", 60}, {"Valeur technique", 40}}));
  EXPECT_TRUE(c.electronic_bids);
  EXPECT_FALSE(c.test);
  EXPECT_EQ(c.max_document_bytes, 104857600);
  EXPECT_EQ(c.questions_deadline, T("2026-12-10T11:00:00Z"));
  EXPECT_EQ(c.deadline, T("2026-12-20T11:00:00.250Z"));
  EXPECT_EQ(c.state, d::ConsultationState::kDraft);
  EXPECT_TRUE(d::ValidateDraft(c).ok()) << d::ValidateDraft(c).ToString();
}

TEST(ConsultationFromJson, DefaultsWhatIsLeftOut) {
  const d::Consultation c =
      MustRead(R"({"procedure": "procedure_adaptee", "deadline": "2026-12-20T12:00:00Z"})");
  EXPECT_EQ(c.procedure, d::ProcedureType::kProcedureAdaptee);
  EXPECT_EQ(c.nature, d::ContractNature::kMarche);
  EXPECT_TRUE(c.electronic_bids);
  EXPECT_FALSE(c.test);
  EXPECT_TRUE(c.lots.empty());
  EXPECT_FALSE(c.estimated_value.has_value());
  EXPECT_FALSE(c.questions_deadline.has_value());
  // The rest is ValidateDraft's to refuse.
  EXPECT_FALSE(d::ValidateDraft(c).ok());
}

TEST(ConsultationFromJson, AcceptsNullForAnOptionalFieldAndTheCodeLabelForm) {
  const d::Consultation c = MustRead(R"({
    "procedure": {"code": "appel_offres_restreint", "label": "Appel d'offres restreint"},
    "nature": {"code": "accord_cadre"},
    "deadline": "2026-12-20T12:00:00Z", "questionsDeadline": null, "estimatedValue": null})");
  EXPECT_EQ(c.procedure, d::ProcedureType::kAppelOffresRestreint);
  EXPECT_EQ(c.nature, d::ContractNature::kAccordCadre);
  EXPECT_FALSE(c.questions_deadline.has_value());
}

TEST(ConsultationFromJson, RepairsAMissingCheckDigit) {
  const d::Consultation c = MustRead(
      R"({"procedure": "appel_offres_ouvert", "deadline": "2026-12-20T12:00:00Z", "cpv": "45000000"})");
  EXPECT_EQ(c.cpv, "45000000-7");
}

TEST(ConsultationFromJson, IgnoresTheLifecycleFieldsOfABuyersPost) {
  const d::Consultation c = MustRead(R"({
    "procedure": "appel_offres_ouvert", "deadline": "2026-12-20T12:00:00Z",
    "state": {"code": "signed", "label": "Marché signé"}, "publishedAt": "2026-11-01T00:00:00Z",
    "signedAt": "2026-12-30T00:00:00Z",
    "amendments": [{"number": 1, "at": "2026-11-02T00:00:00Z", "summary": "x", "changedFields": ["title"]}]})");
  EXPECT_EQ(c.state, d::ConsultationState::kDraft);
  EXPECT_FALSE(c.published_at.has_value());
  EXPECT_FALSE(c.signed_at.has_value());
  EXPECT_TRUE(c.amendments.empty());
}

// Each broken input, the field it names and a piece of its message.
TEST(ConsultationFromJson, RefusesBrokenInputNamingTheField) {
  struct Case {
    std::string text;
    const char* field;
    const char* message;
  };
  const std::string base =
      R"("procedure": "appel_offres_ouvert", "deadline": "2026-12-20T12:00:00Z")";
  const auto with = [&](std::string extra) { return "{" + base + ", " + extra + "}"; };
  const Case cases[] = {
      {"", "", "not valid JSON"},
      {"{\"title\": ", "", "line 1, column 11"},
      {"{\"title\": \"x\",}", "", "not valid JSON"},
      {"[1, 2]", "", "a JSON object, not an array"},
      {with(R"("estimatedValue": 601e1300000)"), "", "number overflow parsing"},
      {"\"text\"", "", "not a string"},
      {std::string(100, '[') + std::string(100, ']'), "", "deeper than 32"},
      {with(R"("dedline": "2026-12-20T12:00:00Z")"), "dedline", "unknown field \"dedline\""},
      {with(R"("buyer": {"siret": "21350238800019"})"), "buyer.siret", "unknown field"},
      {with(R"("lots": [{"number": 1, "titel": "x"}])"), "lots[0].titel", "unknown field"},
      {R"({"procedure": "appel_offres_ouvert"})", "deadline", "deadline is required"},
      {R"({"deadline": "2026-12-20T12:00:00Z"})", "procedure", "procedure is required"},
      {R"({"procedure": "appel_offres_ouvert", "deadline": null})", "deadline", "required"},
      {with(R"("title": 5)"), "title", "title must be a string, not a number"},
      {with(R"("buyer": "21350238800019")"), "buyer", "must be an object"},
      {with(R"("buyer": {"centralGovernment": "yes"})"), "buyer.centralGovernment",
       "true or false"},
      {R"({"procedure": "appel_offre_ouvert", "deadline": "2026-12-20T12:00:00Z"})", "procedure",
       "unknown procedure code \"appel_offre_ouvert\"; one of \"procedure_adaptee\""},
      {R"({"procedure": 3, "deadline": "2026-12-20T12:00:00Z"})", "procedure", "code string"},
      {R"({"procedure": {"label": "x"}, "deadline": "2026-12-20T12:00:00Z"})", "procedure.code",
       "required"},
      {with(R"("nature": "Marché")"), "nature", "unknown nature code"},
      {with(R"("cpv": "45000000-8")"), "cpv", "wrong check digit; the code 45000000 is 45000000-7"},
      {with(R"("cpv": "99999999")"), "cpv", "99999999"},
      {with(R"("cpv": ["45000000-7"])"), "cpv", "must be a string"},
      {with(R"("additionalCpv": ["45000000-7", "abc"])"), "additionalCpv[1]", "CPV"},
      {with(R"("additionalCpv": "45000000-7")"), "additionalCpv", "must be an array"},
      {with(R"("place": {"code": 35})"), "place.code", "must be a string"},
      {with(R"("estimatedValue": "beaucoup")"), "estimatedValue", "estimatedValue"},
      {with(R"("estimatedValue": true)"), "estimatedValue", "amount in euros"},
      {with(R"("estimatedValue": 1e20)"), "estimatedValue", ""},
      {with(R"("estimatedValue": 1e14)"), "estimatedValue", "beyond 10^13 euros"},
      {with(R"("questionsDeadline": "1900-01-01T00:30:00+01:00")"), "questionsDeadline",
       "years 1900 to 2199"},
      {with(R"("lots": {"number": 1})"), "lots", "must be an array"},
      {with(R"("lots": [5])"), "lots[0]", "must be an object"},
      {with(R"("lots": [{"number": 1.5}])"), "lots[0].number", "must be an integer"},
      {with(R"("lots": [{"number": 0}])"), "lots[0].number", "from 1 to 9999"},
      {with(R"("lots": [{"number": 1, "cpv": "1"}])"), "lots[0].cpv", "CPV"},
      {with(R"("lots": [{"number": 1, "estimatedValue": "x"}])"), "lots[0].estimatedValue", ""},
      {with(R"("criteria": [{"name": "Prix", "weight": 33.5}])"), "criteria[0].weight",
       "must be an integer"},
      {with(R"("criteria": [{"name": "Prix", "weight": "60"}])"), "criteria[0].weight",
       "not a string"},
      {with(R"("criteria": [{"name": "Prix", "weight": 99999999999}])"), "criteria[0].weight",
       "from -1000 to 1000"},
      {with(R"("criteria": [{"nom": "Prix"}])"), "criteria[0].nom", "unknown field"},
      {with(R"("electronicBids": "true")"), "electronicBids", "true or false"},
      {with(R"("maxDocumentBytes": -1)"), "maxDocumentBytes", ""},
      {with(R"("maxDocumentBytes": 18446744073709551615)"), "maxDocumentBytes",
       "from 0 to 9223372036854775807"},
      {R"({"procedure": "appel_offres_ouvert", "deadline": "2026-12-20T12:00:00"})", "deadline",
       "deadline must be ISO 8601 with an offset, e.g. 2026-12-20T12:00:00+01:00"},
      {R"({"procedure": "appel_offres_ouvert", "deadline": "2026-12-20"})", "deadline", "ISO 8601"},
      {R"({"procedure": "appel_offres_ouvert", "deadline": "20/12/2026 12:00"})", "deadline",
       "ISO 8601"},
      {R"({"procedure": "appel_offres_ouvert", "deadline": 1766228400})", "deadline",
       "must be a string"},
      {with(R"("questionsDeadline": "2026-02-30T12:00:00Z")"), "questionsDeadline", "no such day"},
      {with(R"("state": "finished")"), "state", "unknown state code"},
      {with(R"("publishedAt": "yesterday")"), "publishedAt", "ISO 8601"},
      {with(R"("amendments": [{"number": 1, "changedFields": [3]}])"),
       "amendments[0].changedFields[0]", "must be a string"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.text);
    const auto r = ConsultationFromJson(k.text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << r.status().ToString();
    EXPECT_EQ(r.status().field(), k.field) << r.status().ToString();
    EXPECT_NE(r.status().message().find(k.message), std::string::npos) << r.status().message();
  }
}

// Found by a mutation run of consultation_json_fuzz: nlohmann reports a number
// beyond a double as out_of_range, not parse_error, and it escaped as an exception.
TEST(ConsultationFromJson, RefusesANumberBeyondADoubleWithoutThrowing) {
  const auto r = ConsultationFromJson(
      R"({"procedure": "appel_offres_ouvert", "deadline": "2026-12-20T12:00:00Z", "maxDocumentBytes": 601e1300000})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "the body is not valid JSON: number overflow parsing '601e1300000'");
}

TEST(ConsultationFromJson, KeepsErrorMessagesValidUtf8) {
  const auto r = ConsultationFromJson("{\"\xff\xfe\": 1}");
  ASSERT_FALSE(r.ok());
  for (char ch : r.status().message()) EXPECT_LT(static_cast<unsigned char>(ch), 0x80);
}

// A consultation at every stage of its life, with whole-millisecond instants.
d::Consultation Lived() {
  d::Consultation c = MustRead(kPosted);
  c.id = "cons-1";
  c.central_government = true;
  c.test = true;
  c.state = d::ConsultationState::kStandstill;
  c.published_at = T("2026-11-10T10:00:00Z");
  c.opened_at = T("2026-12-20T11:00:00.001Z");
  c.evaluated_at = T("2026-12-22T09:00:00Z");
  c.awarded_at = T("2026-12-23T09:00:00Z");
  c.standstill_ends = T("2027-01-03T09:00:00Z");
  c.amendments = {{1, T("2026-11-20T08:30:00.125Z"), "Champs modifiés : lots", {"lots"}},
                  {2, T("2026-11-21T08:30:00Z"), "Report", {"deadline", "questionsDeadline"}}};
  return c;
}

TEST(ConsultationToJson, WritesTheDocumentedForm) {
  const json j = json::parse(ConsultationToJson(Lived()));
  EXPECT_EQ(j["deadline"], "2026-12-20T11:00:00.250Z");
  EXPECT_EQ(j["questionsDeadline"], "2026-12-10T11:00:00.000Z");
  EXPECT_EQ(j["procedure"],
            json::parse(R"({"code": "appel_offres_ouvert", "label": "Appel d'offres ouvert"})"));
  EXPECT_EQ(j["state"], json::parse(R"({"code": "standstill", "label": "Délai de suspension"})"));
  EXPECT_EQ(j["estimatedValue"], 6000000.5);
  EXPECT_EQ(j["lots"][0]["estimatedValue"], 2500000);
  EXPECT_TRUE(j["lots"][0]["estimatedValue"].is_number_integer());
  EXPECT_EQ(
      j["buyer"],
      json::parse(
          R"({"id": "21350238800019", "name": "Commune de Rennes", "centralGovernment": true})"));
  EXPECT_EQ(j["amendments"][0], json::parse(R"({"number": 1, "at": "2026-11-20T08:30:00.125Z",
      "summary": "Champs modifiés : lots", "changedFields": ["lots"]})"));
  EXPECT_EQ(j["standstillEnds"], "2027-01-03T09:00:00.000Z");
  EXPECT_FALSE(j.contains("signedAt"));
  EXPECT_TRUE(j["test"].get<bool>());
}

TEST(ConsultationJson, RoundTripsThroughTheStoredForm) {
  const d::Consultation c = Lived();
  const auto back = ConsultationFromStoredJson(ConsultationToJson(c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
}

TEST(ConsultationJson, RoundTripsTheDraftFieldsThroughTheBuyersForm) {
  d::Consultation c = Lived();
  const d::Consultation back = MustRead(ConsultationToJson(c));
  c.state = d::ConsultationState::kDraft;
  c.published_at = c.opened_at = c.evaluated_at = c.awarded_at = c.standstill_ends = std::nullopt;
  c.amendments.clear();
  EXPECT_EQ(back, c);
}

TEST(ConsultationToJson, ReplacesInvalidUtf8) {
  d::Consultation c = Lived();
  c.title = "caf\xE9";
  const json j = json::parse(ConsultationToJson(c));
  EXPECT_EQ(j["title"], "caf\xEF\xBF\xBD");
}

}  // namespace
}  // namespace limpide::formats
