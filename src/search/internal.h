// Private to src/search/: shared by document.cpp and index.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include "search/search.h"

namespace limpide::search {

// ContractDocument from the parsed body (the follower parses each ledger
// entry once).
Result<Document> ContractDocumentFromJson(const nlohmann::json& body);
Result<Document> ConsultationDocumentFromJson(const nlohmann::json& body,
                                              std::optional<domain::Date> published_on);

// U+FFFD, the mark of a letter lost by a producer's bad encoding (3,559 of
// the 9,039 demo contracts hold one), replaced by "e": folded, é è ê ë are
// the most frequent accented letters of French, so "�lagage" is found as
// "elagage" (docs/search.md).
std::string RestoreLostLetters(std::string_view utf8);

// The department's place in the table of departments, from 1 (01 Ain) to
// kDepartmentNumbers - 1 (976 Mayotte); 0 for an empty or unknown code. The
// index numbers its documents by it (index.cpp, docs/search.md).
int DepartmentNumber(std::string_view department);
inline constexpr int kDepartmentNumbers = 102;

}  // namespace limpide::search
