// OCDS in: the contracts that a compiled release describes, as our contract
// model holds them (docs/ocds-import.md has the table: what is kept, what is
// flagged, what cannot be mapped and is reported).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "domain/contract.h"
#include "formats/ocds/checks.h"

namespace limpide::formats::ocds {

struct MappedContract {
  domain::Contract contract;
  // True when the uid is the DECP one (buyer SIRET + DECP id, from the `decp`
  // extension that Limpide publishes): the same contract as a DECP record.
  bool decp_identity = false;
  // What of the OCDS contract the model cannot hold (the releases keep it).
  std::vector<Finding> unmapped;
};

// The uid of a contract known only through OCDS: "<ocid>:<contract id>". It
// cannot collide with a DECP uid (those start with a 14-digit SIRET).
std::string OcdsContractUid(std::string_view ocid, std::string_view contract_id);

// One contract per entry of `compiled.contracts`; when there is none, one per
// award with status "active" (or no status). None for a process that has
// neither (planning, tender). `source` becomes Contract::source.
std::vector<MappedContract> ContractsFromCompiled(const nlohmann::json& compiled,
                                                  std::string_view source);

}  // namespace limpide::formats::ocds
