// OCDS 1.1 out: a DECP contract as OCDS releases, release packages and record
// packages (docs/ocds-mapping.md has the field-by-field DECP <-> OCDS table).
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "domain/contract.h"
#include "formats/ocds/merge.h"

namespace limpide::formats::ocds {

// The ocid prefix used when none is configured. A placeholder: real prefixes
// ("ocds-" + 6 characters) are registered with the Open Contracting Partnership;
// a deployment sets its own (LIMPIDE_OCDS_PREFIX for the server).
inline constexpr std::string_view kDefaultOcidPrefix = "ocds-lmpd00";

// The org-id.guide scheme of the SIRET identifiers of parties (docs/ocds-mapping.md).
inline constexpr std::string_view kSiretScheme = "FR-RCS";

struct ReleaseOptions {
  std::string ocid_prefix = std::string(kDefaultOcidPrefix);
};

// "<prefix>-<uid>".
std::string Ocid(const domain::Contract& c, std::string_view prefix);
// The uid an ocid was made from, or empty if `ocid` does not start with "<prefix>-".
std::string UidFromOcid(std::string_view ocid, std::string_view prefix);

// Appends the releases of one contract as JSON text, each followed by
// `terminator` ('\n' for JSON Lines, ',' between the releases of a package):
// the award/contract release, then one "contractAmendment" release per
// modification, ids "<ocid>-<n>" (n from 1), dates strictly increasing.
// Nothing is invented: absent DECP data is absent, and no empty string, object
// or array is written. Each release's text is exactly what nlohmann writes
// for it (keys in byte order, json::parse(text).dump() == text), the form of
// the bulk files, the export and the API. Returns the number of releases.
int AppendReleases(std::string& out, const domain::Contract& c, const ReleaseOptions& options,
                   char terminator);

// The same releases as DOMs (parsed from that text), for the merge and the
// checks.
std::vector<nlohmann::json> ContractReleases(const domain::Contract& c,
                                             const ReleaseOptions& options = {});

// Package metadata.
struct PackageMeta {
  std::string uri;             // the URI the package is served at
  std::string published_date;  // RFC 3339 date-time
  std::string publisher_name = "Limpide";
};

// {uri, publishedDate, publisher, version "1.1", releases}.
nlohmann::json ReleasePackage(std::vector<nlohmann::json> releases, const PackageMeta& meta);
// The same package as text, from `releases`: release texts separated by
// commas ("" for none); with `{"links":{"next":NEXT}}` when `next` is not
// empty. Byte for byte the dump of the DOM form.
std::string ReleasePackageText(std::string_view releases, const PackageMeta& meta,
                               std::string_view next = {});

// {uri, publishedDate, publisher, version "1.1", records}: one record per list
// of releases (one ocid each), with compiledRelease and versionedRelease.
Result<nlohmann::json> RecordPackage(std::span<const std::vector<nlohmann::json>> release_sets,
                                     const Merger& merger, const PackageMeta& meta);

// The OCDS 1.1 release schema compiled into the binary (from
// ../shared/data/ocds/schema/release-schema.json at build time).
std::string_view EmbeddedReleaseSchema();
// A Merger built once from the embedded schema.
const Merger& EmbeddedMerger();

}  // namespace limpide::formats::ocds
