#include "app/ledger.h"

#include <chrono>
#include <stdexcept>

#include "formats/contract_json.h"
#include "ledger/merkle.h"
#include "ledger/proof_json.h"

namespace limpide::app {
namespace {

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Cursor: hex of the position (8 bytes, big-endian) and the first 8 bytes of
// the leaf hash of the entry just before it (zeros at position 0). A cursor
// whose position was changed no longer matches the ledger.
std::string EncodeCursor(uint64_t position, const crypto::Hash& previous_leaf) {
  uint8_t bytes[16];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(position >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) bytes[8 + i] = previous_leaf[i];
  return crypto::ToHex(bytes);
}

Status BadCursor(std::string why) {
  return Status::InvalidArgument("invalid cursor: " + std::move(why) +
                                     "; use the `next` value of a previous page, or omit `after`",
                                 "after");
}

}  // namespace

store::LedgerAppend ContractEvent(const domain::Contract& c, store::UpsertOutcome outcome) {
  return ContractEvent(c, outcome, formats::ContractLedgerText(c));
}

store::LedgerAppend ContractEvent(const domain::Contract& c, store::UpsertOutcome outcome,
                                  std::string ledger_text) {
  return {outcome == store::UpsertOutcome::kInserted ? "contract.created" : "contract.updated",
          c.uid, std::move(ledger_text)};
}

Result<int64_t> BackfillLedger(store::Store& store) {
  auto size = store.LedgerSize();
  if (!size.ok()) return size.status();
  if (*size > 0) return int64_t{0};
  auto txn = store.BeginWrite();
  if (!txn.ok()) return txn.status();
  int64_t appended = 0;
  store::PageRequest page{.after = "", .limit = 1000};
  for (;;) {
    auto contracts = store.ListContracts({}, page);
    if (!contracts.ok()) return contracts.status();
    for (const auto& c : contracts->items) {
      auto seq = (*txn)->AppendToLedger(ContractEvent(c, store::UpsertOutcome::kInserted));
      if (!seq.ok()) return seq.status();
      ++appended;
    }
    if (contracts->next.empty()) break;
    page.after = contracts->next;
  }
  if (appended == 0) return int64_t{0};  // rolls back: nothing was written
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return appended;
}

LedgerService::LedgerService(store::Store& store, crypto::SigningKey key)
    : store_(store), key_(key) {}

crypto::Hash LedgerService::key_id() const { return crypto::KeyId(key_.public_key); }

ledger::NodeReader LedgerService::Reader() const {
  store::Store* s = &store_;
  return [s](const std::vector<ledger::NodeId>& ids) { return s->LedgerNodes(ids); };
}

Result<crypto::Hash> LedgerService::Root(uint64_t size) { return ledger::RootHash(size, Reader()); }

Result<ledger::TreeHead> LedgerService::Head() {
  auto size = store_.LedgerSize();
  if (!size.ok()) return size.status();
  {
    std::lock_guard<std::mutex> lock(head_mu_);
    if (head_ && head_->size == *size) return *head_;
  }
  auto root = Root(*size);
  if (!root.ok()) return root.status();
  ledger::TreeHead head = ledger::SignTreeHead(*size, *root, NowMillis(), key_);
  std::lock_guard<std::mutex> lock(head_mu_);
  // Another thread may have signed a larger head meanwhile: heads only grow.
  if (!head_ || head_->size < head.size) head_ = head;
  return *head_;
}

Result<std::vector<store::LedgerRecord>> LedgerService::Entries(uint64_t start, uint64_t end) {
  auto size = store_.LedgerSize();
  if (!size.ok()) return size.status();
  if (start > end) {
    return Status::InvalidArgument(
        "start (" + std::to_string(start) + ") is after end (" + std::to_string(end) + ")",
        "start");
  }
  if (end > *size) {
    return Status::InvalidArgument("end (" + std::to_string(end) +
                                       ") is beyond the ledger, which holds " +
                                       std::to_string(*size) + " entries",
                                   "end");
  }
  if (end - start > kMaxLedgerPage) {
    return Status::InvalidArgument(
        "at most " + std::to_string(kMaxLedgerPage) + " entries per request", "end");
  }
  return store_.LedgerEntries(start, end);
}

Result<LedgerService::Inclusion> LedgerService::InclusionProof(uint64_t index, uint64_t size) {
  auto current = store_.LedgerSize();
  if (!current.ok()) return current.status();
  if (size == 0) size = *current;
  if (size > *current) {
    return Status::InvalidArgument("tree_size " + std::to_string(size) +
                                       " is beyond the ledger, which holds " +
                                       std::to_string(*current) + " entries",
                                   "tree_size");
  }
  if (index >= size) {
    return Status::InvalidArgument(
        "leaf_index " + std::to_string(index) + " is not below tree_size " + std::to_string(size),
        "leaf_index");
  }
  Inclusion out;
  out.index = index;
  out.size = size;
  auto leaf = store_.LedgerNodes({ledger::NodeId{0, index}});
  if (!leaf.ok()) return leaf.status();
  out.leaf_hash = leaf->at(0);
  auto path = ledger::InclusionProof(index, size, Reader());
  if (!path.ok()) return path.status();
  out.path = std::move(*path);
  return out;
}

Result<std::vector<crypto::Hash>> LedgerService::ConsistencyProof(uint64_t first, uint64_t second) {
  auto current = store_.LedgerSize();
  if (!current.ok()) return current.status();
  if (second > *current) {
    return Status::InvalidArgument("second (" + std::to_string(second) +
                                       ") is beyond the ledger, which holds " +
                                       std::to_string(*current) + " entries",
                                   "second");
  }
  if (first == 0 || first > second) {
    return Status::InvalidArgument("first must be between 1 and second (" + std::to_string(second) +
                                       "), got " + std::to_string(first),
                                   "first");
  }
  return ledger::ConsistencyProof(first, second, Reader());
}

std::function<bool(std::string&)> LedgerService::Dump(uint64_t size) {
  struct State {
    uint64_t next = 0;
    ledger::Frontier frontier;
  };
  auto state = std::make_shared<State>();
  store::Store* s = &store_;
  return [s, state, size](std::string& out) {
    if (state->next >= size) return false;
    const uint64_t end = std::min<uint64_t>(size, state->next + 500);
    auto records = s->LedgerEntries(state->next, end);
    if (!records.ok()) throw std::runtime_error(records.status().ToString());
    if (records->size() != end - state->next) throw std::runtime_error("ledger entries missing");
    for (const auto& r : *records) {
      state->frontier.Append(r.leaf_hash, nullptr);
      // The stored bytes are canonical JSON already: they go in verbatim.
      out += ledger::DumpLine(r.entry, r.leaf_hash, state->frontier.Root());
      out += '\n';
    }
    state->next = end;
    return state->next < size;
  };
}

Result<std::string> LedgerService::CursorAt(uint64_t position) {
  crypto::Hash previous{};
  if (position > 0) {
    auto leaf = store_.LedgerNodes({ledger::NodeId{0, position - 1}});
    if (!leaf.ok()) return leaf.status();
    previous = leaf->at(0);
  }
  return EncodeCursor(position, previous);
}

Result<uint64_t> LedgerService::PositionOf(std::string_view cursor) {
  if (cursor.empty()) return uint64_t{0};
  if (cursor.size() != 32) return BadCursor("expected 32 hexadecimal digits");
  uint8_t bytes[16];
  for (size_t i = 0; i < 16; ++i) {
    int v = 0;
    for (size_t k = 0; k < 2; ++k) {
      const char c = cursor[2 * i + k];
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else {
        return BadCursor("expected 32 hexadecimal digits");
      }
      v = v * 16 + d;
    }
    bytes[i] = static_cast<uint8_t>(v);
  }
  uint64_t position = 0;
  for (int i = 0; i < 8; ++i) position = (position << 8) | bytes[i];
  auto size = store_.LedgerSize();
  if (!size.ok()) return size.status();
  if (position > *size) return BadCursor("it points beyond the end of the ledger");
  auto expected = CursorAt(position);
  if (!expected.ok()) return expected.status();
  if (*expected != cursor) return BadCursor("it does not match this ledger");
  return position;
}

Result<FeedPage> LedgerService::Feed(std::string_view cursor, int limit) {
  if (limit < 1 || static_cast<uint64_t>(limit) > kMaxLedgerPage) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxLedgerPage),
                                   "limit");
  }
  auto position = PositionOf(cursor);
  if (!position.ok()) return position.status();
  FeedPage page;
  auto size = store_.LedgerSize();
  if (!size.ok()) return size.status();
  page.head = *size;
  // Entries are committed whole transactions at a time with dense positions,
  // so reading up to the size seen above can neither skip nor repeat one.
  auto items = store_.LedgerEntries(*position, std::min<uint64_t>(*size, *position + limit));
  if (!items.ok()) return items.status();
  page.items = std::move(*items);
  page.position = *position + page.items.size();
  if (page.items.empty()) {
    page.next = std::string(cursor.empty() ? EncodeCursor(0, crypto::Hash{}) : cursor);
  } else {
    page.next = EncodeCursor(page.position, page.items.back().leaf_hash);
  }
  return page;
}

