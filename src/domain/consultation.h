// A consultation (call for tenders) from draft to the published essential
// data: its value, the structural checks of a draft, the legal minimum periods
// and the lifecycle state machine. Pure: the clock and the rules are
// parameters. docs/procedure.md is the reference for every rule cited here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/time.h"

namespace limpide::domain {

enum class ConsultationState {
  kDraft,          // "Brouillon": being written, not public
  kPublished,      // "Publiée": notice public, deposits open until the deadline
  kClosed,         // "Clôturée": the deadline has passed; bids still sealed
  kOpened,         // "Ouverte": bids opened by the buyer
  kEvaluated,      // "Évaluée": bids scored and ranked
  kAwarded,        // "Attribuée": awarded and free to sign (no standstill, or it has ended)
  kStandstill,     // "Délai de suspension": awarded, signing forbidden until standstill_ends
  kSigned,         // "Marché signé"
  kDataPublished,  // "Données essentielles publiées" (DECP)
  kCancelled,      // "Sans suite": abandoned by the buyer
  kUnsuccessful,   // "Infructueuse": no acceptable bid
};

// What someone asks to do with a consultation.
enum class ConsultationAction {
  kPublish,              // buyer: draft -> published
  kAmend,                // buyer: change a published consultation (ApplyAmendment)
  kAnswerQuestion,       // buyer: answer publicly
  kAskQuestion,          // company
  kClose,                // anyone (the clock): record the closing at the deadline
  kOpenBids,             // buyer: closed -> opened
  kEvaluate,             // buyer: opened -> evaluated
  kAward,                // buyer: evaluated -> standstill or awarded
  kSign,                 // buyer: awarded -> signed
  kPublishData,          // buyer: signed -> data_published
  kCancel,               // buyer: "déclaration sans suite"
  kDeclareUnsuccessful,  // buyer: "infructueux"
  kDeposit,              // company: deposit (or replace) a bid
  kWithdraw,             // company: withdraw its bid
};

// Stable lower_snake codes ("data_published", "open_bids") used in the API and
// the database, and the French labels of the states for pages.
std::string_view Code(ConsultationState s);
std::string_view Label(ConsultationState s);
std::string_view Code(ConsultationAction a);
std::optional<ConsultationState> StateFromCode(std::string_view code);
std::optional<ConsultationAction> ActionFromCode(std::string_view code);
// Every value, in declaration order.
std::span<const ConsultationState> AllConsultationStates();
std::span<const ConsultationAction> AllConsultationActions();

struct Lot {
  int number = 0;  // 1..n, in order
  std::string title;
  std::string cpv;  // "45000000-7"; empty: the consultation's main code
  std::optional<Money> estimated_value;
  friend bool operator==(const Lot&, const Lot&) = default;
};

// An award criterion; the weights of a consultation are integers summing to 100.
struct AwardCriterion {
  std::string name;
  int weight = 0;
  friend bool operator==(const AwardCriterion&, const AwardCriterion&) = default;
};

// One change to a published consultation, kept forever.
struct Amendment {
  int number = 0;  // 1, 2, … in order
  Instant at;
  std::string summary;
  std::vector<std::string> changed_fields;  // JSON names: "deadline", "lots"…
  friend bool operator==(const Amendment&, const Amendment&) = default;
};

struct Consultation {
  std::string id;         // the platform's identifier
  std::string reference;  // the buyer's own reference
  std::string title;
  std::string description;  // the object of the contract
  std::string buyer_id;     // SIRET
  std::string buyer_name;
  // The buyer is a central government authority ("autorité publique centrale"):
  // lower EU threshold for supplies and services.
  bool central_government = false;
  ProcedureType procedure = ProcedureType::kAppelOffresOuvert;
  ContractNature nature = ContractNature::kMarche;
  std::string cpv;  // main code, "45000000-7"
  std::vector<std::string> additional_cpv;
  std::string place_code;                // lieu d'exécution: "75", "69123"…
  std::string place_type;                // one of PlaceCodeTypes(): "Code département"…
  std::optional<Money> estimated_value;  // excluding VAT, all lots
  std::vector<Lot> lots;                 // empty: a single lot
  std::vector<AwardCriterion> criteria;
  bool electronic_bids = true;  // bids are received electronically
  // A test consultation lets companies simulate a deposit; it is never
  // published to the open data.
  bool test = false;
  int64_t max_document_bytes = 0;  // published size limit of one deposited document
  std::optional<Instant> questions_deadline;
  Instant deadline;  // deposit deadline: a deposit at or after it is late

  // Lifecycle, set by Apply and ApplyAmendment only.
  ConsultationState state = ConsultationState::kDraft;
  std::optional<Instant> published_at;
  std::optional<Instant> opened_at;
  std::optional<Instant> evaluated_at;
  std::optional<Instant> awarded_at;
  std::optional<Instant> standstill_ends;
  std::optional<Instant> signed_at;
  std::optional<Instant> data_published_at;
  std::optional<Instant> ended_at;  // cancelled or declared unsuccessful
  std::vector<Amendment> amendments;

