#include "app/ocds_import.h"

#include <functional>
#include <map>
#include <unordered_map>

#include "app/ledger.h"
#include "crypto/crypto.h"
#include "domain/time.h"
#include "formats/ocds/checks.h"
#include "formats/ocds/release.h"
#include "formats/ocds/to_contract.h"

namespace limpide::app {
namespace {

using nlohmann::json;
namespace ocds = formats::ocds;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string ReleaseKey(std::string_view ocid, std::string_view id) {
  return std::string(ocid) + "/" + std::string(id);
}

// Where an item sits in the file, for rejects and warnings.
struct Position {
  int64_t index = 0;  // 1-based rank of the item (release or record)
  int64_t line = 0;
  int64_t column = 0;
  int64_t release = 0;  // 1-based rank of the release inside a record; 0 otherwise
};

// The well-formedness of an extension URL; no network here, so a well-formed
// one is "not checked".
std::string ExtensionStatus(const json& url) {
  if (!url.is_string()) return "broken: not a string";
  const auto& u = url.get_ref<const std::string&>();
  if (u.rfind("https://", 0) != 0 && u.rfind("http://", 0) != 0) {
    return "broken: not an http(s) URL";
  }
  for (unsigned char c : u) {
    if (c <= 0x20 || c >= 0x7F || std::string_view("<>\"{}|\\^`").find(static_cast<char>(c)) !=
                                      std::string_view::npos) {
      return "broken: character '" + std::string(1, static_cast<char>(c)) +
             "' cannot appear in a URL";
    }
  }
  const std::string_view tail = ".json";
  if (u.size() < tail.size() || u.compare(u.size() - tail.size(), tail.size(), tail) != 0) {
    return "broken: an extension URL names its extension.json";
  }
  return "not checked (no network access)";
}

class FileImport {
 public:
  FileImport(store::Store& store, store::WriteTransaction& txn, const std::string& path,
             ocds::InputForm form, FileReport& file, std::vector<std::string>& rejects)
      : store_(store), txn_(txn), path_(path), form_(form), file_(file), rejects_(rejects) {
    const size_t slash = path.find_last_of('/');
    source_ = slash == std::string::npos ? path : path.substr(slash + 1);
  }

  Status Item(ocds::Item&& item) {
    const Position at{item.position, item.line, item.column, 0};
    if (!item.error.empty()) {
      ++file_.counts.read;
      ++file_.counts.rejected;
      Reject(at, "", "", json::array({{{"field", ""}, {"reason", item.error}}}));
      return Status::Ok();
    }
    if (form_ == ocds::InputForm::kRecordPackage) return Record(at, item.value);
    return Release(at, item.value, std::move(item.text));
  }

  void Extensions(const json& package) {
    auto ext = package.find("extensions");
    if (ext == package.end()) return;
    if (!ext->is_array()) {
      file_.Warn("package: extensions is not an array of URLs");
      return;
    }
    for (const auto& url : *ext) {
      file_.extensions.push_back({url.is_string() ? url.get<std::string>() : Dump(url),
                                  ExtensionStatus(url)});
    }
  }

  // Merges every process this file touched and writes its contracts.
  Status Finish() {
    for (auto& [ocid, ids] : added_) LIMPIDE_RETURN_IF_ERROR(Process(ocid, ids));
    return Status::Ok();
  }

 private:
  std::string Where(const Position& at) const {
    std::string w = (form_ == ocds::InputForm::kRecordPackage ? "record " : "release ") +
                    std::to_string(at.index);
    if (at.release > 0) w += " release " + std::to_string(at.release);
    return w + " (line " + std::to_string(at.line) + ")";
  }

  void Reject(const Position& at, const std::string& ocid, const std::string& id, json reasons,
              std::optional<int64_t> duplicate_of = std::nullopt) {
    json j = {{"file", path_}, {"position", at.index}, {"line", at.line}, {"column", at.column}};
    if (at.release > 0) j["release"] = at.release;
    if (!ocid.empty()) j["ocid"] = ocid;
    j["id"] = id;
    if (duplicate_of) j["duplicateOf"] = *duplicate_of;
    j["reasons"] = std::move(reasons);
    rejects_.push_back(Dump(j));
  }

  static std::string Text(const json& j, const char* key) {
    if (!j.is_object()) return {};
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  }

