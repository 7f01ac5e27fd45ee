// OCDS in (`limpide import` of release packages, record packages and JSON
// Lines of releases; docs/ocds-import.md). Releases are stored verbatim as
// objects ("ocds-release", "<ocid>/<release id>"), each process keeps the list
// of its releases ("ocds-process", ocid), and after the file every process it
// touched is merged (formats/ocds/merge.h) and its contracts written through
// the same UpsertContract and ledger entries as DECP contracts.
#pragma once

#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/importer.h"
#include "base/result.h"
#include "formats/ocds/reader.h"
#include "store/store.h"

namespace limpide::app {

inline constexpr std::string_view kOcdsReleaseKind = "ocds-release";
inline constexpr std::string_view kOcdsProcessKind = "ocds-process";
// The sources a contract was read from ({"uid", "sources": [{"source",
// "format", "ocid"?}]}): one object per contract that OCDS import touched or
// that several sources described.
inline constexpr std::string_view kContractSourcesKind = store::kContractSourcesKind;

// Imports one OCDS file of form `form` (formats::ocds::DetectOcds) from `in`
// in one transaction: counts, warnings and extensions go into `file`, the
// reject lines (JSON, docs/import-report.md) into `rejects`. A broken outer
// structure sets file.error and keeps nothing. Returns non-ok only when the
// store fails (the transaction is rolled back).
Status ImportOcdsFile(store::Store& store, const std::string& path, std::istream& in,
                      formats::ocds::InputForm form, FileReport& file,
                      std::vector<std::string>& rejects);

// The stored releases of `ocid`, in the order they were first imported.
// not_found when none is stored.
Result<std::vector<nlohmann::json>> StoredReleases(store::Store& store, std::string_view ocid);

// Adds `entry` ({"source", "format", "ocid"?}) to the sources of contract
// `uid` in `txn`, unless it is listed already.
Status AddContractSource(store::WriteTransaction& txn, const std::string& uid,
                         const nlohmann::json& entry);

// The sources of contract `c` as a JSON array text: those of `stored`, its
// kContractSourcesKind object (nullopt: none is stored), after {"source":
// c.source} when they do not name it.
std::string ContractSources(const domain::Contract& c,
                            const std::optional<store::StoredObject>& stored);

}  // namespace limpide::app
