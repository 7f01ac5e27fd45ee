#include "formats/ocds/checks.h"

#include <map>
#include <set>
#include <unordered_map>

#include "domain/time.h"
#include "formats/ocds/release.h"

// The closed codelists of OCDS 1.1.5 (../shared/data/ocds/schema/codelists,
// Apache-2.0), compiled in by src/CMakeLists.txt.
namespace limpide::embedded {
extern const std::string_view kOcdsCodelistAwardStatus;
extern const std::string_view kOcdsCodelistContractStatus;
extern const std::string_view kOcdsCodelistCurrency;
extern const std::string_view kOcdsCodelistInitiationType;
extern const std::string_view kOcdsCodelistMethod;
extern const std::string_view kOcdsCodelistMilestoneStatus;
extern const std::string_view kOcdsCodelistProcurementCategory;
extern const std::string_view kOcdsCodelistReleaseTag;
extern const std::string_view kOcdsCodelistTenderStatus;
}  // namespace limpide::embedded

namespace limpide::formats::ocds {
namespace {

using nlohmann::json;

// The codes of a codelist CSV: the first field of each line after the header.
std::set<std::string, std::less<>> Codes(std::string_view csv) {
  std::set<std::string, std::less<>> codes;
  size_t pos = csv.find('\n');
  while (pos != std::string_view::npos && pos + 1 < csv.size()) {
    const size_t start = pos + 1;
    const size_t comma = csv.find_first_of(",\r\n", start);
    if (comma != std::string_view::npos && comma > start) {
      codes.emplace(csv.substr(start, comma - start));
    }
    pos = csv.find('\n', start);
  }
  return codes;
}

struct Codelist {
  std::string name;
  std::set<std::string, std::less<>> codes;
};

// Schema path (array levels left out: "awards/status") -> closed codelist,
// derived once from the release schema's `codelist` and `openCodelist: false`.
class ClosedCodelists {
 public:
  ClosedCodelists() {
    const std::pair<std::string_view, std::string_view> files[] = {
        {"awardStatus.csv", embedded::kOcdsCodelistAwardStatus},
        {"contractStatus.csv", embedded::kOcdsCodelistContractStatus},
        {"currency.csv", embedded::kOcdsCodelistCurrency},
        {"initiationType.csv", embedded::kOcdsCodelistInitiationType},
        {"method.csv", embedded::kOcdsCodelistMethod},
        {"milestoneStatus.csv", embedded::kOcdsCodelistMilestoneStatus},
        {"procurementCategory.csv", embedded::kOcdsCodelistProcurementCategory},
        {"releaseTag.csv", embedded::kOcdsCodelistReleaseTag},
        {"tenderStatus.csv", embedded::kOcdsCodelistTenderStatus},
    };
    for (const auto& [name, csv] : files) lists_[std::string(name)] = {std::string(name), Codes(csv)};
    schema_ = json::parse(EmbeddedReleaseSchema());
    Walk(schema_, "", {});
  }
  const Codelist* At(const std::string& path) const {
    auto it = by_path_.find(path);
    return it == by_path_.end() ? nullptr : it->second;
  }

 private:
  void Walk(const json& node, const std::string& path, std::set<std::string> seen) {
    if (auto ref = node.find("$ref"); ref != node.end() && ref->is_string()) {
      const std::string target = ref->get<std::string>();
      const std::string prefix = "#/definitions/";
      if (target.rfind(prefix, 0) != 0) return;
      const std::string name = target.substr(prefix.size());
      if (!seen.insert(name).second) return;
      const auto& defs = schema_["definitions"];
      if (defs.contains(name)) Walk(defs[name], path, seen);
      return;
    }
    if (auto list = node.find("codelist"); list != node.end() && list->is_string()) {
      auto open = node.find("openCodelist");
      if (open != node.end() && open->is_boolean() && !open->get<bool>()) {
        auto it = lists_.find(list->get<std::string>());
        if (it != lists_.end()) by_path_[path] = &it->second;
      }
    }
    if (auto props = node.find("properties"); props != node.end() && props->is_object()) {
      for (const auto& [key, child] : props->items()) {
        Walk(child, path.empty() ? key : path + "/" + key, seen);
      }
    }
    if (auto items = node.find("items"); items != node.end() && items->is_object()) {
      Walk(*items, path, seen);
    }
  }

  json schema_;
  std::map<std::string, Codelist> lists_;
  std::unordered_map<std::string, const Codelist*> by_path_;
};

const ClosedCodelists& Closed() {
  static const ClosedCodelists kLists;
  return kLists;
}

bool IsDateField(std::string_view key) {
  static const std::set<std::string, std::less<>> kNames = {
      "date",      "dateSigned", "datePublished", "dateModified",
      "startDate", "endDate",    "maxExtentDate"};
  return kNames.contains(key) ||
         (key.size() > 4 && key.substr(key.size() - 4) == "Date");
}

// Walks the release: dates, codelists, empty values.
void Walk(const json& value, const std::string& path, const std::string& schema_path,
          std::string_view key, ReleaseCheck& out) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.empty()) {
      out.warnings.push_back({path, "empty string"});
      return;
    }
    if (IsDateField(key) && !IsDateTime(s)) {
      out.errors.push_back({path, "not a date-time (RFC 3339 with an offset): \"" + s + "\""});
    }
    if (const Codelist* list = Closed().At(schema_path); list && !list->codes.contains(s)) {
      out.warnings.push_back({path, "\"" + s + "\" is not in the closed codelist " + list->name});
    }
  } else if (value.is_object()) {
    if (value.empty()) out.warnings.push_back({path, "empty object"});
    for (const auto& [k, child] : value.items()) {
      Walk(child, path.empty() ? k : path + "/" + k, schema_path.empty() ? k : schema_path + "/" + k,
           k, out);
    }
  } else if (value.is_array()) {
    if (value.empty()) out.warnings.push_back({path, "empty array"});
    for (size_t i = 0; i < value.size(); ++i) {
      Walk(value[i], path + "[" + std::to_string(i) + "]", schema_path, key, out);
    }
  }
}

