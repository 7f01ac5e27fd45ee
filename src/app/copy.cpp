#include "app/copy.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "ledger/merkle.h"

namespace limpide::app {
namespace {

// Rows per page read from the source.
constexpr int kPage = 1000;

nlohmann::ordered_json InventoryJson(const store::Inventory& inv) {
  nlohmann::ordered_json objects = nlohmann::ordered_json::object();
  for (const auto& [kind, n] : inv.objects) objects[kind] = n;
  return {{"contracts", inv.contracts},         {"organizations", inv.organizations},
          {"ledger_entries", inv.ledger_entries}, {"ledger_nodes", inv.ledger_nodes},
          {"blobs", inv.blobs},                 {"blob_bytes", inv.blob_bytes},
          {"objects", std::move(objects)}};
}

bool SameCounts(const store::Inventory& a, const store::Inventory& b) {
  return a.contracts == b.contracts && a.organizations == b.organizations &&
         a.ledger_entries == b.ledger_entries && a.ledger_nodes == b.ledger_nodes &&
         a.blobs == b.blobs && a.blob_bytes == b.blob_bytes && a.objects == b.objects;
}

Result<crypto::Hash> RootOf(store::Store& s, uint64_t size) {
  return ledger::RootHash(size, [&s](const std::vector<ledger::NodeId>& ids) {
    return s.LedgerNodes(ids);
  });
}

class Copier {
 public:
  Copier(store::Store& from, store::WriteTransaction& to, const CopyOptions& options)
      : from_(from), to_(to), options_(options) {}

  Status Contracts() {
    store::PageRequest page{"", kPage};
    int64_t done = 0;
    for (;;) {
      auto got = from_.ListContracts({}, page);
      if (!got.ok()) return got.status();
      for (const auto& c : got->items) {
        auto r = to_.UpsertContract(c);
        if (!r.ok()) return Named("contract " + c.uid, r.status());
      }
      done += static_cast<int64_t>(got->items.size());
      Progress("contracts", done);
      if (got->next.empty()) return Status::Ok();
      page.after = std::move(got->next);
    }
  }

  // After the contracts, which created the rows: the names as the source has
  // them (a name depends on the order the contracts arrived in).
  Status Organizations() {
    store::PageRequest page{"", kPage};
    int64_t done = 0;
    for (;;) {
      auto got = from_.ListOrganizations(page);
      if (!got.ok()) return got.status();
      for (const auto& org : got->items) {
        LIMPIDE_RETURN_IF_ERROR(Named("organization " + org.id, to_.CopyOrganizationName(org)));
      }
      done += static_cast<int64_t>(got->items.size());
      Progress("organizations", done);
      if (got->next.empty()) return Status::Ok();
      page.after = std::move(got->next);
    }
  }

  Status Ledger(uint64_t size) {
    for (uint64_t start = 0; start < size; start += kPage) {
      auto got = from_.LedgerEntries(start, std::min<uint64_t>(size, start + kPage));
      if (!got.ok()) return got.status();
      for (const auto& r : *got) LIMPIDE_RETURN_IF_ERROR(to_.CopyLedgerEntry(r));
      Progress("ledger entries", static_cast<int64_t>(start + got->size()));
    }
    return Status::Ok();
  }

  Status Objects(const std::vector<std::pair<std::string, int64_t>>& kinds) {
    int64_t done = 0;
    for (const auto& [kind, count] : kinds) {
      store::PageRequest page{"", kPage};
      for (;;) {
        auto got = from_.ListObjects(kind, "", page);
        if (!got.ok()) return got.status();
        for (const auto& o : got->items) LIMPIDE_RETURN_IF_ERROR(to_.CopyObject(o));
        done += static_cast<int64_t>(got->items.size());
        Progress("objects", done);
        if (got->next.empty()) break;
        page.after = std::move(got->next);
      }
    }
    return Status::Ok();
  }

  Status Blobs() {
    std::optional<crypto::Hash> after;
    int64_t done = 0;
    for (;;) {
      // Blobs may be large: a small page.
      auto hashes = from_.ListBlobs(after, 64);
      if (!hashes.ok()) return hashes.status();
      if (hashes->empty()) return Status::Ok();
      for (const auto& h : *hashes) {
        auto bytes = from_.GetBlob(h);
        if (!bytes.ok()) return bytes.status();
        auto stored = to_.PutBlob(*bytes);
        if (!stored.ok()) return stored.status();
        if (*stored != h) {
          return Status::FailedPrecondition("blob " + crypto::ToHex(h) +
                                            " in the source does not hash to its name");
        }
      }
      done += static_cast<int64_t>(hashes->size());
      Progress("blobs", done);
      after = hashes->back();
    }
  }

