// A first load: when a data directory has no store yet, an import builds the
// SQLite file under a temporary name with its rollback journal in memory and
// no fsync per commit, then switches it to WAL, syncs it and moves it into
// place (docs/storage.md, "First load"). Each file of the import is still one
// transaction that rolls back whole; a crash leaves only the temporary file,
// which the next first load removes.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace limpide::store {

// Opens a new SQLite store at `loading_path` for a first load, removing a file
// (and its journal) left there by an unfinished one.
Result<std::unique_ptr<Store>> OpenFirstLoad(const std::string& loading_path);

// Switches `store` (from OpenFirstLoad) to WAL mode, closes it, syncs it and
// moves it to `final_path`. failed_precondition when `final_path` exists
// (another process created a store meanwhile): nothing is overwritten and the
// loaded file stays at its temporary name.
Status FinishFirstLoad(std::unique_ptr<Store> store, const std::string& final_path);

}  // namespace limpide::store
