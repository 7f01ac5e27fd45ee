#include "domain/consultation.h"

#include <array>
#include <set>
#include <utility>

#include "domain/contract.h"
#include "domain/cpv.h"
#include "domain/siret.h"

namespace limpide::domain {
namespace {

constexpr int64_t kMicrosPerMinute = 60'000'000;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

struct StateInfo {
  ConsultationState value;
  std::string_view code;
  std::string_view label;
  std::string_view phrase;  // ends "the consultation is …" in refusals
};

struct ActionInfo {
  ConsultationAction value;
  std::string_view code;
};

// In declaration order: kStates[static_cast<size_t>(s)] describes s.
constexpr std::array<StateInfo, 11> kStates = {{
    {ConsultationState::kDraft, "draft", "Brouillon", "a draft"},
    {ConsultationState::kPublished, "published", "Publiée", "published"},
    {ConsultationState::kClosed, "closed", "Clôturée", "closed"},
    {ConsultationState::kOpened, "opened", "Plis ouverts", "opened"},
    {ConsultationState::kEvaluated, "evaluated", "Offres évaluées", "evaluated"},
    {ConsultationState::kAwarded, "awarded", "Attribuée", "awarded"},
    {ConsultationState::kStandstill, "standstill", "Délai de suspension",
     "in its standstill period"},
    {ConsultationState::kSigned, "signed", "Marché signé", "signed"},
    {ConsultationState::kDataPublished, "data_published", "Données essentielles publiées",
     "signed and its essential data published"},
    {ConsultationState::kCancelled, "cancelled", "Sans suite", "cancelled (sans suite)"},
    {ConsultationState::kUnsuccessful, "unsuccessful", "Infructueuse", "unsuccessful"},
}};

constexpr std::array<ActionInfo, 14> kActions = {{
    {ConsultationAction::kPublish, "publish"},
    {ConsultationAction::kAmend, "amend"},
    {ConsultationAction::kAnswerQuestion, "answer_question"},
    {ConsultationAction::kAskQuestion, "ask_question"},
    {ConsultationAction::kClose, "close"},
    {ConsultationAction::kOpenBids, "open_bids"},
    {ConsultationAction::kEvaluate, "evaluate"},
    {ConsultationAction::kAward, "award"},
    {ConsultationAction::kSign, "sign"},
    {ConsultationAction::kPublishData, "publish_data"},
    {ConsultationAction::kCancel, "cancel"},
    {ConsultationAction::kDeclareUnsuccessful, "declare_unsuccessful"},
    {ConsultationAction::kDeposit, "deposit"},
    {ConsultationAction::kWithdraw, "withdraw"},
}};

constexpr bool TablesFollowDeclarationOrder() {
  for (size_t i = 0; i < kStates.size(); ++i) {
    if (static_cast<size_t>(kStates[i].value) != i) return false;
  }
  for (size_t i = 0; i < kActions.size(); ++i) {
    if (static_cast<size_t>(kActions[i].value) != i) return false;
  }
  return true;
}
static_assert(TablesFollowDeclarationOrder());

constexpr auto kAllStates = [] {
  std::array<ConsultationState, kStates.size()> out{};
  for (size_t i = 0; i < kStates.size(); ++i) out[i] = kStates[i].value;
  return out;
}();
constexpr auto kAllActions = [] {
  std::array<ConsultationAction, kActions.size()> out{};
  for (size_t i = 0; i < kActions.size(); ++i) out[i] = kActions[i].value;
  return out;
}();

const StateInfo& Info(ConsultationState s) { return kStates[static_cast<size_t>(s)]; }

std::string At(Instant t) { return FormatInstantMillis(t); }

std::string Is(ConsultationState s) {
  return "; the consultation is " + std::string(Info(s).phrase);
}

// The French texts of refusals (Status::french, shown by the web pages):
// instants in Paris time, the state by its label.
std::string AtFr(Instant t) { return FormatInstantParis(t) + " (heure de Paris)"; }
std::string IsFr(ConsultationState s) {
  return " ; état de la consultation : " + std::string(Info(s).label);
}

// A state machine refusal (conflict), in English and French.
Status Refuse(std::string message, std::string french) {
  return Status::Conflict(std::move(message)).WithFrench(std::move(french));
}
Status Invalid(std::string message, std::string field, std::string french) {
  return Status::InvalidArgument(std::move(message), std::move(field)).WithFrench(std::move(french));
}

// "21 jours", "34 jours 23 h 59 min".
std::string DurationTextFr(int64_t micros);

// "21 days", "34 days 23 h 59 min", "0 days 5 h" (seconds are not shown).
std::string DurationText(int64_t micros) {
  const int64_t days = micros / kMicrosPerDay;
  const int64_t hours = micros % kMicrosPerDay / kMicrosPerHour;
  const int64_t minutes = micros % kMicrosPerHour / kMicrosPerMinute;
  std::string out = std::to_string(days) + (days == 1 ? " day" : " days");
  if (hours != 0 || minutes != 0) out += " " + std::to_string(hours) + " h";
  if (minutes != 0) out += " " + std::to_string(minutes) + " min";
  return out;
}

std::string DurationTextFr(int64_t micros) {
  const int64_t days = micros / kMicrosPerDay;
  const int64_t hours = micros % kMicrosPerDay / kMicrosPerHour;
  const int64_t minutes = micros % kMicrosPerHour / kMicrosPerMinute;
  std::string out = std::to_string(days) + (days <= 1 ? " jour" : " jours");
  if (hours != 0 || minutes != 0) out += " " + std::to_string(hours) + " h";
  if (minutes != 0) out += " " + std::to_string(minutes) + " min";
  return out;
}

std::string Indexed(std::string_view array, size_t i, std::string_view member = {}) {
  std::string out = std::string(array) + "[" + std::to_string(i) + "]";
  if (!member.empty()) out += "." + std::string(member);
  return out;
}

bool Blank(std::string_view s) {
  for (char ch : s) {
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') return false;
  }
  return true;
}

// A CPV code as stored: canonical "45000000-7" and in the table.
Status CheckCpv(const std::string& code, const std::string& field) {
  Result<ParsedCpv> parsed = ParseCpv(code);
  if (!parsed.ok())
    return Invalid(parsed.status().message(), field,
                   "« " + code + " » n'est pas un code de la nomenclature CPV 2008 (par exemple "
                   "45000000-7)");
  if (parsed->code->code != code) {
    return Invalid("CPV code \"" + code + "\" is not in the canonical form; write \"" +
                       parsed->code->code + "\"",
                   field, "écrivez le code CPV « " + parsed->code->code + " »");
  }
  return Status::Ok();
}

Status CheckMoney(const std::optional<Money>& m, const std::string& field) {
  if (m && m->cents < 0) {
    return Invalid("an estimated value cannot be negative", field,
                   "une valeur estimée ne peut pas être négative");
  }
  return Status::Ok();
}

const ProcedurePeriods* PeriodsOf(const Consultation& c, const ProcedureRules& rules) {
  const auto it = rules.periods.find(c.procedure);
  return it == rules.periods.end() ? nullptr : &it->second;
}

bool NeedsStandstill(const Consultation& c, const ProcedureRules& rules) {
  const ProcedurePeriods* p = PeriodsOf(c, rules);
  return p != nullptr && p->formal && rules.standstill_days > 0;
}

// The state-only rule of each action, from the effective state `s`.
Status CheckState(const Consultation& c, ConsultationAction action, ConsultationState s,
                  Instant now, const ProcedureRules& rules) {
  using S = ConsultationState;
  const std::string deadline = At(c.deadline);
  const std::string deadline_fr = AtFr(c.deadline);
  switch (action) {
    case ConsultationAction::kPublish:
      if (s == S::kDraft) return Status::Ok();
      return Refuse("only a draft can be published" + Is(s),
                    "seul un brouillon peut être publié" + IsFr(s));
    case ConsultationAction::kAmend:
      if (s == S::kPublished) return Status::Ok();
      if (s == S::kDraft)
        return Refuse("a draft is edited, not amended; amendments start at publication",
                      "un brouillon se modifie directement ; les avis rectificatifs commencent à "
                      "la publication");
      return Refuse(
          "a consultation can be amended only while it is published, before its deadline (" +
              deadline + ")" + Is(s),
          "une consultation ne peut être modifiée que publiée, avant sa date limite (" +
              deadline_fr + ")" + IsFr(s));
    case ConsultationAction::kAskQuestion:
      if (s == S::kPublished) {
        if (c.questions_deadline && now >= *c.questions_deadline) {
          return Refuse("questions are accepted until the questions deadline (" +
                            At(*c.questions_deadline) + ")" + Is(s),
                        "les questions sont reçues jusqu'à la date limite des questions (" +
                            AtFr(*c.questions_deadline) + ")" + IsFr(s));
        }
        return Status::Ok();
      }
      return Refuse(
          "questions can be asked only while the consultation is published, before its deadline (" +
              deadline + ")" + Is(s),
          "les questions ne sont reçues que pendant la publication, avant la date limite (" +
              deadline_fr + ")" + IsFr(s));
    case ConsultationAction::kAnswerQuestion:
      if (s == S::kPublished) return Status::Ok();
      return Refuse(
          "answers are published only while the consultation is published, before its deadline (" +
              deadline + ")" + Is(s),
          "les réponses ne sont publiées que pendant la publication, avant la date limite (" +
              deadline_fr + ")" + IsFr(s));
    case ConsultationAction::kDeposit:
    case ConsultationAction::kWithdraw: {
      if (s == S::kPublished) return Status::Ok();
      const bool deposit = action == ConsultationAction::kDeposit;
      if (s == S::kDraft) {
        return Refuse(std::string(deposit ? "deposits" : "withdrawals") + " open at publication" +
                          Is(s),
                      std::string(deposit ? "les dépôts" : "les retraits") +
                          " ouvrent à la publication" + IsFr(s));
      }
      if (now >= c.deadline) {
        return deposit
                   ? Refuse("a deposit at or after the deadline (" + deadline +
                                ") is late (CCP art. R2151-5)" + Is(s),
                            "un dépôt à la date limite (" + deadline_fr +
                                ") ou après est hors délai (CCP art. R2151-5)" + IsFr(s))
                   : Refuse("a bid can be withdrawn only before the deadline (" + deadline + ")" +
                                Is(s),
                            "une offre ne peut être retirée qu'avant la date limite (" +
                                deadline_fr + ")" + IsFr(s));
      }
      return Refuse(std::string(deposit ? "deposits" : "withdrawals") +
                        " are accepted only while the consultation is published" + Is(s),
                    std::string(deposit ? "les dépôts" : "les retraits") +
                        " ne sont reçus que pendant la publication" + IsFr(s));
    }
    case ConsultationAction::kClose:
      if (s == S::kClosed && c.state == S::kPublished) return Status::Ok();
      if (s == S::kPublished) {
        return Refuse("a consultation closes at its deadline (" + deadline +
                          "), not before: the published deadline binds the buyer too" + Is(s),
                      "une consultation se clôt à sa date limite (" + deadline_fr +
                          "), pas avant : la date publiée engage aussi l'acheteur" + IsFr(s));
      }
      return Refuse("only a published consultation closes, at its deadline" + Is(s),
                    "seule une consultation publiée se clôt, à sa date limite" + IsFr(s));
    case ConsultationAction::kOpenBids:
      if (s == S::kClosed) return Status::Ok();
      if (s == S::kPublished || s == S::kDraft) {
        return Refuse("bids can be opened only after the deadline (" + deadline + ")" + Is(s),
                      "les plis ne s'ouvrent qu'après la date limite (" + deadline_fr + ")" +
                          IsFr(s));
      }
      return Refuse("bids are opened once, after the deadline" + Is(s),
                    "les plis s'ouvrent une seule fois, après la date limite" + IsFr(s));
    case ConsultationAction::kEvaluate:
      if (s == S::kOpened) return Status::Ok();
      return Refuse("bids are evaluated once, after they are opened" + Is(s),
                    "les offres s'évaluent une seule fois, après l'ouverture des plis" + IsFr(s));
    case ConsultationAction::kAward:
      if (s == S::kEvaluated) return Status::Ok();
      return Refuse("a consultation is awarded once, after its bids are evaluated" + Is(s),
                    "une consultation s'attribue une seule fois, après l'évaluation des offres" +
                        IsFr(s));
    case ConsultationAction::kSign:
      if (s == S::kAwarded) return Status::Ok();
      if (s == S::kStandstill) {
        return Refuse("the contract can be signed only after the standstill period, at " +
                          At(c.standstill_ends.value_or(now)) + " (" + rules.standstill_rule +
                          ")" + Is(s),
                      "le marché ne peut être signé qu'après le délai de suspension, le " +
                          AtFr(c.standstill_ends.value_or(now)) + " (" + rules.standstill_rule +
                          ")" + IsFr(s));
      }
      return Refuse("the contract is signed once, after the award" + Is(s),
                    "le marché se signe une seule fois, après l'attribution" + IsFr(s));
    case ConsultationAction::kPublishData:
      if (s == S::kSigned) {
        if (c.test)
          return Refuse("a test consultation is never published to the open data",
                        "une consultation de test n'est jamais publiée dans les données "
                        "ouvertes");
        return Status::Ok();
      }
      return Refuse("the essential data are published once, after the contract is signed" + Is(s),
                    "les données essentielles se publient une seule fois, après la signature" +
                        IsFr(s));
    case ConsultationAction::kCancel:
      switch (s) {
        case S::kDraft:
        case S::kPublished:
        case S::kClosed:
        case S::kOpened:
        case S::kEvaluated:
        case S::kAwarded:
        case S::kStandstill:
          return Status::Ok();
        case S::kSigned:
        case S::kDataPublished:
          return Refuse(
              "a procedure can be declared sans suite only until the contract is signed (CCP art. "
              "R2185-1); a signed contract is terminated, not cancelled" +
                  Is(s),
              "une procédure ne peut être déclarée sans suite que jusqu'à la signature du marché "
              "(CCP art. R2185-1) ; un marché signé se résilie, il ne s'annule pas" +
                  IsFr(s));
        case S::kCancelled:
        case S::kUnsuccessful:
          return Refuse("the procedure has already ended" + Is(s),
                        "la procédure est déjà terminée" + IsFr(s));
      }
      break;
    case ConsultationAction::kDeclareUnsuccessful:
      if (s == S::kOpened || s == S::kEvaluated) return Status::Ok();
      return Refuse(
          "a consultation can be declared unsuccessful only after its bids are opened and before "
          "the award (CCP art. R2185-1)" +
              Is(s),
          "une consultation ne peut être déclarée infructueuse qu'après l'ouverture des plis et "
          "avant l'attribution (CCP art. R2185-1)" +
              IsFr(s));
  }
  return Status::Internal("unknown consultation action");
}

// JSON field names of the buyer's fields whose values differ.
std::vector<std::string> ChangedFields(const Consultation& a, const Consultation& b) {
  std::vector<std::string> out;
  const auto diff = [&](bool differs, const char* name) {
    if (differs) out.emplace_back(name);
  };
  diff(a.reference != b.reference, "reference");
  diff(a.title != b.title, "title");
  diff(a.description != b.description, "description");
  diff(a.buyer_name != b.buyer_name, "buyer.name");
  diff(a.central_government != b.central_government, "buyer.centralGovernment");
  diff(a.nature != b.nature, "nature");
  diff(a.cpv != b.cpv, "cpv");
  diff(a.additional_cpv != b.additional_cpv, "additionalCpv");
  diff(a.place_code != b.place_code || a.place_type != b.place_type, "place");
  diff(a.estimated_value != b.estimated_value, "estimatedValue");
  diff(a.lots != b.lots, "lots");
  diff(a.criteria != b.criteria, "criteria");
  diff(a.electronic_bids != b.electronic_bids, "electronicBids");
  diff(a.max_document_bytes != b.max_document_bytes, "maxDocumentBytes");
  diff(a.questions_deadline != b.questions_deadline, "questionsDeadline");
  diff(a.deadline != b.deadline, "deadline");
  return out;
}

std::string_view FrenchFieldName(std::string_view field) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"reference", "référence"},
      {"title", "intitulé"},
      {"description", "objet"},
      {"buyer.name", "nom de l'acheteur"},
      {"buyer.centralGovernment", "catégorie d'acheteur"},
      {"nature", "nature du marché"},
      {"cpv", "code CPV principal"},
      {"additionalCpv", "codes CPV complémentaires"},
      {"place", "lieu d'exécution"},
      {"estimatedValue", "valeur estimée"},
      {"lots", "lots"},
      {"criteria", "critères d'attribution"},
      {"electronicBids", "remise électronique des offres"},
      {"maxDocumentBytes", "taille maximale d'un document"},
      {"questionsDeadline", "date limite des questions"},
      {"deadline", "date limite de remise des offres"},
  };
  for (const auto& [json_name, french] : kNames) {
    if (json_name == field) return french;
  }
  return field;
}

}  // namespace

