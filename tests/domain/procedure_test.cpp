#include "domain/procedure.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace limpide::domain {
namespace {

bool IsLowerSnakeAscii(std::string_view s) {
  if (s.empty() || s.front() == '_' || s.back() == '_') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

TEST(ContractNature, LabelsAreTheOfficialDecpOnes) {
  EXPECT_EQ(Label(ContractNature::kMarche), "Marché");
  EXPECT_EQ(Label(ContractNature::kMarchePartenariat), "Marché de partenariat");
  EXPECT_EQ(Label(ContractNature::kMarcheDefenseSecurite), "Marché de défense ou de sécurité");
  EXPECT_EQ(Label(ContractNature::kAccordCadre), "Accord-cadre");
  EXPECT_EQ(Label(ContractNature::kMarcheSubsequent), "Marché subséquent");
  EXPECT_EQ(Label(ContractNature::kConcessionTravaux), "Concession de travaux");
  EXPECT_EQ(Label(ContractNature::kConcessionService), "Concession de service");
  EXPECT_EQ(Label(ContractNature::kConcessionServicePublic), "Concession de service public");
  EXPECT_EQ(Label(ContractNature::kDelegationServicePublic), "Délégation de service public");
}

TEST(ProcedureType, LabelsAreTheOfficialDecpOnes) {
  EXPECT_EQ(Label(ProcedureType::kProcedureAdaptee), "Procédure adaptée");
  EXPECT_EQ(Label(ProcedureType::kAppelOffresOuvert), "Appel d'offres ouvert");
  EXPECT_EQ(Label(ProcedureType::kAppelOffresRestreint), "Appel d'offres restreint");
  EXPECT_EQ(Label(ProcedureType::kProcedureAvecNegociation), "Procédure avec négociation");
  EXPECT_EQ(Label(ProcedureType::kSansPubliciteNiConcurrence),
            "Marché passé sans publicité ni mise en concurrence préalable");
  EXPECT_EQ(Label(ProcedureType::kDialogueCompetitif), "Dialogue compétitif");
  EXPECT_EQ(Label(ProcedureType::kNegocieeOuverte), "Procédure négociée ouverte");
  EXPECT_EQ(Label(ProcedureType::kNonNegocieeOuverte), "Procédure non négociée ouverte");
  EXPECT_EQ(Label(ProcedureType::kNegocieeRestreinte), "Procédure négociée restreinte");
  EXPECT_EQ(Label(ProcedureType::kNonNegocieeRestreinte), "Procédure non négociée restreinte");
}

TEST(ContractNature, AllListsEveryValueOnceInDeclarationOrder) {
  auto all = AllNatures();
  ASSERT_EQ(all.size(), 9u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(static_cast<size_t>(all[i]), i);
}

TEST(ProcedureType, AllListsEveryValueOnceInDeclarationOrder) {
  auto all = AllProcedures();
  ASSERT_EQ(all.size(), 10u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(static_cast<size_t>(all[i]), i);
}

TEST(ContractNature, CodesAreUniqueLowerSnakeAsciiAndReadBack) {
  std::set<std::string_view> seen;
  for (ContractNature n : AllNatures()) {
    EXPECT_TRUE(IsLowerSnakeAscii(Code(n))) << Code(n);
    EXPECT_TRUE(seen.insert(Code(n)).second) << Code(n);
    EXPECT_EQ(NatureFromCode(Code(n)), n);
    EXPECT_EQ(ParseNature(Label(n)), n) << Label(n);
  }
  EXPECT_EQ(Code(ContractNature::kMarche), "marche");
  EXPECT_EQ(Code(ContractNature::kAccordCadre), "accord_cadre");
  EXPECT_EQ(Code(ContractNature::kConcessionTravaux), "concession_travaux");
}

TEST(ProcedureType, CodesAreUniqueLowerSnakeAsciiAndReadBack) {
  std::set<std::string_view> seen;
  for (ProcedureType p : AllProcedures()) {
    EXPECT_TRUE(IsLowerSnakeAscii(Code(p))) << Code(p);
    EXPECT_TRUE(seen.insert(Code(p)).second) << Code(p);
    EXPECT_EQ(ProcedureFromCode(Code(p)), p);
    EXPECT_EQ(ParseProcedure(Label(p)), p) << Label(p);
  }
  EXPECT_EQ(Code(ProcedureType::kAppelOffresOuvert), "appel_offres_ouvert");
  EXPECT_EQ(Code(ProcedureType::kProcedureAdaptee), "procedure_adaptee");
}

TEST(FromCode, RejectsUnknownOrDifferentlyCasedCodes) {
  EXPECT_EQ(NatureFromCode(""), std::nullopt);
  EXPECT_EQ(NatureFromCode("Marche"), std::nullopt);
  EXPECT_EQ(NatureFromCode("Marché"), std::nullopt);
  EXPECT_EQ(ProcedureFromCode("appel-offres-ouvert"), std::nullopt);
  EXPECT_EQ(ProcedureFromCode("APPEL_OFFRES_OUVERT"), std::nullopt);
}

TEST(ParseNature, IgnoresCaseAccentsAndHyphens) {
  EXPECT_EQ(ParseNature("CONCESSION DE TRAVAUX"), ContractNature::kConcessionTravaux);
  EXPECT_EQ(ParseNature("DELEGATION DE SERVICE PUBLIC"), ContractNature::kDelegationServicePublic);
  EXPECT_EQ(ParseNature("CONCESSION DE SERVICE PUBLIC"), ContractNature::kConcessionServicePublic);
  EXPECT_EQ(ParseNature("marche"), ContractNature::kMarche);
  EXPECT_EQ(ParseNature("  Marché  subséquent "), ContractNature::kMarcheSubsequent);
  EXPECT_EQ(ParseNature("Accord cadre"), ContractNature::kAccordCadre);
  EXPECT_EQ(ParseNature("ACCORD-CADRE"), ContractNature::kAccordCadre);
  // Decomposed accents (NFD) fold the same way.
  EXPECT_EQ(ParseNature("Marche\xCC\x81 de partenariat"), ContractNature::kMarchePartenariat);
}

TEST(ParseNature, RejectsUnknownLabels) {
  EXPECT_EQ(ParseNature(""), std::nullopt);
  EXPECT_EQ(ParseNature("Marché public"), std::nullopt);
  EXPECT_EQ(ParseNature("Concession"), std::nullopt);
  EXPECT_EQ(ParseNature("Marchés"), std::nullopt);
}

TEST(ParseProcedure, ReadsTheDecp1Variants) {
  EXPECT_EQ(ParseProcedure("Procédure concurrentielle avec négociation"),
            ProcedureType::kProcedureAvecNegociation);
  EXPECT_EQ(ParseProcedure("Procédure négociée avec mise en concurrence préalable"),
            ProcedureType::kProcedureAvecNegociation);
  EXPECT_EQ(ParseProcedure("Marché négocié sans publicité ni mise en concurrence préalable"),
            ProcedureType::kSansPubliciteNiConcurrence);
  EXPECT_EQ(ParseProcedure("Marché public négocié sans publicité ni mise en concurrence préalable"),
            ProcedureType::kSansPubliciteNiConcurrence);
}

TEST(ParseProcedure, IgnoresCaseAccentsAndTypographicApostrophes) {
  EXPECT_EQ(ParseProcedure("PROCEDURE ADAPTEE"), ProcedureType::kProcedureAdaptee);
  EXPECT_EQ(ParseProcedure("Appel d’offres ouvert"), ProcedureType::kAppelOffresOuvert);
  EXPECT_EQ(ParseProcedure("appel d'offres restreint"), ProcedureType::kAppelOffresRestreint);
  EXPECT_EQ(ParseProcedure("Dialogue competitif"), ProcedureType::kDialogueCompetitif);
  EXPECT_EQ(ParseProcedure("procédure NON négociée restreinte"),
            ProcedureType::kNonNegocieeRestreinte);
}

TEST(ParseProcedure, RejectsUnknownLabels) {
  EXPECT_EQ(ParseProcedure(""), std::nullopt);
  EXPECT_EQ(ParseProcedure("Appel d'offres"), std::nullopt);
  EXPECT_EQ(ParseProcedure("Procédure négociée"), std::nullopt);
  EXPECT_EQ(ParseProcedure("Marché"), std::nullopt);
}

TEST(IsConcession, IsTrueOnlyForConcessionNatures) {
  EXPECT_TRUE(IsConcession(ContractNature::kConcessionTravaux));
  EXPECT_TRUE(IsConcession(ContractNature::kConcessionService));
  EXPECT_TRUE(IsConcession(ContractNature::kConcessionServicePublic));
  EXPECT_TRUE(IsConcession(ContractNature::kDelegationServicePublic));
  EXPECT_FALSE(IsConcession(ContractNature::kMarche));
  EXPECT_FALSE(IsConcession(ContractNature::kMarchePartenariat));
  EXPECT_FALSE(IsConcession(ContractNature::kMarcheDefenseSecurite));
  EXPECT_FALSE(IsConcession(ContractNature::kAccordCadre));
  EXPECT_FALSE(IsConcession(ContractNature::kMarcheSubsequent));
}

TEST(OcdsProcurementMethod, MapsOpenProceduresToOpen) {
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kProcedureAdaptee), "open");
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kAppelOffresOuvert), "open");
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kNegocieeOuverte), "open");
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kNonNegocieeOuverte), "open");
}

TEST(OcdsProcurementMethod, MapsRestrictedAndNegotiatedProceduresToSelective) {
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kAppelOffresRestreint), "selective");
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kProcedureAvecNegociation), "selective");
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kDialogueCompetitif), "selective");
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kNegocieeRestreinte), "selective");
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kNonNegocieeRestreinte), "selective");
}

TEST(OcdsProcurementMethod, MapsNoAdvertNoCompetitionToDirect) {
  EXPECT_EQ(OcdsProcurementMethod(ProcedureType::kSansPubliciteNiConcurrence), "direct");
}

}  // namespace
}  // namespace limpide::domain
