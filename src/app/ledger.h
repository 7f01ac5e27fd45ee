// The transparency ledger as the API, the web pages and the CLI see it:
// signed tree heads, entries, proofs, full dumps and the change feed
// (docs/ledger.md, docs/sync.md). The store keeps the entries and subtree
// hashes; ledger/ does the hashing; this service signs and shapes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/result.h"
#include "crypto/crypto.h"
#include "ledger/tree_head.h"
#include "store/store.h"

namespace limpide::app {

// The ledger entry of a contract that was inserted or updated: kind
// "contract.created" / "contract.updated", subject its uid, body the API form
// of the contract with amounts as decimal strings (canonical JSON has integers
// only; docs/ledger.md).
store::LedgerAppend ContractEvent(const domain::Contract& c, store::UpsertOutcome outcome);
// The same with the body already written by formats::ContractLedgerText(c)
// (the importer writes it on its reader thread).
store::LedgerAppend ContractEvent(const domain::Contract& c, store::UpsertOutcome outcome,
                                  std::string ledger_text);

// Stores created before the ledger existed (schema version < 3) hold
// contracts with no ledger entry: appends a "contract.created" entry for each,
// in one transaction, when the ledger is empty and contracts are not. Returns
// the number of entries appended (0 when there was nothing to do).
Result<int64_t> BackfillLedger(store::Store& store);

// The most entries one request returns.
inline constexpr uint64_t kMaxLedgerPage = 1000;

struct FeedPage {
  std::vector<store::LedgerRecord> items;
  uint64_t position = 0;  // entries consumed after this page
  std::string next;       // cursor for `after` on the next call
  uint64_t head = 0;      // ledger size when the page was read
};

class LedgerService {
 public:
  LedgerService(store::Store& store, crypto::SigningKey key);

  // The latest signed tree head (re-signed only when the size changed).
  Result<ledger::TreeHead> Head();
  const crypto::SigningKey& key() const { return key_; }
  crypto::Hash key_id() const;

  // Entries [start, end); invalid_argument beyond the ledger or for more than
  // kMaxLedgerPage entries.
  Result<std::vector<store::LedgerRecord>> Entries(uint64_t start, uint64_t end);
  // Audit path of entry `index` in the tree of `size` entries (size 0 = the
  // current size). invalid_argument (field leaf_index / tree_size) out of range.
  struct Inclusion {
    uint64_t index = 0, size = 0;
    crypto::Hash leaf_hash{};
    std::vector<crypto::Hash> path;
  };
  Result<Inclusion> InclusionProof(uint64_t index, uint64_t size);
  Result<std::vector<crypto::Hash>> ConsistencyProof(uint64_t first, uint64_t second);
  Result<crypto::Hash> Root(uint64_t size);

  // A JSON Lines dump of the first `size` entries, one
  // {"entry":…,"leaf_hash":…,"tree_root":…} per line, with the
  // Response::stream contract (throws std::runtime_error on store failure).
  std::function<bool(std::string&)> Dump(uint64_t size);

  // Change feed: the entries after `cursor` ("" = from the start), at most
  // `limit` (1..kMaxLedgerPage). invalid_argument (field "after") for a
  // cursor that was not produced by this ledger.
  Result<FeedPage> Feed(std::string_view cursor, int limit);
  // The cursor of position `position` (the number of entries consumed).
  Result<std::string> CursorAt(uint64_t position);
  Result<uint64_t> PositionOf(std::string_view cursor);

  store::Store& store() const { return store_; }

 private:
  ledger::NodeReader Reader() const;

  store::Store& store_;
  const crypto::SigningKey key_;
  std::mutex head_mu_;
  std::optional<ledger::TreeHead> head_;
};

// Wakes long-poll waiters and projections (the search follower) when the
// ledger grows. A background thread checks the ledger size every `poll`
// while someone waits or listens (writes may come from another process: an
// import, another node); Poke() checks at once after a local write.
class LedgerWatcher {
 public:
  LedgerWatcher(store::Store& store, std::chrono::milliseconds poll);
  ~LedgerWatcher();  // drops waiters without calling them
  LedgerWatcher(const LedgerWatcher&) = delete;
  LedgerWatcher& operator=(const LedgerWatcher&) = delete;

  // Calls `done` once, on the watcher's thread, when the ledger holds more
  // than `position` entries or at `deadline`, whichever comes first.
  void Wait(uint64_t position, std::chrono::steady_clock::time_point deadline,
            std::function<void()> done);
  // Calls `listener(size)` on the watcher's thread each time it sees the
  // ledger larger than at its previous check (and at the first check). The
  // listener must be quick (poke a thread of its own) and outlive Stop().
  void Listen(std::function<void(uint64_t size)> listener);
  void Poke();
  // Stops the thread; pending waiters are called now.
  void Stop();

 private:
  struct Waiter {
    uint64_t position;
    std::chrono::steady_clock::time_point deadline;
    std::function<void()> done;
  };
  void Run();

  store::Store& store_;
  const std::chrono::milliseconds poll_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::list<Waiter> waiters_;
  std::vector<std::function<void(uint64_t)>> listeners_;
  std::optional<uint64_t> last_size_;  // at the last check that called the listeners
  bool stop_ = false;
  bool poked_ = false;
  std::thread thread_;
};

}  // namespace limpide::app
