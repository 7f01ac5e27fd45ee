#include "domain/consultation.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace limpide::domain {
namespace {

constexpr int64_t kMs = 1'000;
constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

using S = ConsultationState;
using A = ConsultationAction;

Instant T(std::string_view iso) {
  auto r = ParseInstant(iso);
  EXPECT_TRUE(r.ok()) << iso;
  return r.ok() ? *r : Instant{};
}
Instant Plus(Instant t, int64_t micros) { return Instant{t.micros + micros}; }

const Instant kPub = T("2026-11-10T10:00:00Z");
const Instant kDeadline = T("2026-12-20T12:00:00+01:00");  // 40 days and 1 h after kPub

// A valid open procedure for works, above the EU thresholds.
Consultation Valid() {
  Consultation c;
  c.id = "cons-1";
  c.reference = "2026-TX-014";
  c.title = "Réfection de la toiture de l'école Jules-Ferry";
  c.description = "Charpente et couverture du bâtiment principal";
  c.buyer_id = "21350238800019";
  c.buyer_name = "Commune de Rennes";
  c.procedure = ProcedureType::kAppelOffresOuvert;
  c.nature = ContractNature::kMarche;
  c.cpv = "45000000-7";
  c.additional_cpv = {"45262000-1"};
  c.place_code = "35";
  c.place_type = "Code département";
  c.estimated_value = Money{6'000'000'00};
  c.lots = {{1, "Charpente", "45261000-4", Money{2'500'000'00}},
            {2, "Couverture", "45261210-9", Money{3'500'000'00}}};
  c.criteria = {{"Prix", 60}, {"Valeur technique", 40}};
  c.max_document_bytes = 100 << 20;
  c.questions_deadline = Plus(kDeadline, -10 * kDay);
  c.deadline = kDeadline;
  return c;
}

Consultation Must(Result<Consultation> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Consultation{};
}

// A consultation whose effective state at the returned instant is `s`, reached
// through Apply from a valid draft.
std::pair<Consultation, Instant> Reach(S s) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  if (s == S::kDraft) return {c, kPub};
  c = Must(Apply(c, A::kPublish, kPub, rules));
  if (s == S::kPublished) return {c, Plus(kPub, kDay)};
  Instant now = Plus(kDeadline, kHour);
  if (s == S::kClosed) return {c, now};  // stored published, effectively closed
  if (s == S::kCancelled) return {Must(Apply(c, A::kCancel, now, rules)), now};
  c = Must(Apply(c, A::kOpenBids, now, rules));
  if (s == S::kOpened) return {c, now};
  if (s == S::kUnsuccessful) return {Must(Apply(c, A::kDeclareUnsuccessful, now, rules)), now};
  now = Plus(now, kDay);
  c = Must(Apply(c, A::kEvaluate, now, rules));
  if (s == S::kEvaluated) return {c, now};
  now = Plus(now, kDay);
  c = Must(Apply(c, A::kAward, now, rules));
  if (s == S::kStandstill) return {c, Plus(now, kDay)};
  now = Plus(now, 11 * kDay);
  if (s == S::kAwarded) return {c, now};  // stored standstill, effectively awarded
  c = Must(Apply(c, A::kSign, now, rules));
  if (s == S::kSigned) return {c, now};
  now = Plus(now, kDay);
  return {Must(Apply(c, A::kPublishData, now, rules)), now};
}

void ExpectInvalid(const Status& s, std::string_view field, std::string_view in_message = {}) {
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.field(), field) << s.ToString();
  // Every refusal of the domain has its French text for the web pages.
  EXPECT_FALSE(s.french().empty()) << s.ToString();
  EXPECT_NE(s.french(), s.message());
  if (!in_message.empty()) {
    EXPECT_NE(s.message().find(in_message), std::string::npos) << s.message();
  }
}

void ExpectConflict(const Status& s, std::string_view in_message) {
  EXPECT_EQ(s.code(), ErrorCode::kConflict) << s.ToString();
  EXPECT_FALSE(s.french().empty()) << s.ToString();
  EXPECT_NE(s.message().find(in_message), std::string::npos) << s.message();
}

// ---- Codes and labels ------------------------------------------------------------

TEST(ConsultationCodes, EveryStateAndActionHasAUniqueCodeThatReadsBack) {
  std::set<std::string_view> codes;
  for (S s : AllConsultationStates()) {
    EXPECT_TRUE(codes.insert(Code(s)).second) << Code(s);
    EXPECT_EQ(StateFromCode(Code(s)), s);
    EXPECT_FALSE(Label(s).empty());
  }
  EXPECT_EQ(codes.size(), 11u);
  codes.clear();
  for (A a : AllConsultationActions()) {
    EXPECT_TRUE(codes.insert(Code(a)).second) << Code(a);
    EXPECT_EQ(ActionFromCode(Code(a)), a);
  }
  EXPECT_EQ(codes.size(), 14u);
  EXPECT_EQ(StateFromCode("Published"), std::nullopt);
  EXPECT_EQ(ActionFromCode(""), std::nullopt);
}

TEST(ConsultationCodes, AreStableLowerSnakeNamesWithFrenchLabels) {
  EXPECT_EQ(Code(S::kDataPublished), "data_published");
  EXPECT_EQ(Code(A::kOpenBids), "open_bids");
  EXPECT_EQ(Code(A::kDeclareUnsuccessful), "declare_unsuccessful");
  EXPECT_EQ(Label(S::kDraft), "Brouillon");
  EXPECT_EQ(Label(S::kPublished), "Publiée");
  EXPECT_EQ(Label(S::kClosed), "Clôturée");
  EXPECT_EQ(Label(S::kCancelled), "Sans suite");
  EXPECT_EQ(Label(S::kUnsuccessful), "Infructueuse");
}

// ---- ValidateDraft -----------------------------------------------------------------

TEST(ValidateDraft, AcceptsACompleteConsultation) { EXPECT_TRUE(ValidateDraft(Valid()).ok()); }

TEST(ValidateDraft, AcceptsASingleLotConsultationWithoutOptionalFields) {
  Consultation c = Valid();
  c.lots.clear();
  c.additional_cpv.clear();
  c.place_code.clear();
  c.place_type.clear();
  c.estimated_value.reset();
  c.questions_deadline.reset();
  c.reference.clear();
  c.description.clear();
  EXPECT_TRUE(ValidateDraft(c).ok()) << ValidateDraft(c).ToString();
}

TEST(ValidateDraft, NamesTheFieldOfEachBrokenRule) {
  struct Case {
    const char* name;
    void (*breaks)(Consultation&);
    const char* field;
    const char* message;
  };
  const Case cases[] = {
      {"empty title", [](Consultation& c) { c.title = " "; }, "title", "title"},
      {"bad SIRET", [](Consultation& c) { c.buyer_id = "21350238800018"; }, "buyer.id", "SIRET"},
      {"SIRET with spaces", [](Consultation& c) { c.buyer_id = "213 502 388 00019"; }, "buyer.id",
       "14 digits"},
      {"no CPV", [](Consultation& c) { c.cpv.clear(); }, "cpv", "empty"},
      {"CPV wrong check digit", [](Consultation& c) { c.cpv = "45000000-8"; }, "cpv", "45000000-7"},
      {"CPV without check digit", [](Consultation& c) { c.cpv = "45000000"; }, "cpv", "canonical"},
      {"CPV not in the table", [](Consultation& c) { c.cpv = "99999999-9"; }, "cpv", "99999999"},
      {"bad additional CPV", [](Consultation& c) { c.additional_cpv.push_back("12"); },
       "additionalCpv[1]", "CPV"},
      {"unknown place type", [](Consultation& c) { c.place_type = "Département"; }, "place.type",
       "Code département"},
      {"place type without code", [](Consultation& c) { c.place_code.clear(); }, "place.code", ""},
      {"negative value", [](Consultation& c) { c.estimated_value = Money{-1}; }, "estimatedValue",
       "negative"},
      {"lots from 0", [](Consultation& c) { c.lots[0].number = 0; }, "lots[0].number", "1 to 2"},
      {"lot numbered twice", [](Consultation& c) { c.lots[1].number = 1; }, "lots[1].number", ""},
      {"lot without title", [](Consultation& c) { c.lots[1].title.clear(); }, "lots[1].title", ""},
      {"lot with bad CPV", [](Consultation& c) { c.lots[0].cpv = "4526100"; }, "lots[0].cpv", ""},
      {"lot with negative value", [](Consultation& c) { c.lots[1].estimated_value = Money{-100}; },
       "lots[1].estimatedValue", ""},
      {"no criteria", [](Consultation& c) { c.criteria.clear(); }, "criteria", "at least one"},
      {"weight 0",
       [](Consultation& c) {
         c.criteria = {{"Prix", 0}, {"Valeur technique", 100}};
       },
       "criteria[0].weight", "1 to 100"},
      {"weight 101",
       [](Consultation& c) {
         c.criteria = {{"Prix", 101}};
       },
       "criteria[0].weight", "101"},
      {"negative weight",
       [](Consultation& c) {
         c.criteria = {{"Prix", 110}, {"Délai", -10}};
       },
       "criteria[0].weight", ""},
      {"weights summing to 90", [](Consultation& c) { c.criteria[1].weight = 30; }, "criteria",
       "sum to 90"},
      {"weights summing to 110",
       [](Consultation& c) {
         c.criteria.push_back({"Délai", 10});
       },
       "criteria", "sum to 110"},
      {"criterion without name", [](Consultation& c) { c.criteria[1].name.clear(); },
       "criteria[1].name", ""},
      {"criterion twice",
       [](Consultation& c) {
         c.criteria = {{"Prix", 50}, {"Prix", 50}};
       },
       "criteria[1].name", "twice"},
      {"no size limit", [](Consultation& c) { c.max_document_bytes = 0; }, "maxDocumentBytes",
       "size limit"},
      {"questions at the deadline", [](Consultation& c) { c.questions_deadline = c.deadline; },
       "questionsDeadline", "before the deadline"},
      {"questions after the deadline",
       [](Consultation& c) { c.questions_deadline = Plus(c.deadline, kMs); }, "questionsDeadline",
       ""},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    Consultation c = Valid();
    k.breaks(c);
    ExpectInvalid(ValidateDraft(c), k.field, k.message);
  }
}

TEST(ValidateDraft, BoundsTheNumberOfLotsAndCriteria) {
  Consultation c = Valid();
  c.lots.clear();
  for (int i = 1; i <= kMaxLots; ++i) c.lots.push_back({i, "Lot " + std::to_string(i), "", {}});
  EXPECT_TRUE(ValidateDraft(c).ok());
  c.lots.push_back({kMaxLots + 1, "Un de trop", "", {}});
  ExpectInvalid(ValidateDraft(c), "lots", "at most 500 lots, not 501");
  EXPECT_EQ(ValidateDraft(c).french(), "une consultation compte au plus 500 lots, pas 501");
  c = Valid();
  c.criteria.clear();
  for (int i = 0; i <= kMaxCriteria; ++i) c.criteria.push_back({"C" + std::to_string(i), 1});
  ExpectInvalid(ValidateDraft(c), "criteria", "at most 100 award criteria, not 101");
}

TEST(FrenchMessages, EveryRefusalOfTheStateMachineSaysItInFrenchWithTheState) {
  const ProcedureRules rules = DefaultRules();
  int refusals = 0;
  for (S s : AllConsultationStates()) {
    auto [c, now] = Reach(s);
    for (A a : AllConsultationActions()) {
      if (a == A::kAmend && s == S::kPublished) continue;
      const Status st = CheckAction(c, a, now, rules);
      if (st.ok()) continue;
      ++refusals;
      SCOPED_TRACE(std::string(Code(s)) + " / " + std::string(Code(a)) + ": " + st.message());
      EXPECT_EQ(st.code(), ErrorCode::kConflict);
      ASSERT_FALSE(st.french().empty());
      // Dates in Paris time, never the API's UTC form.
      EXPECT_EQ(st.french().find("T11:00:00.000Z"), std::string::npos) << st.french();
      if (st.message().find("; the consultation is") != std::string::npos) {
        EXPECT_NE(st.french().find("état de la consultation : " + std::string(Label(s))),
                  std::string::npos)
            << st.french();
      }
    }
  }
  EXPECT_GT(refusals, 100);
  // One in full.
  auto [signed_c, at] = Reach(S::kSigned);
  EXPECT_EQ(CheckAction(signed_c, A::kDeclareUnsuccessful, at, rules).french(),
            "une consultation ne peut être déclarée infructueuse qu'après l'ouverture des plis et "
            "avant l'attribution (CCP art. R2185-1) ; état de la consultation : Marché signé");
  auto [published, before] = Reach(S::kPublished);
  EXPECT_EQ(CheckAction(published, A::kOpenBids, before, rules).french(),
            "les plis ne s'ouvrent qu'après la date limite (20/12/2026 12:00 (heure de Paris)) ; "
            "état de la consultation : Publiée");
}

TEST(FrenchMessages, TheLegalPeriodIsExplainedInFrench) {
  Consultation c = Valid();
  c.deadline = Plus(kPub, 29 * kDay + 23 * kHour + 59 * kMinute);
  c.questions_deadline.reset();
  const Status st = CheckMinimumPeriod(c, kPub, DefaultRules());
  ExpectInvalid(st, "deadline");
  EXPECT_EQ(st.french(),
            "la date limite (10/12/2026 10:59 (heure de Paris)) tombe 29 jours 23 h 59 min après "
            "la publication (10/11/2026 11:00 (heure de Paris)) ; une procédure « Appel d'offres "
            "ouvert » au-dessus des seuils européens exige au moins 30 jours quand les offres "
            "sont reçues par voie électronique (CCP art. R2161-2 et R2161-3)");
}

TEST(ValidateDraft, AcceptsWeightsOfOneAndOneHundred) {
  Consultation c = Valid();
  c.criteria = {{"Prix", 100}};
  EXPECT_TRUE(ValidateDraft(c).ok());
  c.criteria.clear();
  for (int i = 0; i < 100; ++i) c.criteria.push_back({"Critère " + std::to_string(i), 1});
  EXPECT_TRUE(ValidateDraft(c).ok());
}

TEST(ValidateDraft, AcceptsTheLaPosteSiretException) {
  Consultation c = Valid();
  c.buyer_id = "35600000000048";
  EXPECT_TRUE(ValidateDraft(c).ok()) << ValidateDraft(c).ToString();
}

// ---- Thresholds ----------------------------------------------------------------------

TEST(EuThreshold, DependsOnWorksAndOnTheKindOfBuyer) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  EXPECT_EQ(EuThreshold(c, rules), Money{5'404'000'00});
  c.cpv = "79000000-4";
  EXPECT_EQ(EuThreshold(c, rules), Money{216'000'00});
  c.central_government = true;
  EXPECT_EQ(EuThreshold(c, rules), Money{140'000'00});
}

TEST(AboveEuThresholds, StartsAtTheThresholdItself) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  c.estimated_value = Money{5'404'000'00};
  EXPECT_TRUE(AboveEuThresholds(c, rules));
  c.estimated_value = Money{5'404'000'00 - 1};
  EXPECT_FALSE(AboveEuThresholds(c, rules));
}

TEST(AboveEuThresholds, SumsTheLotsWithoutATotalAndAssumesAboveWhenUnknown) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  c.estimated_value.reset();
  EXPECT_TRUE(AboveEuThresholds(c, rules));  // 2.5 M + 3.5 M
  c.lots[1].estimated_value = Money{1'000'000'00};
  EXPECT_FALSE(AboveEuThresholds(c, rules));  // 3.5 M
  c.lots[1].estimated_value.reset();
  EXPECT_TRUE(AboveEuThresholds(c, rules));  // unknown
  c.lots.clear();
  EXPECT_TRUE(AboveEuThresholds(c, rules));
}

TEST(ProcedureRules, AreConfigurable) {
  ProcedureRules rules = DefaultRules();
  rules.works_threshold = Money{7'000'000'00};
  Consultation c = Valid();
  EXPECT_FALSE(AboveEuThresholds(c, rules));
  rules.periods[ProcedureType::kAppelOffresOuvert] = {45, 40, "local rule 7", true};
  c.deadline = Plus(kPub, 39 * kDay);
  c.questions_deadline.reset();
  ExpectInvalid(CheckMinimumPeriod(c, kPub, rules), "deadline", "at least 40 days");
  ExpectInvalid(CheckMinimumPeriod(c, kPub, rules), "deadline", "(local rule 7)");
  c.deadline = Plus(kPub, 40 * kDay);
  EXPECT_TRUE(CheckMinimumPeriod(c, kPub, rules).ok());
}

// ---- Minimum periods ---------------------------------------------------------------

Consultation WithDeadline(Consultation c, int64_t after_publication) {
  c.deadline = Plus(kPub, after_publication);
  c.questions_deadline.reset();
  return c;
}

TEST(CheckMinimumPeriod, OpenProcedureWithElectronicBidsNeedsThirtyDays) {
  const ProcedureRules rules = DefaultRules();
  const Status refused =
      CheckMinimumPeriod(WithDeadline(Valid(), 30 * kDay - kMinute), kPub, rules);
  ExpectInvalid(refused, "deadline", "is 29 days 23 h 59 min after publication");
  EXPECT_EQ(refused.message(),
            "deadline 2026-12-10T09:59:00.000Z is 29 days 23 h 59 min after publication "
            "(2026-11-10T10:00:00.000Z); a procedure \"Appel d'offres ouvert\" above the EU "
            "thresholds needs at least 30 days when bids are received electronically (CCP art. "
            "R2161-2 and R2161-3)");
  EXPECT_FALSE(CheckMinimumPeriod(WithDeadline(Valid(), 30 * kDay - 1), kPub, rules).ok());
  EXPECT_TRUE(CheckMinimumPeriod(WithDeadline(Valid(), 30 * kDay), kPub, rules).ok());
}

TEST(CheckMinimumPeriod, OpenProcedureWithPaperBidsNeedsThirtyFiveDays) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  c.electronic_bids = false;
  ExpectInvalid(CheckMinimumPeriod(WithDeadline(c, 35 * kDay - kMinute), kPub, rules), "deadline",
                "34 days 23 h 59 min after publication");
  ExpectInvalid(CheckMinimumPeriod(WithDeadline(c, 35 * kDay - kMinute), kPub, rules), "deadline",
                "at least 35 days when bids are not received electronically");
  EXPECT_TRUE(CheckMinimumPeriod(WithDeadline(c, 35 * kDay), kPub, rules).ok());
}

TEST(CheckMinimumPeriod, RestrictedNegotiatedAndDialogueNeedThirtyDaysForApplications) {
  const ProcedureRules rules = DefaultRules();
  const std::pair<ProcedureType, const char*> cases[] = {
      {ProcedureType::kAppelOffresRestreint, "R2161-6"},
      {ProcedureType::kProcedureAvecNegociation, "R2161-12"},
      {ProcedureType::kDialogueCompetitif, "R2161-24"},
  };
  for (const auto& [procedure, article] : cases) {
    SCOPED_TRACE(article);
    Consultation c = Valid();
    c.procedure = procedure;
    c.electronic_bids = false;
    ExpectInvalid(CheckMinimumPeriod(WithDeadline(c, 30 * kDay - kMs), kPub, rules), "deadline",
                  article);
    EXPECT_TRUE(CheckMinimumPeriod(WithDeadline(c, 30 * kDay), kPub, rules).ok());
  }
}

TEST(CheckMinimumPeriod, AdaptedProcedureOnlyNeedsADeadlineAfterPublication) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  c.procedure = ProcedureType::kProcedureAdaptee;
  c.estimated_value = Money{90'000'00};
  EXPECT_TRUE(CheckMinimumPeriod(WithDeadline(c, kMs), kPub, rules).ok());
  ExpectInvalid(CheckMinimumPeriod(WithDeadline(c, 0), kPub, rules), "deadline",
                "is not after publication");
  ExpectInvalid(CheckMinimumPeriod(WithDeadline(c, -kDay), kPub, rules), "deadline", "");
}

TEST(CheckMinimumPeriod, AConfiguredAdaptedProcedureMinimumIsChecked) {
  ProcedureRules rules = DefaultRules();
  rules.periods[ProcedureType::kProcedureAdaptee].minimum_days = 15;
  rules.periods[ProcedureType::kProcedureAdaptee].minimum_days_electronic = 15;
  Consultation c = Valid();
  c.procedure = ProcedureType::kProcedureAdaptee;
  ExpectInvalid(CheckMinimumPeriod(WithDeadline(c, 15 * kDay - kMs), kPub, rules), "deadline",
                "at least 15 days (CCP art. R2143-1 and R2151-1)");
  EXPECT_TRUE(CheckMinimumPeriod(WithDeadline(c, 15 * kDay), kPub, rules).ok());
}

TEST(CheckMinimumPeriod, AFormalProcedureBelowTheThresholdsKeepsItsMinimumByDefault) {
  ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  c.estimated_value = Money{300'000'00};
  c.lots.clear();
  ExpectInvalid(CheckMinimumPeriod(WithDeadline(c, 20 * kDay), kPub, rules), "deadline",
                "(formal, even below the EU thresholds)");
  rules.formal_minimums_below_thresholds = false;
  EXPECT_TRUE(CheckMinimumPeriod(WithDeadline(c, 20 * kDay), kPub, rules).ok());
  c.estimated_value = Money{6'000'000'00};
  EXPECT_FALSE(CheckMinimumPeriod(WithDeadline(c, 20 * kDay), kPub, rules).ok());
}

TEST(CheckMinimumPeriod, ProceduresWithoutPeriodsOnlyNeedADeadlineAfterPublication) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  c.procedure = ProcedureType::kSansPubliciteNiConcurrence;
  EXPECT_TRUE(CheckMinimumPeriod(WithDeadline(c, kHour), kPub, rules).ok());
}

TEST(CheckMinimumPeriod, TheQuestionsDeadlineMustFollowPublication) {
  Consultation c = Valid();
  c.questions_deadline = kPub;
  ExpectInvalid(CheckMinimumPeriod(c, kPub, DefaultRules()), "questionsDeadline", "");
}

// ---- The state machine ---------------------------------------------------------------

TEST(Reach, BuildsEveryStateAsItsEffectiveState) {
  for (S s : AllConsultationStates()) {
    const auto [c, now] = Reach(s);
    EXPECT_EQ(EffectiveState(c, now), s) << Code(s);
  }
}

// Every state × every action: allowed, or refused with a conflict.
TEST(CheckAction, AllowsExactlyTheTransitionsOfTheLifecycle) {
  const std::map<S, std::set<A>> allowed = {
      {S::kDraft, {A::kPublish, A::kCancel}},
      {S::kPublished,
       {A::kAmend, A::kAnswerQuestion, A::kAskQuestion, A::kDeposit, A::kWithdraw, A::kCancel}},
      {S::kClosed, {A::kClose, A::kOpenBids, A::kCancel}},
      {S::kOpened, {A::kEvaluate, A::kCancel, A::kDeclareUnsuccessful}},
      {S::kEvaluated, {A::kAward, A::kCancel, A::kDeclareUnsuccessful}},
      {S::kAwarded, {A::kSign, A::kCancel}},
      {S::kStandstill, {A::kCancel}},
      {S::kSigned, {A::kPublishData}},
      {S::kDataPublished, {}},
      {S::kCancelled, {}},
      {S::kUnsuccessful, {}},
  };
  const ProcedureRules rules = DefaultRules();
  for (S s : AllConsultationStates()) {
    const auto [c, now] = Reach(s);
    for (A a : AllConsultationActions()) {
      SCOPED_TRACE(std::string(Code(s)) + " × " + std::string(Code(a)));
      const Status st = CheckAction(c, a, now, rules);
      if (allowed.at(s).count(a)) {
        EXPECT_TRUE(st.ok()) << st.ToString();
      } else {
        EXPECT_EQ(st.code(), ErrorCode::kConflict) << st.ToString();
        EXPECT_FALSE(st.message().empty());
        // Apply refuses what CheckAction refuses, with the same status.
        const Result<Consultation> r = Apply(c, a, now, rules);
        EXPECT_EQ(r.status().code(), ErrorCode::kConflict);
        EXPECT_EQ(r.status().message(), st.message());
      }
    }
  }
}

TEST(Apply, MovesToTheNextStateAndStampsTheTime) {
  const ProcedureRules rules = DefaultRules();
  const std::pair<S, std::pair<A, S>> steps[] = {
      {S::kDraft, {A::kPublish, S::kPublished}},
      {S::kClosed, {A::kClose, S::kClosed}},
      {S::kClosed, {A::kOpenBids, S::kOpened}},
      {S::kOpened, {A::kEvaluate, S::kEvaluated}},
      {S::kOpened, {A::kDeclareUnsuccessful, S::kUnsuccessful}},
      {S::kEvaluated, {A::kAward, S::kStandstill}},
      {S::kEvaluated, {A::kDeclareUnsuccessful, S::kUnsuccessful}},
      {S::kAwarded, {A::kSign, S::kSigned}},
      {S::kSigned, {A::kPublishData, S::kDataPublished}},
      {S::kStandstill, {A::kCancel, S::kCancelled}},
      {S::kDraft, {A::kCancel, S::kCancelled}},
      {S::kPublished, {A::kDeposit, S::kPublished}},
      {S::kPublished, {A::kWithdraw, S::kPublished}},
      {S::kPublished, {A::kAskQuestion, S::kPublished}},
      {S::kPublished, {A::kAnswerQuestion, S::kPublished}},
  };
  for (const auto& [from, step] : steps) {
    const auto& [action, to] = step;
    SCOPED_TRACE(std::string(Code(from)) + " × " + std::string(Code(action)));
    const auto [c, now] = Reach(from);
    const Consultation next = Must(Apply(c, action, now, rules));
    EXPECT_EQ(next.state, to);
  }
  {
    const auto [c, now] = Reach(S::kClosed);
    const Consultation opened = Must(Apply(c, A::kOpenBids, now, rules));
    EXPECT_EQ(opened.opened_at, now);
    EXPECT_EQ(opened.published_at, kPub);
  }
  {
    const auto [c, now] = Reach(S::kSigned);
    EXPECT_EQ(c.signed_at, now);
    EXPECT_EQ(Must(Apply(c, A::kPublishData, now, rules)).data_published_at, now);
  }
  {
    const auto [c, now] = Reach(S::kOpened);
    EXPECT_EQ(Must(Apply(c, A::kDeclareUnsuccessful, now, rules)).ended_at, now);
  }
}

TEST(Apply, AmendIsRefusedInFavourOfApplyAmendment) {
  const auto [c, now] = Reach(S::kPublished);
  const Result<Consultation> r = Apply(c, A::kAmend, now, DefaultRules());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("ApplyAmendment"), std::string::npos);
}

TEST(Apply, PublishChecksTheDraftAndTheMinimumPeriod) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  c.criteria[0].weight = 50;
  ExpectInvalid(Apply(c, A::kPublish, kPub, rules).status(), "criteria", "sum to 90");
  c = Valid();
  ExpectInvalid(Apply(c, A::kPublish, Plus(kDeadline, -29 * kDay), rules).status(), "deadline",
                "R2161-2");
  const Consultation published = Must(Apply(Valid(), A::kPublish, kPub, rules));
  EXPECT_EQ(published.state, S::kPublished);
  EXPECT_EQ(published.published_at, kPub);
}

TEST(Apply, CloseStoresTheClosingThatTheDeadlineAlreadyMade) {
  const ProcedureRules rules = DefaultRules();
  const auto [published, _] = Reach(S::kPublished);
  ExpectConflict(CheckAction(published, A::kClose, Plus(kDeadline, -kMs), rules),
                 "closes at its deadline (2026-12-20T11:00:00.000Z), not before");
  const Consultation closed = Must(Apply(published, A::kClose, kDeadline, rules));
  EXPECT_EQ(closed.state, S::kClosed);
  ExpectConflict(CheckAction(closed, A::kClose, kDeadline, rules), "the consultation is closed");
}

TEST(CheckAction, RefusalsNameTheRule) {
  const ProcedureRules rules = DefaultRules();
  {
    const auto [c, now] = Reach(S::kPublished);
    ExpectConflict(CheckAction(c, A::kOpenBids, now, rules),
                   "bids can be opened only after the deadline (2026-12-20T11:00:00.000Z); the "
                   "consultation is published");
    ExpectConflict(CheckAction(c, A::kDeclareUnsuccessful, now, rules), "R2185-1");
  }
  {
    const auto [c, now] = Reach(S::kClosed);
    ExpectConflict(CheckAction(c, A::kDeposit, now, rules),
                   "a deposit at or after the deadline (2026-12-20T11:00:00.000Z) is late (CCP "
                   "art. R2151-5); the consultation is closed");
    ExpectConflict(CheckAction(c, A::kAmend, now, rules), "before its deadline");
  }
  {
    const auto [c, now] = Reach(S::kStandstill);
    ExpectConflict(CheckAction(c, A::kSign, now, rules),
                   "signed only after the standstill period, at " +
                       FormatInstantMillis(*c.standstill_ends) + " (CCP art. R2182-1)");
  }
  {
    const auto [c, now] = Reach(S::kSigned);
    ExpectConflict(CheckAction(c, A::kCancel, now, rules),
                   "until the contract is signed (CCP art. R2185-1)");
  }
  {
    const auto [c, now] = Reach(S::kDraft);
    ExpectConflict(CheckAction(c, A::kDeposit, now, rules), "deposits open at publication");
    ExpectConflict(CheckAction(c, A::kAmend, now, rules), "a draft is edited, not amended");
  }
}

TEST(EffectiveState, ClosesAtTheDeadlineItself) {
  const auto [c, _] = Reach(S::kPublished);
  EXPECT_EQ(EffectiveState(c, Plus(kDeadline, -1)), S::kPublished);
  EXPECT_EQ(EffectiveState(c, kDeadline), S::kClosed);
}

TEST(CheckAction, ADepositOneMillisecondBeforeTheDeadlineIsOnTimeAndAtTheDeadlineLate) {
  const ProcedureRules rules = DefaultRules();
  const auto [c, _] = Reach(S::kPublished);
  EXPECT_TRUE(CheckAction(c, A::kDeposit, Plus(kDeadline, -kMs), rules).ok());
  ExpectConflict(CheckAction(c, A::kDeposit, kDeadline, rules), "is late");
  EXPECT_TRUE(CheckAction(c, A::kWithdraw, Plus(kDeadline, -kMs), rules).ok());
  ExpectConflict(CheckAction(c, A::kWithdraw, kDeadline, rules), "withdrawn only before");
}

TEST(CheckAction, QuestionsStopAtTheQuestionsDeadlineAndAnswersAtTheDeadline) {
  const ProcedureRules rules = DefaultRules();
  const auto [c, _] = Reach(S::kPublished);
  const Instant q = *c.questions_deadline;
  EXPECT_TRUE(CheckAction(c, A::kAskQuestion, Plus(q, -kMs), rules).ok());
  ExpectConflict(CheckAction(c, A::kAskQuestion, q, rules), "until the questions deadline");
  EXPECT_TRUE(CheckAction(c, A::kAnswerQuestion, Plus(kDeadline, -kMs), rules).ok());
  ExpectConflict(CheckAction(c, A::kAnswerQuestion, kDeadline, rules), "answers");
  Consultation no_questions_deadline = c;
  no_questions_deadline.questions_deadline.reset();
  EXPECT_TRUE(
      CheckAction(no_questions_deadline, A::kAskQuestion, Plus(kDeadline, -kMs), rules).ok());
}

TEST(Apply, AwardStartsAnElevenDayStandstillForFormalProcedures) {
  const ProcedureRules rules = DefaultRules();
  auto [c, now] = Reach(S::kEvaluated);
  const Consultation awarded = Must(Apply(c, A::kAward, now, rules));
  EXPECT_EQ(awarded.state, S::kStandstill);
  EXPECT_EQ(awarded.awarded_at, now);
  ASSERT_TRUE(awarded.standstill_ends.has_value());
  EXPECT_EQ(awarded.standstill_ends->micros - now.micros, 11 * kDay);
  const Instant ends = *awarded.standstill_ends;
  EXPECT_EQ(EffectiveState(awarded, Plus(ends, -1)), S::kStandstill);
  EXPECT_EQ(EffectiveState(awarded, ends), S::kAwarded);
  ExpectConflict(CheckAction(awarded, A::kSign, Plus(ends, -kMs), rules), "R2182-1");
  EXPECT_TRUE(CheckAction(awarded, A::kSign, ends, rules).ok());
}

TEST(Apply, AwardOfAnAdaptedProcedureHasNoStandstill) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  c.procedure = ProcedureType::kProcedureAdaptee;
  c.estimated_value = Money{150'000'00};
  c.lots.clear();
  c = Must(Apply(c, A::kPublish, kPub, rules));
  Instant now = Plus(kDeadline, kMs);
  for (A a : {A::kOpenBids, A::kEvaluate, A::kAward}) c = Must(Apply(c, a, now, rules));
  EXPECT_EQ(c.state, S::kAwarded);
  EXPECT_FALSE(c.standstill_ends.has_value());
  EXPECT_EQ(Must(Apply(c, A::kSign, now, rules)).state, S::kSigned);
}

TEST(Apply, ATestConsultationIsNeverPublishedToTheOpenData) {
  const ProcedureRules rules = DefaultRules();
  auto [c, now] = Reach(S::kSigned);
  c.test = true;
  ExpectConflict(CheckAction(c, A::kPublishData, now, rules), "never published to the open data");
}

// ---- Amendments ----------------------------------------------------------------------

TEST(ApplyAmendment, KeepsTheHistoryWithTheChangedFields) {
  const ProcedureRules rules = DefaultRules();
  const auto [c, now] = Reach(S::kPublished);
  Consultation proposed = c;
  proposed.deadline = Plus(kDeadline, 7 * kDay);
  proposed.lots[1].title = "Couverture et zinguerie";
  const Consultation once = Must(ApplyAmendment(c, proposed, now, rules));
  EXPECT_EQ(once.state, S::kPublished);
  EXPECT_EQ(once.deadline, Plus(kDeadline, 7 * kDay));
  ASSERT_EQ(once.amendments.size(), 1u);
  EXPECT_EQ(once.amendments[0].number, 1);
  EXPECT_EQ(once.amendments[0].at, now);
  EXPECT_EQ(once.amendments[0].changed_fields, (std::vector<std::string>{"lots", "deadline"}));
  EXPECT_EQ(once.amendments[0].summary, "Champs modifiés : lots, date limite de remise des offres");

  Consultation again = once;
  again.title = "Réfection de la toiture";
  const Instant later = Plus(now, kHour);
  const Consultation twice = Must(ApplyAmendment(once, again, later, rules, "Titre raccourci"));
  ASSERT_EQ(twice.amendments.size(), 2u);
  EXPECT_EQ(twice.amendments[0], once.amendments[0]);
  EXPECT_EQ(twice.amendments[1].number, 2);
  EXPECT_EQ(twice.amendments[1].summary, "Titre raccourci");
  EXPECT_EQ(twice.amendments[1].changed_fields, std::vector<std::string>{"title"});
}

TEST(ApplyAmendment, IgnoresTheLifecycleFieldsOfTheProposal) {
  const ProcedureRules rules = DefaultRules();
  const auto [c, now] = Reach(S::kPublished);
  Consultation proposed = c;
  proposed.title = "Autre titre";
  proposed.state = S::kSigned;
  proposed.published_at = now;
  proposed.signed_at = now;
  proposed.amendments = {Amendment{9, now, "forged", {}}};
  const Consultation next = Must(ApplyAmendment(c, proposed, now, rules));
  EXPECT_EQ(next.state, S::kPublished);
  EXPECT_EQ(next.published_at, kPub);
  EXPECT_FALSE(next.signed_at.has_value());
  ASSERT_EQ(next.amendments.size(), 1u);
  EXPECT_EQ(next.amendments[0].number, 1);
}

TEST(ApplyAmendment, AShortenedDeadlineMustKeepTheMinimumFromTheOriginalPublication) {
  const ProcedureRules rules = DefaultRules();
  const auto [c, now] = Reach(S::kPublished);
  Consultation proposed = c;
  proposed.questions_deadline.reset();
  proposed.deadline = Plus(kPub, 30 * kDay - kMs);
  ExpectInvalid(ApplyAmendment(c, proposed, now, rules).status(), "deadline",
                "needs at least 30 days");
  proposed.deadline = Plus(kPub, 30 * kDay);
  EXPECT_TRUE(ApplyAmendment(c, proposed, now, rules).ok());
}

TEST(ApplyAmendment, RefusesTheFieldsThatCannotChange) {
  const ProcedureRules rules = DefaultRules();
  const auto [c, now] = Reach(S::kPublished);
  const std::pair<void (*)(Consultation&), const char*> cases[] = {
      {[](Consultation& p) { p.id = "other"; }, "id"},
      {[](Consultation& p) { p.buyer_id = "35600000000048"; }, "buyer.id"},
      {[](Consultation& p) { p.procedure = ProcedureType::kAppelOffresRestreint; }, "procedure"},
      {[](Consultation& p) { p.test = true; }, "test"},
      {[](Consultation& p) { p.criteria[0].weight = 70; }, "criteria"},
  };
  for (const auto& [change, field] : cases) {
    SCOPED_TRACE(field);
    Consultation proposed = c;
    change(proposed);
    ExpectInvalid(ApplyAmendment(c, proposed, now, rules).status(), field);
  }
}

TEST(ApplyAmendment, RefusesAnAmendmentThatChangesNothing) {
  const auto [c, now] = Reach(S::kPublished);
  ExpectInvalid(ApplyAmendment(c, c, now, DefaultRules()).status(), "", "changes nothing");
}

TEST(ApplyAmendment, RefusesADeadlineInThePast) {
  const ProcedureRules rules = DefaultRules();
  Consultation c = Valid();
  c.procedure = ProcedureType::kProcedureAdaptee;
  c = Must(Apply(c, A::kPublish, kPub, rules));
  const Instant now = Plus(kPub, 5 * kDay);
  Consultation proposed = c;
  proposed.questions_deadline.reset();
  proposed.deadline = Plus(kPub, 2 * kDay);
  ExpectInvalid(ApplyAmendment(c, proposed, now, rules).status(), "deadline",
                "is not in the future");
}

TEST(ApplyAmendment, IsAllowedOnlyWhilePublishedAndBeforeTheDeadline) {
  const ProcedureRules rules = DefaultRules();
  for (S s : {S::kDraft, S::kClosed, S::kOpened, S::kCancelled}) {
    SCOPED_TRACE(Code(s));
    const auto [c, now] = Reach(s);
    Consultation proposed = c;
    proposed.title = "Autre";
    EXPECT_EQ(ApplyAmendment(c, proposed, now, rules).status().code(), ErrorCode::kConflict);
  }
}

// ---- Deposits and the grace period ------------------------------------------------------

TEST(ClassifyDeposit, IsOnTimeStrictlyBeforeTheDeadline) {
  const ProcedureRules rules = DefaultRules();
  const Consultation c = Valid();
  const Instant started = Plus(kDeadline, -kHour);
  EXPECT_EQ(ClassifyDeposit(c, started, Plus(kDeadline, -kMs), rules), DepositTiming::kOnTime);
  EXPECT_EQ(ClassifyDeposit(c, started, kDeadline, rules), DepositTiming::kLate);
}

TEST(ClassifyDeposit, AcceptsAnUploadStartedBeforeTheDeadlineWithinTheGracePeriod) {
  ProcedureRules rules = DefaultRules();
  rules.deposit_grace_micros = 60'000'000;
  const Consultation c = Valid();
  const Instant started = Plus(kDeadline, -kMs);
  EXPECT_EQ(ClassifyDeposit(c, started, kDeadline, rules), DepositTiming::kGrace);
  EXPECT_EQ(ClassifyDeposit(c, started, Plus(kDeadline, 60'000'000 - kMs), rules),
            DepositTiming::kGrace);
  EXPECT_EQ(ClassifyDeposit(c, started, Plus(kDeadline, 60'000'000), rules), DepositTiming::kLate);
  EXPECT_EQ(ClassifyDeposit(c, kDeadline, Plus(kDeadline, kMs), rules), DepositTiming::kLate);
}

}  // namespace
}  // namespace limpide::domain