  Status Record(Position at, const json& record) {
    const std::string ocid = Text(record, "ocid");
    auto reject = [&](std::string field, std::string reason) {
      ++file_.counts.read;
      ++file_.counts.rejected;
      Reject(at, ocid, "", json::array({{{"field", field}, {"reason", reason}}}));
      return Status::Ok();
    };
    if (!record.is_object()) return reject("", "a record must be a JSON object");
    if (ocid.empty()) return reject("ocid", "missing: every record needs an ocid");
    if (!ocds::WellFormedOcid(ocid)) {
      return reject("ocid", "malformed prefix: expected \"ocds-\", 6 lowercase letters or "
                            "digits, \"-\", then the process identifier: \"" + ocid + "\"");
    }
    // Unique ocids in a record package.
    if (auto [it, fresh] = record_ocids_.emplace(std::hash<std::string>{}(ocid), at.index);
        !fresh) {
      ++file_.counts.read;
      ++file_.counts.duplicates;
      Reject(at, ocid, "",
             json::array({{{"field", "ocid"},
                           {"reason", "ocid repeated in the record package: record " +
                                          std::to_string(it->second) + " is kept"}}}),
             it->second);
      return Status::Ok();
    }
    int64_t linked = 0, embedded = 0;
    if (auto rs = record.find("releases"); rs != record.end() && rs->is_array()) {
      for (const auto& r : *rs) {
        // A linked release is {url, date, tag}: no id, nothing to merge.
        if (r.is_object() && r.contains("url") && !r.contains("id")) {
          ++linked;
          continue;
        }
        at.release = ++embedded;
        LIMPIDE_RETURN_IF_ERROR(Release(at, r, Dump(r), ocid));
      }
    }
    if (embedded > 0) return Status::Ok();
    auto compiled = record.find("compiledRelease");
    if (compiled == record.end() || !compiled->is_object()) {
      return reject("releases", "the record has no embedded release and no compiledRelease: " +
                                    std::to_string(linked) +
                                    " linked releases cannot be fetched here");
    }
    file_.Warn(Where(at) + ": ocid " + ocid + ": " + std::to_string(linked) +
               " linked releases cannot be fetched here; the record's compiledRelease is "
               "stored as its one release");
    return Release(at, *compiled, Dump(*compiled), ocid);
  }

  // `record_ocid`: the ocid of the record holding the release, which it must carry.
  Status Release(const Position& at, const json& release, std::string text,
                 const std::string& record_ocid = {}) {
    ++file_.counts.read;
    const std::string ocid = Text(release, "ocid");
    const std::string id = Text(release, "id");
    auto check = ocds::CheckRelease(release);
    if (!record_ocid.empty() && !ocid.empty() && ocid != record_ocid) {
      check.errors.push_back({"ocid", "differs from the record's ocid " + record_ocid});
    }
    if (!check.errors.empty()) {
      ++file_.counts.rejected;
      json reasons = json::array();
      for (const auto& e : check.errors) reasons.push_back({{"field", e.path}, {"reason", e.reason}});
      Reject(at, ocid, id, std::move(reasons));
      return Status::Ok();
    }
    const std::string key = ReleaseKey(ocid, id);
    const size_t key_hash = std::hash<std::string>{}(key);
    if (auto [it, fresh] = releases_.emplace(key_hash, at.index); !fresh) {
      // Keeping the first makes a repeated import of the file idempotent.
      ++file_.counts.duplicates;
      Reject(at, ocid, id,
             json::array({{{"field", "id"},
                           {"reason", "same ocid and release id as item " +
                                          std::to_string(it->second) + " of this file, which is kept"}}}),
             it->second);
      return Status::Ok();
    }
    // Release ids are unique in a package (data review), whatever the ocid.
    const size_t id_hash = std::hash<std::string>{}(id);
    if (auto [it, fresh] = release_ids_.emplace(id_hash, at.index); !fresh) {
      file_.Warn(Where(at) + ": release id \"" + id + "\" already used by item " +
                 std::to_string(it->second) + " of this file under another ocid");
    }
    for (const auto& w : check.warnings) {
      file_.Warn(Where(at) + ": " + (w.path.empty() ? "" : w.path + ": ") + w.reason);
    }
    if (!check.warnings.empty()) ++file_.counts.flagged;

    auto stored = txn_.GetObject(kOcdsReleaseKind, key);
    int64_t version = 0;
    if (stored.ok()) {
      if (stored->body == text || json::parse(stored->body, nullptr, false) == release) {
        ++file_.counts.unchanged;
        return Status::Ok();
      }
      version = stored->version;
    } else if (stored.status().code() != ErrorCode::kNotFound) {
      return stored.status();
    }
    auto put = txn_.PutObject(kOcdsReleaseKind, key, text, version);
    if (!put.ok()) return put.status();
    ++(version == 0 ? file_.counts.inserted : file_.counts.updated);
    // What became public goes to the ledger: the release's identity and the
    // hash of its bytes (the ledger holds integers only, the release has amounts).
    const json body = {{"ocid", ocid},
                       {"releaseId", id},
                       {"sha256", crypto::ToHex(crypto::Sha256(text))},
                       {"source", source_}};
    auto seq = txn_.AppendToLedger(
        {version == 0 ? "ocds.release.created" : "ocds.release.updated", key, Dump(body)});
    if (!seq.ok()) return seq.status();
    auto& ids = added_[ocid];
    if (version == 0) ids.push_back(id);
    return Status::Ok();
  }