  friend bool operator==(const Consultation&, const Consultation&) = default;
};

// The legal periods of one procedure type.
struct ProcedurePeriods {
  // Minimum time from sending the notice to the deadline, in days of 24 hours,
  // and the reduced minimum when bids are received electronically.
  int minimum_days = 0;
  int minimum_days_electronic = 0;
  std::string rule;     // what a refusal cites: "CCP art. R2161-2 and R2161-3"
  bool formal = false;  // a formal procedure: R2182-1's standstill applies
};

// Every number the rules use, so that a deployment can follow a new decree or
// the next EU thresholds without a new binary. DefaultRules() has the values
// in force on 1 January 2026 (docs/procedure.md gives the sources).
struct ProcedureRules {
  // EU thresholds (excluding VAT): at or above them a formal procedure is due.
  Money works_threshold;
  Money supplies_services_central_threshold;
  Money supplies_services_local_threshold;
  // Procedure types missing here have no minimum beyond "after publication".
  std::map<ProcedureType, ProcedurePeriods> periods;
  // A formal procedure chosen below the thresholds still follows its own
  // minimum periods. When false, they are checked only at or above them.
  bool formal_minimums_below_thresholds = true;
  int standstill_days = 11;  // after the award, formal procedures (R2182-1)
  std::string standstill_rule;
  // A deposit whose upload started before the deadline and completed at most
  // this long after it is accepted and marked (ClassifyDeposit).
  int64_t deposit_grace_micros = 0;
};

ProcedureRules DefaultRules();

// The EU threshold that applies: works when the main CPV code is in division 45,
// else supplies and services for a central or a local buyer.
Money EuThreshold(const Consultation& c, const ProcedureRules& rules);
// The estimated value (or, without one, the sum of the lots' values) is at or
// above EuThreshold. An unknown value counts as above.
bool AboveEuThresholds(const Consultation& c, const ProcedureRules& rules);

// The most lots and award criteria a consultation may have: generous for
// real procedures (the largest French allotments have a few hundred lots),
// and a bound on what one request may ask the platform to store and show.
// Integer weights of at least 1 summing to 100 allow at most 100 criteria:
// beyond, the count is refused before the sum.
inline constexpr int kMaxLots = 500;
inline constexpr int kMaxCriteria = 100;

// Structural checks of a draft: title, buyer SIRET, CPV codes in canonical
// form and in the table, place type, lots numbered 1..n (at most kMaxLots),
// 1 to kMaxCriteria criteria with weights in 1..100 summing to 100, max_document_bytes > 0, questions_deadline before
// deadline. Errors are invalid_argument naming the JSON field ("criteria",
// "lots[0].cpv": array indexes start at 0).
Status ValidateDraft(const Consultation& c);

// The deadline (and the questions deadline) fall after `publication_time`,
// and the deadline leaves at least the minimum period of the procedure. The
// error is invalid_argument on "deadline" and cites the article.
Status CheckMinimumPeriod(const Consultation& c, Instant publication_time,
                          const ProcedureRules& rules);

// The state at `now`: a published consultation whose deadline has passed
// (now >= deadline) is closed, and one in standstill whose period has ended
// (now >= standstill_ends) is awarded, even when no transition was stored.
ConsultationState EffectiveState(const Consultation& c, Instant now);

// Whether `action` is allowed at `now`, from the effective state. Ok, or
// conflict with a message that names the rule.
Status CheckAction(const Consultation& c, ConsultationAction action, Instant now,
                   const ProcedureRules& rules);

// The consultation after `action` at `now`: state and timestamps updated.
// Publish also runs ValidateDraft and CheckMinimumPeriod (invalid_argument);
// award sets standstill_ends and enters kStandstill for formal procedures.
// Actions that change nothing stored (deposit, withdraw, questions, answers)
// return `c` with its effective state. kAmend is invalid_argument: use
// ApplyAmendment.
Result<Consultation> Apply(const Consultation& c, ConsultationAction action, Instant now,
                           const ProcedureRules& rules);

// Replaces the buyer's fields of a published consultation by those of
// `proposed` (its lifecycle fields are ignored) and appends an Amendment that
// lists the changed fields. Conflict unless kAmend is allowed; invalid_argument
// when id, buyer.id, procedure or test change, when nothing changes, or when
// the result fails ValidateDraft or the minimum period counted from the
// original publication, or when the new deadline is not in the future.
// `summary` empty: a French summary listing the changed fields.
Result<Consultation> ApplyAmendment(const Consultation& current, const Consultation& proposed,
                                    Instant now, const ProcedureRules& rules,
                                    std::string summary = {});

// When a deposit counts, from when its upload started and completed.
enum class DepositTiming {
  kOnTime,  // completed before the deadline
  kGrace,   // started before the deadline, completed within the grace period
  kLate,    // anything else: kept, flagged, not opened by default (R2151-5)
};
DepositTiming ClassifyDeposit(const Consultation& c, Instant upload_started, Instant completed,
                              const ProcedureRules& rules);

}  // namespace limpide::domain