// ---- LedgerWatcher ----------------------------------------------------------

LedgerWatcher::LedgerWatcher(store::Store& store, std::chrono::milliseconds poll)
    : store_(store), poll_(poll), thread_([this] { Run(); }) {}

LedgerWatcher::~LedgerWatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    waiters_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LedgerWatcher::Wait(uint64_t position, std::chrono::steady_clock::time_point deadline,
                         std::function<void()> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stop_) {
      waiters_.push_back({position, deadline, std::move(done)});
      poked_ = true;  // check the size at once: it may have grown already
      cv_.notify_all();
      return;
    }
  }
  done();
}

void LedgerWatcher::Listen(std::function<void(uint64_t size)> listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.push_back(std::move(listener));
  last_size_.reset();  // the new listener hears the current size at the next check
  poked_ = true;
  cv_.notify_all();
}

void LedgerWatcher::Poke() {
  std::lock_guard<std::mutex> lock(mu_);
  poked_ = true;
  cv_.notify_all();
}

void LedgerWatcher::Stop() {
  std::list<Waiter> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    pending.swap(waiters_);
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  for (auto& w : pending) w.done();
}

void LedgerWatcher::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, poll_, [this] { return stop_ || poked_; });
    if (stop_) break;
    poked_ = false;
    if (waiters_.empty() && listeners_.empty()) continue;
    lock.unlock();
    auto size = store_.LedgerSize();
    const auto now = std::chrono::steady_clock::now();
    lock.lock();
    if (size.ok() && (!last_size_ || *size > *last_size_) && !listeners_.empty()) {
      // Listeners are only added, never removed: calling a copy of the list
      // without the lock is safe.
      last_size_ = *size;
      const auto listeners = listeners_;
      lock.unlock();
      for (const auto& listener : listeners) listener(*size);
      lock.lock();
    }
    std::list<Waiter> ready;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      // A store error wakes everyone: their handlers report it.
      if (!size.ok() || *size > it->position || it->deadline <= now) {
        auto next = std::next(it);
        ready.splice(ready.end(), waiters_, it);
        it = next;
      } else {
        ++it;
      }
    }
    lock.unlock();
    for (auto& w : ready) w.done();
    lock.lock();
  }
}

}  // namespace limpide::app
