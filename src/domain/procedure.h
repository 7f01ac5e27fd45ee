// Contract natures and procedure types as DECP names them, and their OCDS forms.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace limpide::domain {

enum class ContractNature {
  kMarche,                   // "Marché"
  kMarchePartenariat,        // "Marché de partenariat"
  kMarcheDefenseSecurite,    // "Marché de défense ou de sécurité" (2.x)
  kAccordCadre,              // "Accord-cadre" (1.x; a technique in 2.x)
  kMarcheSubsequent,         // "Marché subséquent" (1.x)
  kConcessionTravaux,        // "Concession de travaux"
  kConcessionService,        // "Concession de service"
  kConcessionServicePublic,  // "Concession de service public"
  kDelegationServicePublic,  // "Délégation de service public"
};

enum class ProcedureType {
  kProcedureAdaptee,          // "Procédure adaptée"
  kAppelOffresOuvert,         // "Appel d'offres ouvert"
  kAppelOffresRestreint,      // "Appel d'offres restreint"
  kProcedureAvecNegociation,  // "Procédure avec négociation" (2.x; 1.x "Procédure concurrentielle
                              // avec négociation" and "Procédure négociée avec mise en concurrence
                              // préalable")
  kSansPubliciteNiConcurrence,  // "Marché passé sans publicité ni mise en concurrence préalable"
                                // (1.x variants: "Marché négocié sans…", "Marché public négocié
                                // sans…")
  kDialogueCompetitif,     // "Dialogue compétitif"
  kNegocieeOuverte,        // "Procédure négociée ouverte" (concessions)
  kNonNegocieeOuverte,     // "Procédure non négociée ouverte"
  kNegocieeRestreinte,     // "Procédure négociée restreinte"
  kNonNegocieeRestreinte,  // "Procédure non négociée restreinte"
};

// The official DECP label (2.x where it exists, else 1.x).
std::string_view Label(ContractNature n);
std::string_view Label(ProcedureType p);
// Stable lower_snake code used in the API and the database ("appel_offres_ouvert").
std::string_view Code(ContractNature n);
std::string_view Code(ProcedureType p);

// Every value, in declaration order (for OpenAPI enums and web filters).
std::span<const ContractNature> AllNatures();
std::span<const ProcedureType> AllProcedures();

// Reads a DECP label, tolerant of case, accents and the known 1.x variants
// ("CONCESSION DE TRAVAUX", "Marché négocié sans publicité…"). nullopt if unknown.
std::optional<ContractNature> ParseNature(std::string_view label);
std::optional<ProcedureType> ParseProcedure(std::string_view label);
// Reads an API code ("appel_offres_ouvert").
std::optional<ContractNature> NatureFromCode(std::string_view code);
std::optional<ProcedureType> ProcedureFromCode(std::string_view code);

bool IsConcession(ContractNature n);

// OCDS 1.1 tender.procurementMethod: "open", "selective", "limited" or "direct".
std::string_view OcdsProcurementMethod(ProcedureType p);

}  // namespace limpide::domain
