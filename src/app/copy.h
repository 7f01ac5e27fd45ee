// Copying a whole platform from one store to another (limpide copy; SQLite to
// PostgreSQL and back): contracts, organizations, the ledger entries as they
// are (so that the tree head is the same), versioned objects (accounts,
// tokens, sessions, consultations, deposits…) and blobs. docs/storage.md,
// "Moving a platform".
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/crypto.h"
#include "store/store.h"

namespace limpide::app {

struct CopyReport {
  store::Inventory source;       // counted after the copy
  store::Inventory destination;  // counted after the commit
  uint64_t tree_size = 0;
  crypto::Hash source_root{};
  crypto::Hash destination_root{};
  double seconds = 0;
};

struct CopyOptions {
  // Called now and then with what is being copied ("contracts", …) and how
  // many of them so far.
  std::function<void(std::string_view what, int64_t done)> progress;
};

// Copies everything `from` holds into `to`, in one write transaction of `to`:
// a copy that fails leaves `to` as it was. failed_precondition when `to` holds
// anything already (contracts, organizations, ledger entries, objects or
// blobs), or when the counts or the ledger roots differ after the copy (the
// source was written meanwhile: stop its servers first); the errors of either
// store otherwise. `from` is only read.
Result<CopyReport> CopyStore(store::Store& from, store::Store& to, const CopyOptions& options = {});

// True when the inventory holds no row at all.
bool IsEmpty(const store::Inventory& inv);

// The report as JSON: {"source": {counts}, "destination": {counts},
// "tree_size", "source_root", "destination_root" (hex), "seconds"}.
std::string CopyReportJson(const CopyReport& r);
// The report as lines of text for a terminal.
std::string CopyReportText(const CopyReport& r);

}  // namespace limpide::app
