// A public contract as DECP describes it: a "marché" or a "contrat de
// concession", with its holders, modifications and, for concessions, execution
// data. Plain values, no I/O; formats/ reads and writes them, store/ keeps them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/money.h"
#include "domain/procedure.h"
#include "domain/time.h"

namespace limpide::domain {

enum class ContractKind { kMarche, kConcession };

// A titulaire (marché) or concessionnaire (concession).
struct Holder {
  std::string id;       // SIRET when id_type is "SIRET"; else a VAT or foreign id
  std::string id_type;  // DECP typeIdentifiant: SIRET, TVA, TAHITI, RIDET, FRWF, IREP, UE, HORS-UE
  std::string name;     // denominationSociale (1.x only; 2.x publishes no name)
  friend bool operator==(const Holder&, const Holder&) = default;
};

struct Place {
  std::string code;       // lieuExecution.code: postcode, INSEE code, department…
  std::string code_type;  // "Code postal", "Code département", …
  std::string name;       // 1.x only
  friend bool operator==(const Place&, const Place&) = default;
};

// One "modification" (amendment) of a contract.
struct Modification {
  std::string id;                      // rank as published ("1")
  std::string object;                  // objetModification (1.x)
  std::optional<Date> signed_on;       // dateNotificationModification / dateSignatureModification
  std::optional<Date> published_on;    // datePublicationDonneesModification
  std::optional<int> duration_months;  // new dureeMois
  std::optional<Money> amount;         // new montant (marché) or valeurGlobale (concession)
  std::vector<Holder> holders;         // new titulaires, when they change
  friend bool operator==(const Modification&, const Modification&) = default;
};

struct Contract {
  // Key: buyer SIRET + DECP id, as DECP 1.5 defines `uid`. Unique.
  std::string uid;
  std::string id;  // DECP id (the buyer's own reference)
  ContractKind kind = ContractKind::kMarche;

  std::string buyer_id;    // acheteur.id or autoriteConcedante.id: a SIRET
  std::string buyer_name;  // 1.x only
  std::optional<ContractNature> nature;
  std::optional<ProcedureType> procedure;
  std::string object;  // objet
  std::string cpv;     // "45000000-7", or empty when absent
  Place place;         // lieuExecution
  std::optional<int> duration_months;
  // montant (marché) or valeurGlobale (concession), in cents.
  std::optional<Money> amount;
  std::optional<Money> public_subsidy;  // montantSubventionPublique (concession)
  std::optional<Date> notified_on;      // dateNotification, or dateSignature for a concession
  std::optional<Date> published_on;     // datePublicationDonnees
  std::optional<Date> execution_start;  // dateDebutExecution (concession)
  std::string price_form;               // formePrix as published
  std::vector<Holder> holders;          // titulaires / concessionnaires
  std::vector<Modification> modifications;

  // Every other DECP field (2.x names: considerations, techniques, typesPrix,
  // sous-traitance, donneesExecution of concessions…) as a compact JSON object,
  // "{}" when none. Kept verbatim so that nothing published is lost.
  std::string extra_json = "{}";

  std::string schema_version;  // "1" or "2": the DECP major version read
  std::string source;          // source name: the 1.x "source" field or the file name
  // Repairs applied at import, as snake_case flags (see docs/import-decisions.md).
  std::vector<std::string> flags;

  friend bool operator==(const Contract&, const Contract&) = default;
};

// DECP typeIdentifiant values (1.x and 2.x).
std::span<const std::string_view> HolderIdTypes();
// DECP lieuExecution.typeCode values.
std::span<const std::string_view> PlaceCodeTypes();

// buyer_id + id, the DECP 1.5 uid.
std::string MakeUid(std::string_view buyer_id, std::string_view id);

// An organization seen in the data: a buyer, a holder, or both.
struct Organization {
  std::string id;    // SIRET (or other holder id)
  std::string name;  // best known name; may be empty
  int64_t contracts_as_buyer = 0;
  Money amount_as_buyer;
  int64_t contracts_as_holder = 0;
  Money amount_as_holder;
};

}  // namespace limpide::domain