void Prefix(std::vector<Finding>& findings, const std::string& prefix,
            std::vector<Finding>& out) {
  for (auto& f : findings) out.push_back({prefix + f.path, std::move(f.reason)});
}

}  // namespace

bool WellFormedOcid(std::string_view ocid) {
  if (ocid.size() < 13 || ocid.substr(0, 5) != "ocds-" || ocid[11] != '-') return false;
  for (size_t i = 5; i < 11; ++i) {
    const char c = ocid[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsDateTime(std::string_view text) {
  // ParseInstant accepts ISO forms with an offset; RFC 3339 also needs the 'T'
  // form with seconds, which it checks.
  return text.size() >= 20 && text[10] == 'T' && domain::ParseInstant(text).ok();
}

ReleaseCheck CheckRelease(const json& release) {
  ReleaseCheck out;
  if (!release.is_object()) {
    out.errors.push_back({"", "a release must be a JSON object"});
    return out;
  }
  auto ocid = release.find("ocid");
  if (ocid == release.end() || !ocid->is_string() || ocid->get_ref<const std::string&>().empty()) {
    out.errors.push_back({"ocid", "missing: every release needs an ocid"});
  } else if (!WellFormedOcid(ocid->get_ref<const std::string&>())) {
    out.errors.push_back(
        {"ocid", "malformed prefix: expected \"ocds-\", 6 lowercase letters or digits, \"-\", "
                 "then the process identifier: \"" +
                     ocid->get<std::string>() + "\""});
  }
  auto id = release.find("id");
  if (id == release.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    out.errors.push_back({"id", "missing: every release needs a non-empty string id"});
  }
  auto date = release.find("date");
  if (date == release.end() || !date->is_string()) {
    out.errors.push_back({"date", "missing: every release needs a date-time"});
  }
  auto tag = release.find("tag");
  bool tag_ok = tag != release.end() && tag->is_array() && !tag->empty();
  if (tag_ok) {
    for (const auto& t : *tag) tag_ok = tag_ok && t.is_string();
  }
  if (!tag_ok) out.errors.push_back({"tag", "missing: every release needs a list of tags"});
  Walk(release, "", "", "", out);
  return out;
}

std::vector<Finding> CheckPackage(const json& package) {
  std::vector<Finding> out;
  if (!package.is_object()) return {{"", "a package must be a JSON object"}};
  for (const auto& [key, value] : package.items()) {
    if (key == "releases" || key == "records") continue;
    ReleaseCheck head;
    Walk(value, key, "", key, head);
    Prefix(head.warnings, "", out);
  }
  if (auto releases = package.find("releases"); releases != package.end()) {
    std::map<std::string, size_t> ids;
    for (size_t i = 0; i < releases->size(); ++i) {
      const json& r = (*releases)[i];
      const std::string prefix = "releases[" + std::to_string(i) + "]/";
      auto check = CheckRelease(r);
      Prefix(check.errors, prefix, out);
      Prefix(check.warnings, prefix, out);
      if (r.is_object() && r.contains("id") && r["id"].is_string()) {
        auto [it, fresh] = ids.emplace(r["id"].get<std::string>(), i);
        if (!fresh) {
          out.push_back({prefix + "id", "release id repeated in the package (first at releases[" +
                                            std::to_string(it->second) + "])"});
        }
      }
    }
  }
  if (auto records = package.find("records"); records != package.end()) {
    std::map<std::string, size_t> ocids;
    for (size_t i = 0; i < records->size(); ++i) {
      const json& rec = (*records)[i];
      const std::string prefix = "records[" + std::to_string(i) + "]/";
      if (!rec.is_object()) {
        out.push_back({prefix, "a record must be a JSON object"});
        continue;
      }
      if (rec.contains("ocid") && rec["ocid"].is_string()) {
        auto [it, fresh] = ocids.emplace(rec["ocid"].get<std::string>(), i);
        if (!fresh) {
          out.push_back({prefix + "ocid", "ocid repeated in the record package (first at records[" +
                                              std::to_string(it->second) + "])"});
        }
      }
      if (auto rs = rec.find("releases"); rs != rec.end() && rs->is_array()) {
        for (size_t j = 0; j < rs->size(); ++j) {
          auto check = CheckRelease((*rs)[j]);
          const std::string p = prefix + "releases[" + std::to_string(j) + "]/";
          Prefix(check.errors, p, out);
          Prefix(check.warnings, p, out);
        }
      }
      if (auto c = rec.find("compiledRelease"); c != rec.end()) {
        auto check = CheckRelease(*c);
        Prefix(check.errors, prefix + "compiledRelease/", out);
        Prefix(check.warnings, prefix + "compiledRelease/", out);
      }
      if (auto v = rec.find("versionedRelease"); v != rec.end()) {
        ReleaseCheck empties;
        Walk(*v, "", "", "", empties);
        Prefix(empties.warnings, prefix + "versionedRelease/", out);
      }
    }
  }
  return out;
}

}  // namespace limpide::formats::ocds