 private:
  static Status Named(const std::string& what, const Status& st) {
    if (st.ok()) return st;
    return Status(st.code(), what + ": " + st.message(), st.field());
  }
  void Progress(std::string_view what, int64_t done) {
    if (options_.progress) options_.progress(what, done);
  }

  store::Store& from_;
  store::WriteTransaction& to_;
  const CopyOptions& options_;
};

}  // namespace

bool IsEmpty(const store::Inventory& inv) {
  return inv.contracts == 0 && inv.organizations == 0 && inv.ledger_entries == 0 &&
         inv.ledger_nodes == 0 && inv.blobs == 0 && inv.objects.empty();
}

Result<CopyReport> CopyStore(store::Store& from, store::Store& to, const CopyOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto before = to.Count();
  if (!before.ok()) return before.status();
  if (!IsEmpty(*before)) {
    return Status::FailedPrecondition(
        "the destination is not empty (" + std::to_string(before->contracts) + " contracts, " +
        std::to_string(before->ledger_entries) + " ledger entries, " +
        std::to_string(before->objects.size()) +
        " kinds of objects): copy only into a new, empty store");
  }
  auto source = from.Count();
  if (!source.ok()) return source.status();
  {
    auto txn = to.BeginWrite();
    if (!txn.ok()) return txn.status();
    Copier copier(from, **txn, options);
    LIMPIDE_RETURN_IF_ERROR(copier.Contracts());
    LIMPIDE_RETURN_IF_ERROR(copier.Organizations());
    LIMPIDE_RETURN_IF_ERROR(copier.Ledger(static_cast<uint64_t>(source->ledger_entries)));
    LIMPIDE_RETURN_IF_ERROR(copier.Objects(source->objects));
    LIMPIDE_RETURN_IF_ERROR(copier.Blobs());
    LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  }

  CopyReport report;
  auto after_source = from.Count();
  if (!after_source.ok()) return after_source.status();
  auto after_dest = to.Count();
  if (!after_dest.ok()) return after_dest.status();
  report.source = std::move(*after_source);
  report.destination = std::move(*after_dest);
  report.tree_size = static_cast<uint64_t>(report.source.ledger_entries);
  auto source_root = RootOf(from, report.tree_size);
  if (!source_root.ok()) return source_root.status();
  auto dest_root = RootOf(to, report.tree_size);
  if (!dest_root.ok()) return dest_root.status();
  report.source_root = *source_root;
  report.destination_root = *dest_root;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!SameCounts(*source, report.source)) {
    return Status::FailedPrecondition(
        "the source changed during the copy (stop its servers first); the destination now "
        "holds a copy of it that may be incomplete: " +
        InventoryJson(*source).dump() + " then " + InventoryJson(report.source).dump());
  }
  if (!SameCounts(report.source, report.destination)) {
    return Status::Internal("counts differ after the copy: source " +
                            InventoryJson(report.source).dump() + ", destination " +
                            InventoryJson(report.destination).dump());
  }
  if (report.source_root != report.destination_root) {
    return Status::Internal("ledger roots differ after the copy: source " +
                            crypto::ToHex(report.source_root) + ", destination " +
                            crypto::ToHex(report.destination_root));
  }
  return report;
}

std::string CopyReportJson(const CopyReport& r) {
  nlohmann::ordered_json j = {{"source", InventoryJson(r.source)},
                              {"destination", InventoryJson(r.destination)},
                              {"tree_size", r.tree_size},
                              {"source_root", crypto::ToHex(r.source_root)},
                              {"destination_root", crypto::ToHex(r.destination_root)},
                              {"seconds", r.seconds}};
  return j.dump();
}

std::string CopyReportText(const CopyReport& r) {
  std::string out;
  const auto line = [&out](const std::string& what, int64_t a, int64_t b) {
    out += "  " + what + ": " + std::to_string(a) + (a == b ? "" : " (destination: " +
                                                                        std::to_string(b) + ")") +
           "\n";
  };
  out += "copied in " + std::to_string(static_cast<int64_t>(r.seconds * 1000)) + " ms:\n";
  line("contracts", r.source.contracts, r.destination.contracts);
  line("organizations", r.source.organizations, r.destination.organizations);
  line("ledger entries", r.source.ledger_entries, r.destination.ledger_entries);
  line("ledger subtrees", r.source.ledger_nodes, r.destination.ledger_nodes);
  line("blobs", r.source.blobs, r.destination.blobs);
  line("blob bytes", r.source.blob_bytes, r.destination.blob_bytes);
  for (const auto& [kind, n] : r.source.objects) line("objects " + kind, n, n);
  out += "ledger root at size " + std::to_string(r.tree_size) + ": " +
         crypto::ToHex(r.destination_root) +
         (r.source_root == r.destination_root ? " (same on both sides)\n" : " (DIFFERS)\n");
  return out;
}

}  // namespace limpide::app
