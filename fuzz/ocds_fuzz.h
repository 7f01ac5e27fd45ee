// Shared body of the OCDS fuzz target and of its corpus regression test: read
// the bytes as OCDS (each form), check every release, merge the releases of
// each ocid (compiled and versioned, DOM and text) and map the compiled
// release onto contracts. A broken invariant aborts, which the fuzzer reports
// as a crash.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "formats/contract_json.h"
#include "formats/ocds/checks.h"
#include "formats/ocds/reader.h"
#include "formats/ocds/release.h"
#include "formats/ocds/to_contract.h"

namespace limpide::fuzz {

inline void CheckOcds(bool ok) {
  if (!ok) std::abort();
}

inline void FuzzOcdsBytes(const uint8_t* data, size_t size) {
  using nlohmann::json;
  namespace ocds = formats::ocds;
  const std::string text(reinterpret_cast<const char*>(data), size);
  {
    std::istringstream in(text);
    (void)ocds::DetectOcds(in);
  }
  for (auto form : {ocds::InputForm::kReleasePackage, ocds::InputForm::kRecordPackage,
                    ocds::InputForm::kReleaseLines, ocds::InputForm::kReleaseStream}) {
    std::istringstream in(text);
    std::map<std::string, std::vector<json>> by_ocid;
    int64_t last = 0;
    json package;
    const Status s = ocds::ReadOcds(in, form, "fuzz", [&](ocds::Item&& item) {
      CheckOcds(item.position > last);  // in order
      last = item.position;
      CheckOcds(item.error.empty() || item.value.is_null());
      if (!item.error.empty()) return Status::Ok();
      const auto check = ocds::CheckRelease(item.value);
      if (check.errors.empty() && by_ocid.size() < 8) {
        auto& list = by_ocid[item.value["ocid"].get<std::string>()];
        if (list.size() < 8) list.push_back(item.value);
      }
      return Status::Ok();
    }, &package);
    CheckOcds(s.ok() || (s.code() == ErrorCode::kInvalidArgument &&
                         s.message().rfind("fuzz:", 0) == 0));
    CheckOcds(!s.ok() || package.is_object());
    const auto& merger = ocds::EmbeddedMerger();
    for (const auto& [ocid, releases] : by_ocid) {
      auto merged = merger.Merge(releases);
      auto text_merged = merger.MergeToText(releases);
      CheckOcds(merged.ok() == text_merged.ok());
      if (merged.ok()) {
        CheckOcds(merged->compiled.dump() == text_merged->compiled);
        CheckOcds(merged->versioned.dump() == text_merged->versioned);
      }
      auto compiled = merger.Compile(releases);
      if (!compiled.ok()) continue;
      CheckOcds((*compiled)["ocid"] == ocid);
      for (const auto& m : ocds::ContractsFromCompiled(*compiled, "fuzz")) {
        CheckOcds(!m.contract.uid.empty());
        (void)formats::ContractToJson(m.contract).dump();
      }
    }
  }
}

}  // namespace limpide::fuzz