std::string_view Code(ConsultationState s) { return Info(s).code; }
std::string_view Label(ConsultationState s) { return Info(s).label; }
std::string_view Code(ConsultationAction a) { return kActions[static_cast<size_t>(a)].code; }

std::optional<ConsultationState> StateFromCode(std::string_view code) {
  for (const StateInfo& s : kStates) {
    if (s.code == code) return s.value;
  }
  return std::nullopt;
}

std::optional<ConsultationAction> ActionFromCode(std::string_view code) {
  for (const ActionInfo& a : kActions) {
    if (a.code == code) return a.value;
  }
  return std::nullopt;
}

std::span<const ConsultationState> AllConsultationStates() { return kAllStates; }
std::span<const ConsultationAction> AllConsultationActions() { return kAllActions; }

ProcedureRules DefaultRules() {
  ProcedureRules r;
  // Avis relatif aux seuils de procédure (JORF 26 December 2025, annexe 2 of
  // the CCP), for consultations launched from 1 January 2026.
  r.works_threshold = Money{5'404'000'00};
  r.supplies_services_central_threshold = Money{140'000'00};
  r.supplies_services_local_threshold = Money{216'000'00};
  using P = ProcedureType;
  r.periods[P::kAppelOffresOuvert] = {35, 30, "CCP art. R2161-2 and R2161-3", true};
  // Restricted and negotiated procedures and the competitive dialogue: the
  // deadline counted from the notice is the one for applications.
  r.periods[P::kAppelOffresRestreint] = {30, 30, "CCP art. R2161-6", true};
  r.periods[P::kProcedureAvecNegociation] = {30, 30, "CCP art. R2161-12", true};
  r.periods[P::kDialogueCompetitif] = {30, 30, "CCP art. R2161-24", true};
  // No fixed minimum: a reasonable period set by the buyer.
  r.periods[P::kProcedureAdaptee] = {0, 0, "CCP art. R2143-1 and R2151-1", false};
  r.standstill_days = 11;
  r.standstill_rule = "CCP art. R2182-1";
  return r;
}

Money EuThreshold(const Consultation& c, const ProcedureRules& rules) {
  if (c.cpv.rfind("45", 0) == 0) return rules.works_threshold;
  return c.central_government ? rules.supplies_services_central_threshold
                              : rules.supplies_services_local_threshold;
}

bool AboveEuThresholds(const Consultation& c, const ProcedureRules& rules) {
  std::optional<Money> value = c.estimated_value;
  if (!value && !c.lots.empty()) {
    Money sum;
    for (const Lot& lot : c.lots) {
      if (!lot.estimated_value) return true;
      sum.cents += lot.estimated_value->cents;
    }
    value = sum;
  }
  return !value || *value >= EuThreshold(c, rules);
}

Status ValidateDraft(const Consultation& c) {
  if (Blank(c.title)) return Invalid("the title is required", "title", "le titre est obligatoire");
  if (!IsValidSiret(c.buyer_id)) {
    Result<std::string> parsed = ParseSiret(c.buyer_id);
    return Invalid(parsed.ok() ? "SIRET \"" + c.buyer_id + "\" must be written as 14 digits"
                               : parsed.status().message(),
                   "buyer.id", "le SIRET de l'acheteur « " + c.buyer_id + " » n'est pas valide");
  }
  LIMPIDE_RETURN_IF_ERROR(CheckCpv(c.cpv, "cpv"));
  for (size_t i = 0; i < c.additional_cpv.size(); ++i) {
    LIMPIDE_RETURN_IF_ERROR(CheckCpv(c.additional_cpv[i], Indexed("additionalCpv", i)));
  }
  if (!c.place_type.empty() || !c.place_code.empty()) {
    if (Blank(c.place_code)) {
      return Invalid("the place of execution has a type but no code", "place.code",
                     "le lieu d'exécution a un type de code mais pas de code");
    }
    bool known = false;
    for (std::string_view t : PlaceCodeTypes()) known = known || t == c.place_type;
    if (!known) {
      std::string list;
      for (std::string_view t : PlaceCodeTypes())
        list += (list.empty() ? "\"" : ", \"") + std::string(t) + "\"";
      return Invalid("place type \"" + c.place_type + "\" is not one of " + list, "place.type",
                     "le type de code « " + c.place_type + " » n'est pas l'un de " + list);
    }
  }
  LIMPIDE_RETURN_IF_ERROR(CheckMoney(c.estimated_value, "estimatedValue"));
  if (c.lots.size() > static_cast<size_t>(kMaxLots)) {
    return Invalid("a consultation has at most " + std::to_string(kMaxLots) + " lots, not " +
                       std::to_string(c.lots.size()),
                   "lots",
                   "une consultation compte au plus " + std::to_string(kMaxLots) +
                       " lots, pas " + std::to_string(c.lots.size()));
  }
  for (size_t i = 0; i < c.lots.size(); ++i) {
    const Lot& lot = c.lots[i];
    if (lot.number != static_cast<int>(i) + 1) {
      return Invalid("lots are numbered 1 to " + std::to_string(c.lots.size()) +
                         " in order; lot " + std::to_string(i + 1) + " has number " +
                         std::to_string(lot.number),
                     Indexed("lots", i, "number"),
                     "les lots sont numérotés de 1 à " + std::to_string(c.lots.size()) +
                         " dans l'ordre ; le lot " + std::to_string(i + 1) + " porte le numéro " +
                         std::to_string(lot.number));
    }
    if (Blank(lot.title)) {
      return Invalid("every lot needs a title", Indexed("lots", i, "title"),
                     "chaque lot doit avoir un intitulé");
    }
    if (!lot.cpv.empty()) LIMPIDE_RETURN_IF_ERROR(CheckCpv(lot.cpv, Indexed("lots", i, "cpv")));
    LIMPIDE_RETURN_IF_ERROR(CheckMoney(lot.estimated_value, Indexed("lots", i, "estimatedValue")));
  }
  if (c.criteria.empty()) {
    return Invalid("at least one award criterion is required", "criteria",
                   "au moins un critère d'attribution est obligatoire");
  }
  if (c.criteria.size() > static_cast<size_t>(kMaxCriteria)) {
    return Invalid("a consultation has at most " + std::to_string(kMaxCriteria) +
                       " award criteria, not " + std::to_string(c.criteria.size()),
                   "criteria",
                   "une consultation compte au plus " + std::to_string(kMaxCriteria) +
                       " critères d'attribution, pas " + std::to_string(c.criteria.size()));
  }
  int sum = 0;
  std::set<std::string> names;
  for (size_t i = 0; i < c.criteria.size(); ++i) {
    const AwardCriterion& k = c.criteria[i];
    if (Blank(k.name)) {
      return Invalid("every criterion needs a name", Indexed("criteria", i, "name"),
                     "chaque critère doit avoir un nom");
    }
    if (!names.insert(k.name).second) {
      return Invalid("criterion \"" + k.name + "\" is listed twice",
                     Indexed("criteria", i, "name"),
                     "le critère « " + k.name + " » figure deux fois");
    }
    if (k.weight < 1 || k.weight > 100) {
      return Invalid(
          "a criterion weight is an integer from 1 to 100, not " + std::to_string(k.weight),
          Indexed("criteria", i, "weight"),
          "une pondération est un entier de 1 à 100, pas " + std::to_string(k.weight));
    }
    sum += k.weight;
  }
  if (sum != 100) {
    return Invalid("the criteria weights sum to " + std::to_string(sum) + "; they must sum to 100",
                   "criteria",
                   "les pondérations des critères totalisent " + std::to_string(sum) +
                       " % ; leur total doit être de 100 %");
  }
  if (c.max_document_bytes <= 0) {
    return Invalid("the size limit of one deposited document must be published and positive",
                   "maxDocumentBytes",
                   "la taille maximale d'un document déposé doit être publiée et positive");
  }
  if (c.questions_deadline && *c.questions_deadline >= c.deadline) {
    return Invalid("the questions deadline (" + At(*c.questions_deadline) +
                       ") must come before the deadline (" + At(c.deadline) + ")",
                   "questionsDeadline",
                   "la date limite des questions (" + AtFr(*c.questions_deadline) +
                       ") doit précéder la date limite de remise des offres (" +
                       AtFr(c.deadline) + ")");
  }
  return Status::Ok();
}

Status CheckMinimumPeriod(const Consultation& c, Instant publication_time,
                          const ProcedureRules& rules) {
  if (c.deadline <= publication_time) {
    return Invalid(
        "deadline " + At(c.deadline) + " is not after publication (" + At(publication_time) + ")",
        "deadline",
        "la date limite (" + AtFr(c.deadline) + ") ne suit pas la publication (" +
            AtFr(publication_time) + ")");
  }
  if (c.questions_deadline && *c.questions_deadline <= publication_time) {
    return Invalid("questions deadline " + At(*c.questions_deadline) +
                       " is not after publication (" + At(publication_time) + ")",
                   "questionsDeadline",
                   "la date limite des questions (" + AtFr(*c.questions_deadline) +
                       ") ne suit pas la publication (" + AtFr(publication_time) + ")");
  }
  const ProcedurePeriods* p = PeriodsOf(c, rules);
  if (p == nullptr) return Status::Ok();
  const bool above = AboveEuThresholds(c, rules);
  if (p->formal && !above && !rules.formal_minimums_below_thresholds) return Status::Ok();
  const int days = c.electronic_bids ? p->minimum_days_electronic : p->minimum_days;
  const int64_t period = c.deadline.micros - publication_time.micros;
  if (period >= days * kMicrosPerDay) return Status::Ok();
  std::string msg = "deadline " + At(c.deadline) + " is " + DurationText(period) +
                    " after publication (" + At(publication_time) + "); a procedure \"" +
                    std::string(Label(c.procedure)) + "\"";
  if (p->formal)
    msg += above ? " above the EU thresholds" : " (formal, even below the EU thresholds)";
  msg += " needs at least " + std::to_string(days) + (days == 1 ? " day" : " days");
  if (p->minimum_days != p->minimum_days_electronic) {
    msg += c.electronic_bids ? " when bids are received electronically"
                             : " when bids are not received electronically";
  }
  msg += " (" + p->rule + ")";
  std::string fr = "la date limite (" + AtFr(c.deadline) + ") tombe " + DurationTextFr(period) +
                   " après la publication (" + AtFr(publication_time) + ") ; une procédure « " +
                   std::string(Label(c.procedure)) + " »";
  if (p->formal)
    fr += above ? " au-dessus des seuils européens" : " (formalisée, même sous les seuils européens)";
  fr += " exige au moins " + std::to_string(days) + (days <= 1 ? " jour" : " jours");
  if (p->minimum_days != p->minimum_days_electronic) {
    fr += c.electronic_bids ? " quand les offres sont reçues par voie électronique"
                            : " quand les offres ne sont pas reçues par voie électronique";
  }
  std::string rule_fr = p->rule;  // "CCP art. R2161-2 and R2161-3" reads "… et …"
  for (size_t at; (at = rule_fr.find(" and ")) != std::string::npos;) rule_fr.replace(at, 5, " et ");
  fr += " (" + rule_fr + ")";
  return Invalid(std::move(msg), "deadline", std::move(fr));
}

ConsultationState EffectiveState(const Consultation& c, Instant now) {
  if (c.state == ConsultationState::kPublished && now >= c.deadline) {
    return ConsultationState::kClosed;
  }
  if (c.state == ConsultationState::kStandstill &&
      (!c.standstill_ends || now >= *c.standstill_ends)) {
    return ConsultationState::kAwarded;
  }
  return c.state;
}

Status CheckAction(const Consultation& c, ConsultationAction action, Instant now,
                   const ProcedureRules& rules) {
  return CheckState(c, action, EffectiveState(c, now), now, rules);
}

Result<Consultation> Apply(const Consultation& c, ConsultationAction action, Instant now,
                           const ProcedureRules& rules) {
  LIMPIDE_RETURN_IF_ERROR(CheckAction(c, action, now, rules));
  Consultation next = c;
  next.state = EffectiveState(c, now);
  using S = ConsultationState;
  switch (action) {
    case ConsultationAction::kPublish:
      LIMPIDE_RETURN_IF_ERROR(ValidateDraft(c));
      LIMPIDE_RETURN_IF_ERROR(CheckMinimumPeriod(c, now, rules));
      next.state = S::kPublished;
      next.published_at = now;
      break;
    case ConsultationAction::kAmend:
      return Status::InvalidArgument(
          "an amendment carries the changed consultation: use ApplyAmendment");
    case ConsultationAction::kClose:
      next.state = S::kClosed;
      break;
    case ConsultationAction::kOpenBids:
      next.state = S::kOpened;
      next.opened_at = now;
      break;
    case ConsultationAction::kEvaluate:
      next.state = S::kEvaluated;
      next.evaluated_at = now;
      break;
    case ConsultationAction::kAward:
      next.awarded_at = now;
      if (NeedsStandstill(c, rules)) {
        next.state = S::kStandstill;
        next.standstill_ends = Instant{now.micros + rules.standstill_days * kMicrosPerDay};
      } else {
        next.state = S::kAwarded;
        next.standstill_ends.reset();
      }
      break;
    case ConsultationAction::kSign:
      next.state = S::kSigned;
      next.signed_at = now;
      break;
    case ConsultationAction::kPublishData:
      next.state = S::kDataPublished;
      next.data_published_at = now;
      break;
    case ConsultationAction::kCancel:
      next.state = S::kCancelled;
      next.ended_at = now;
      break;
    case ConsultationAction::kDeclareUnsuccessful:
      next.state = S::kUnsuccessful;
      next.ended_at = now;
      break;
    case ConsultationAction::kAnswerQuestion:
    case ConsultationAction::kAskQuestion:
    case ConsultationAction::kDeposit:
    case ConsultationAction::kWithdraw:
      break;
  }
  return next;
}

Result<Consultation> ApplyAmendment(const Consultation& current, const Consultation& proposed,
                                    Instant now, const ProcedureRules& rules, std::string summary) {
  LIMPIDE_RETURN_IF_ERROR(CheckAction(current, ConsultationAction::kAmend, now, rules));
  if (proposed.id != current.id) {
    return Invalid("the id of a consultation never changes", "id",
                   "l'identifiant d'une consultation ne change jamais");
  }
  if (proposed.buyer_id != current.buyer_id) {
    return Invalid("the buyer cannot change after publication", "buyer.id",
                   "l'acheteur ne peut pas changer après la publication");
  }
  if (proposed.procedure != current.procedure) {
    return Invalid(
        "the procedure type cannot change after publication: declare this one sans suite and "
        "publish a new consultation",
        "procedure",
        "la procédure ne peut pas changer après la publication : déclarez celle-ci sans suite et "
        "publiez une nouvelle consultation");
  }
  if (proposed.test != current.test) {
    return Invalid("a consultation cannot become or stop being a test after publication", "test",
                   "une consultation ne peut pas devenir ou cesser d'être de test après la "
                   "publication");
  }
  Consultation next = proposed;
  next.state = ConsultationState::kPublished;
  next.published_at = current.published_at;
  next.opened_at = current.opened_at;
  next.evaluated_at = current.evaluated_at;
  next.awarded_at = current.awarded_at;
  next.standstill_ends = current.standstill_ends;
  next.signed_at = current.signed_at;
  next.data_published_at = current.data_published_at;
  next.ended_at = current.ended_at;
  next.amendments = current.amendments;

  std::vector<std::string> changed = ChangedFields(current, next);
  if (changed.empty())
    return Status::InvalidArgument("the amendment changes nothing")
        .WithFrench("la modification ne change rien");
  LIMPIDE_RETURN_IF_ERROR(ValidateDraft(next));
  if (next.deadline <= now) {
    return Invalid(
        "the new deadline " + At(next.deadline) + " is not in the future (now " + At(now) + ")",
        "deadline",
        "la nouvelle date limite (" + AtFr(next.deadline) + ") n'est pas dans le futur (il est " +
            AtFr(now) + ")");
  }
  if (next.questions_deadline && next.questions_deadline != current.questions_deadline &&
      *next.questions_deadline <= now) {
    return Invalid("the new questions deadline " + At(*next.questions_deadline) +
                       " is not in the future (now " + At(now) + ")",
                   "questionsDeadline",
                   "la nouvelle date limite des questions (" + AtFr(*next.questions_deadline) +
                       ") n'est pas dans le futur (il est " + AtFr(now) + ")");
  }
  LIMPIDE_RETURN_IF_ERROR(CheckMinimumPeriod(next, current.published_at.value_or(now), rules));

  if (summary.empty()) {
    summary = "Champs modifiés : ";
    for (size_t i = 0; i < changed.size(); ++i) {
      if (i) summary += ", ";
      summary += FrenchFieldName(changed[i]);
    }
  }
  next.amendments.push_back(Amendment{static_cast<int>(current.amendments.size()) + 1, now,
                                      std::move(summary), std::move(changed)});
  return next;
}

DepositTiming ClassifyDeposit(const Consultation& c, Instant upload_started, Instant completed,
                              const ProcedureRules& rules) {
  if (completed < c.deadline) return DepositTiming::kOnTime;
  if (upload_started < c.deadline &&
      completed.micros - c.deadline.micros < rules.deposit_grace_micros) {
    return DepositTiming::kGrace;
  }
  return DepositTiming::kLate;
}

}  // namespace limpide::domain
