// CSV (RFC 4180) output of contracts, one row per contract, UTF-8 with header.
#pragma once

#include <string>

#include "domain/contract.h"

namespace limpide::formats {

// The header line, ending in "\r\n".
std::string CsvHeader();
// One contract as a CSV line ending in "\r\n"; holders joined with " | ".
std::string CsvRow(const domain::Contract& c);
// Quotes a field when it holds a comma, a quote, CR or LF.
std::string CsvField(std::string_view value);

}  // namespace limpide::formats