  Status Process(const std::string& ocid, const std::vector<std::string>& new_ids) {
    auto stored = txn_.GetObject(kOcdsProcessKind, ocid);
    json process = {{"ocid", ocid}, {"releases", json::array()}, {"contracts", json::array()}};
    int64_t version = 0;
    if (stored.ok()) {
      process = json::parse(stored->body);
      version = stored->version;
    } else if (stored.status().code() != ErrorCode::kNotFound) {
      return stored.status();
    }
    for (const auto& id : new_ids) process["releases"].push_back(id);

    std::vector<json> releases;
    std::map<int64_t, std::string> dates;  // instant -> release id
    for (const auto& id : process["releases"]) {
      auto r = txn_.GetObject(kOcdsReleaseKind, ReleaseKey(ocid, id.get<std::string>()));
      if (!r.ok()) return r.status();
      releases.push_back(json::parse(r->body));
      const std::string date = releases.back().value("date", "");
      if (auto t = domain::ParseInstant(date); t.ok()) {
        auto [it, fresh] = dates.emplace(t->micros, id.get<std::string>());
        if (!fresh) {
          file_.Warn("ocid " + ocid + ": releases \"" + it->second + "\" and \"" +
                     id.get<std::string>() + "\" have the same date " + date +
                     ": dates must increase strictly; they merge in the order of import");
        }
      }
    }
    auto compiled = ocds::EmbeddedMerger().Compile(releases);
    if (!compiled.ok()) {
      file_.Warn("ocid " + ocid + ": releases stored, not merged: " + compiled.status().message());
    } else {
      json uids = json::array();
      for (auto& mapped : ocds::ContractsFromCompiled(*compiled, source_)) {
        const domain::Contract& c = mapped.contract;
        for (const auto& u : mapped.unmapped) {
          file_.Warn("ocid " + ocid + ": contract " + c.id + ": " + u.path + ": " + u.reason);
        }
        uids.push_back(c.uid);
        LIMPIDE_RETURN_IF_ERROR(WriteContract(mapped));
        LIMPIDE_RETURN_IF_ERROR(AddContractSource(
            txn_, c.uid, {{"source", source_}, {"format", ocds::InputFormName(form_)}, {"ocid", ocid}}));
      }
      process["contracts"] = std::move(uids);
    }
    auto put = txn_.PutObject(kOcdsProcessKind, ocid, Dump(process), version);
    return put.ok() ? Status::Ok() : put.status();
  }

  Status WriteContract(const ocds::MappedContract& mapped) {
    const domain::Contract& c = mapped.contract;
    if (mapped.decp_identity) {
      // The same contract as a DECP record: a stored DECP contract is richer
      // than what OCDS maps back, so it stays as it is; this file is listed
      // among its sources.
      auto existing = store_.GetContract(c.uid);
      if (existing.ok()) {
        ++file_.contracts_unchanged;
        return Status::Ok();
      }
      if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
    }
    auto outcome = txn_.UpsertContract(c);
    if (!outcome.ok()) return outcome.status();
    if (*outcome == store::UpsertOutcome::kUnchanged) {
      ++file_.contracts_unchanged;
      return Status::Ok();
    }
    ++file_.contracts_written;
    auto seq = txn_.AppendToLedger(ContractEvent(c, *outcome));
    return seq.ok() ? Status::Ok() : seq.status();
  }

