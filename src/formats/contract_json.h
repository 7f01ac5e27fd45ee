// The API's JSON form of a contract and an organization (docs/api.md).
#pragma once

#include <nlohmann/json.hpp>

#include "domain/contract.h"

namespace limpide::formats {

nlohmann::json ContractToJson(const domain::Contract& c);
nlohmann::json OrganizationToJson(const domain::Organization& o);

}  // namespace limpide::formats
