// The API's JSON form of a contract and an organization (docs/api.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "domain/contract.h"

namespace limpide::formats {

nlohmann::json ContractToJson(const domain::Contract& c);

// The text of ContractToJson(c) as the API serves it, written directly without
// building a DOM: byte for byte ContractToJson(c).dump(-1, ' ', false,
// nlohmann::json::error_handler_t::replace) (keys sorted, same number forms,
// invalid UTF-8 replaced by U+FFFD).
std::string ContractJsonText(const domain::Contract& c);
// Appends ContractJsonText(c) to `out`.
void AppendContractJson(std::string& out, const domain::Contract& c);
// The body of a contract's ledger entry (docs/ledger.md): ContractJsonText
// with every amount as a decimal string ("1234.56", "1000") and any other
// non-integer number (under "extra") as its JSON text, so that the text is
// canonical JSON, which allows integers only.
std::string ContractLedgerText(const domain::Contract& c);
nlohmann::json OrganizationToJson(const domain::Organization& o);

}  // namespace limpide::formats
