// CPV 2008 (Common Procurement Vocabulary): the full main vocabulary, compiled
// into the binary from data/cpv/cpv_2008_fr_en.csv, with labels and hierarchy.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace limpide::domain {

struct CpvCode {
  std::string code;          // "45000000-7": 8 digits, dash, check digit
  std::string code8;         // "45000000"
  int level = 0;             // 1 = division … 5..7 = finer (see docs/glossary.md)
  std::string parent_code8;  // nearest existing ancestor; empty for a division
  std::string label_fr;
  std::string label_en;
};

// Result of reading a CPV code found in a file or a request.
struct ParsedCpv {
  const CpvCode* code = nullptr;  // never null on success; points into the table
  // What had to be repaired to find the code, as stable snake_case flags:
  // "cpv_check_digit_added", "cpv_leading_zero_added", "cpv_check_digit_corrected".
  std::vector<std::string> repairs;
};

class CpvTable {
 public:
  // The table, parsed once on first use (thread-safe).
  static const CpvTable& Get();

  // The code with these 8 digits, or nullptr.
  const CpvCode* Find(std::string_view code8) const;
  // Codes whose parent is `code8`, in code order.
  std::vector<const CpvCode*> Children(std::string_view code8) const;
  // From the division down to the code itself.
  std::vector<const CpvCode*> Lineage(std::string_view code8) const;
  const std::vector<CpvCode>& all() const { return codes_; }

 private:
  CpvTable();
  std::vector<CpvCode> codes_;  // sorted by code8
};

// Reads "45000000-7", "45000000" (check digit added), "4500000" (7 digits: the
// leading zero lost by a spreadsheet) and a wrong check digit (corrected and
// flagged). Rejects (invalid_argument) anything else or a code not in the table.
Result<ParsedCpv> ParseCpv(std::string_view raw);

// Significant digits of a code: "45000000" -> "45", "45210000" -> "4521".
// A code whose significant prefix is P covers every code starting with P.
std::string_view CpvSignificantPrefix(std::string_view code8);

// Validates a CPV prefix used as a filter: 2 to 8 digits, optionally followed by
// "-d" when 8 digits. Returns the digits only.
Result<std::string> ParseCpvPrefix(std::string_view raw);

}  // namespace limpide::domain