  store::Store& store_;
  store::WriteTransaction& txn_;
  const std::string& path_;
  std::string source_;
  ocds::InputForm form_;
  FileReport& file_;
  std::vector<std::string>& rejects_;
  // Hashes of what this file holds (64 bits: no string kept per release, so
  // the memory stays small on big files) -> 1-based item rank.
  std::unordered_map<size_t, int64_t> releases_;     // ocid + "/" + release id
  std::unordered_map<size_t, int64_t> release_ids_;  // release id
  std::unordered_map<size_t, int64_t> record_ocids_;
  // ocid -> ids of the releases this file added, in file order.
  std::map<std::string, std::vector<std::string>> added_;
};

}  // namespace

Status ImportOcdsFile(store::Store& store, const std::string& path, std::istream& in,
                      ocds::InputForm form, FileReport& file, std::vector<std::string>& rejects) {
  file.format = std::string(ocds::InputFormName(form));
  auto txn = store.BeginWrite();
  if (!txn.ok()) return txn.status();
  FileImport import(store, **txn, path, form, file, rejects);
  Status store_error;
  json package;
  const size_t slash = path.find_last_of('/');
  const std::string source = slash == std::string::npos ? path : path.substr(slash + 1);
  Status read = ocds::ReadOcds(in, form, source, [&](ocds::Item&& item) {
    store_error = import.Item(std::move(item));
    // A store failure stops the reading; it is returned below.
    return store_error.ok() ? Status::Ok() : Status::Internal("store failed");
  }, &package);
  if (!store_error.ok()) return store_error;
  if (!read.ok()) {
    file.error = read.message();
    rejects.clear();
    return Status::Ok();  // the transaction rolls back
  }
  import.Extensions(package);
  LIMPIDE_RETURN_IF_ERROR(import.Finish());
  return (*txn)->Commit();
}

Status AddContractSource(store::WriteTransaction& txn, const std::string& uid,
                         const json& entry) {
  auto stored = txn.GetObject(kContractSourcesKind, uid);
  json body = {{"uid", uid}, {"sources", json::array()}};
  int64_t version = 0;
  if (stored.ok()) {
    json parsed = json::parse(stored->body, nullptr, false);
    if (parsed.is_object() && parsed["sources"].is_array()) body = std::move(parsed);
    version = stored->version;
    for (const auto& s : body["sources"]) {
      if (s == entry) return Status::Ok();
    }
  } else if (stored.status().code() != ErrorCode::kNotFound) {
    return stored.status();
  }
  body["sources"].push_back(entry);
  auto put = txn.PutObject(kContractSourcesKind, uid, Dump(body), version);
  return put.ok() ? Status::Ok() : put.status();
}

Result<std::vector<json>> StoredReleases(store::Store& store, std::string_view ocid) {
  auto process = store.GetObject(kOcdsProcessKind, ocid);
  if (!process.ok()) return process.status();
  json body = json::parse(process->body, nullptr, false);
  if (!body.is_object() || !body["releases"].is_array()) {
    return Status::Internal("stored OCDS process " + std::string(ocid) + " is not readable");
  }
  std::vector<json> out;
  for (const auto& id : body["releases"]) {
    auto r = store.GetObject(kOcdsReleaseKind, ReleaseKey(ocid, id.get<std::string>()));
    if (!r.ok()) return r.status();
    out.push_back(json::parse(r->body));
  }
  return out;
}

std::string ContractSources(const domain::Contract& c,
                            const std::optional<store::StoredObject>& stored) {
  // Most contracts come from one source and have no stored list: their list
  // is written without building a JSON tree (this runs on every
  // GET /api/v1/contracts/{uid}).
  if (!stored) {
    if (c.source.empty()) return "[]";
    return "[{\"source\":" + Dump(c.source) + "}]";
  }
  json sources = json::array();
  json body = json::parse(stored->body, nullptr, false);
  if (body.is_object() && body["sources"].is_array()) sources = std::move(body["sources"]);
  bool named = c.source.empty();
  for (const auto& s : sources) named = named || (s.is_object() && s.value("source", "") == c.source);
  if (!named) sources.insert(sources.begin(), json{{"source", c.source}});
  return Dump(sources);
}

}  // namespace limpide::app
