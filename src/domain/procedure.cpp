#include "domain/procedure.h"

#include <array>
#include <string>

#include "domain/text.h"

namespace limpide::domain {
namespace {

struct NatureInfo {
  ContractNature value;
  std::string_view label;
  std::string_view code;
};

struct ProcedureInfo {
  ProcedureType value;
  std::string_view label;
  std::string_view code;
  std::string_view ocds_method;
};

// In declaration order: kNatures[static_cast<size_t>(n)] describes n.
constexpr std::array<NatureInfo, 9> kNatures = {{
    {ContractNature::kMarche, "Marché", "marche"},
    {ContractNature::kMarchePartenariat, "Marché de partenariat", "marche_partenariat"},
    {ContractNature::kMarcheDefenseSecurite, "Marché de défense ou de sécurité",
     "marche_defense_securite"},
    {ContractNature::kAccordCadre, "Accord-cadre", "accord_cadre"},
    {ContractNature::kMarcheSubsequent, "Marché subséquent", "marche_subsequent"},
    {ContractNature::kConcessionTravaux, "Concession de travaux", "concession_travaux"},
    {ContractNature::kConcessionService, "Concession de service", "concession_service"},
    {ContractNature::kConcessionServicePublic, "Concession de service public",
     "concession_service_public"},
    {ContractNature::kDelegationServicePublic, "Délégation de service public",
     "delegation_service_public"},
}};

constexpr std::array<ProcedureInfo, 10> kProcedures = {{
    // A MAPA is advertised and open to every candidate: "open" in OCDS terms.
    {ProcedureType::kProcedureAdaptee, "Procédure adaptée", "procedure_adaptee", "open"},
    {ProcedureType::kAppelOffresOuvert, "Appel d'offres ouvert", "appel_offres_ouvert", "open"},
    {ProcedureType::kAppelOffresRestreint, "Appel d'offres restreint", "appel_offres_restreint",
     "selective"},
    {ProcedureType::kProcedureAvecNegociation, "Procédure avec négociation",
     "procedure_avec_negociation", "selective"},
    {ProcedureType::kSansPubliciteNiConcurrence,
     "Marché passé sans publicité ni mise en concurrence préalable",
     "sans_publicite_ni_mise_en_concurrence", "direct"},
    {ProcedureType::kDialogueCompetitif, "Dialogue compétitif", "dialogue_competitif", "selective"},
    {ProcedureType::kNegocieeOuverte, "Procédure négociée ouverte", "negociee_ouverte", "open"},
    {ProcedureType::kNonNegocieeOuverte, "Procédure non négociée ouverte", "non_negociee_ouverte",
     "open"},
    {ProcedureType::kNegocieeRestreinte, "Procédure négociée restreinte", "negociee_restreinte",
     "selective"},
    {ProcedureType::kNonNegocieeRestreinte, "Procédure non négociée restreinte",
     "non_negociee_restreinte", "selective"},
}};

// Labels of DECP 1.x files that name a 2.x value differently.
struct ProcedureAlias {
  std::string_view label;
  ProcedureType value;
};
constexpr std::array<ProcedureAlias, 4> kProcedureAliases = {{
    {"Procédure concurrentielle avec négociation", ProcedureType::kProcedureAvecNegociation},
    {"Procédure négociée avec mise en concurrence préalable",
     ProcedureType::kProcedureAvecNegociation},
    {"Marché négocié sans publicité ni mise en concurrence préalable",
     ProcedureType::kSansPubliciteNiConcurrence},
    {"Marché public négocié sans publicité ni mise en concurrence préalable",
     ProcedureType::kSansPubliciteNiConcurrence},
}};

// Comparison key: folded, with hyphens and apostrophes read as spaces, so that
// "ACCORD CADRE" matches "Accord-cadre" and "Appel d’offres" "Appel d'offres".
std::string LabelKey(std::string_view label) {
  std::string folded = FoldForSearch(label);
  for (char& c : folded) {
    if (c == '-' || c == '\'') c = ' ';
  }
  return NormalizeSpaces(folded);
}

constexpr std::array<ContractNature, kNatures.size()> MakeAllNatures() {
  std::array<ContractNature, kNatures.size()> out{};
  for (size_t i = 0; i < kNatures.size(); ++i) out[i] = kNatures[i].value;
  return out;
}
constexpr std::array<ProcedureType, kProcedures.size()> MakeAllProcedures() {
  std::array<ProcedureType, kProcedures.size()> out{};
  for (size_t i = 0; i < kProcedures.size(); ++i) out[i] = kProcedures[i].value;
  return out;
}
constexpr auto kAllNatures = MakeAllNatures();
constexpr auto kAllProcedures = MakeAllProcedures();

constexpr bool TablesFollowDeclarationOrder() {
  for (size_t i = 0; i < kNatures.size(); ++i) {
    if (static_cast<size_t>(kNatures[i].value) != i) return false;
  }
  for (size_t i = 0; i < kProcedures.size(); ++i) {
    if (static_cast<size_t>(kProcedures[i].value) != i) return false;
  }
  return true;
}
static_assert(TablesFollowDeclarationOrder());

// Keys of the labels and aliases, computed once: imports parse millions of them.
struct LabelKeys {
  std::array<std::string, kNatures.size()> natures;
  std::array<std::string, kProcedures.size()> procedures;
  std::array<std::string, kProcedureAliases.size()> aliases;
};
const LabelKeys& Keys() {
  static const LabelKeys keys = [] {
    LabelKeys k;
    for (size_t i = 0; i < kNatures.size(); ++i) k.natures[i] = LabelKey(kNatures[i].label);
    for (size_t i = 0; i < kProcedures.size(); ++i)
      k.procedures[i] = LabelKey(kProcedures[i].label);
    for (size_t i = 0; i < kProcedureAliases.size(); ++i) {
      k.aliases[i] = LabelKey(kProcedureAliases[i].label);
    }
    return k;
  }();
  return keys;
}

const NatureInfo& Info(ContractNature n) { return kNatures[static_cast<size_t>(n)]; }
const ProcedureInfo& Info(ProcedureType p) { return kProcedures[static_cast<size_t>(p)]; }

}  // namespace

std::string_view Label(ContractNature n) { return Info(n).label; }
std::string_view Label(ProcedureType p) { return Info(p).label; }
std::string_view Code(ContractNature n) { return Info(n).code; }
std::string_view Code(ProcedureType p) { return Info(p).code; }

std::span<const ContractNature> AllNatures() { return kAllNatures; }
std::span<const ProcedureType> AllProcedures() { return kAllProcedures; }

std::optional<ContractNature> ParseNature(std::string_view label) {
  const std::string key = LabelKey(label);
  for (size_t i = 0; i < kNatures.size(); ++i) {
    if (Keys().natures[i] == key) return kNatures[i].value;
  }
  return std::nullopt;
}

std::optional<ProcedureType> ParseProcedure(std::string_view label) {
  const std::string key = LabelKey(label);
  for (size_t i = 0; i < kProcedures.size(); ++i) {
    if (Keys().procedures[i] == key) return kProcedures[i].value;
  }
  for (size_t i = 0; i < kProcedureAliases.size(); ++i) {
    if (Keys().aliases[i] == key) return kProcedureAliases[i].value;
  }
  return std::nullopt;
}

std::optional<ContractNature> NatureFromCode(std::string_view code) {
  for (const NatureInfo& n : kNatures) {
    if (n.code == code) return n.value;
  }
  return std::nullopt;
}

std::optional<ProcedureType> ProcedureFromCode(std::string_view code) {
  for (const ProcedureInfo& p : kProcedures) {
    if (p.code == code) return p.value;
  }
  return std::nullopt;
}

bool IsConcession(ContractNature n) {
  switch (n) {
    case ContractNature::kConcessionTravaux:
    case ContractNature::kConcessionService:
    case ContractNature::kConcessionServicePublic:
    case ContractNature::kDelegationServicePublic:
      return true;
    case ContractNature::kMarche:
    case ContractNature::kMarchePartenariat:
    case ContractNature::kMarcheDefenseSecurite:
    case ContractNature::kAccordCadre:
    case ContractNature::kMarcheSubsequent:
      return false;
  }
  return false;
}

std::string_view OcdsProcurementMethod(ProcedureType p) { return Info(p).ocds_method; }

}  // namespace limpide::domain
