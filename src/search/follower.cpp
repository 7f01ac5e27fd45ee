#include "search/follower.h"

#include <algorithm>

namespace limpide::search {

Follower::Follower(store::Store& store, Index& index, FollowerOptions options)
    : store_(store), index_(index), options_(std::move(options)) {}

Follower::~Follower() { Stop(); }

Result<uint64_t> Follower::CatchUp(uint64_t max_entries) {
  auto position = index_.Position();
  if (!position.ok()) return position.status();
  auto size = store_.LedgerSize();
  if (!size.ok()) return size.status();
  const uint64_t batch = std::max<uint64_t>(1, options_.batch);
  uint64_t pos = *position;
  const uint64_t end = max_entries >= *size - std::min(pos, *size) ? *size : pos + max_entries;
  while (pos < end) {
    {
      std::lock_guard lock(mu_);
      if (stop_) break;
    }
    auto records = store_.LedgerEntries(pos, std::min(end, pos + batch));
    if (!records.ok()) return records.status();
    if (records->empty()) break;  // the ledger is shorter than it said: nothing to do
    LIMPIDE_RETURN_IF_ERROR(index_.Apply(*records));
    pos = records->back().seq + 1;
    if (options_.progress) options_.progress(pos, *size);
  }
  return pos;
}

void Follower::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Follower::Poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void Follower::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Follower::Run() {
  for (;;) {
    auto reached = CatchUp();
    std::chrono::milliseconds pause = options_.poll;
    if (!reached.ok()) {
      if (options_.on_error) options_.on_error(reached.status());
      pause = std::max(pause, std::chrono::milliseconds(2000));  // do not spin on a failing store
    }
    std::unique_lock lock(mu_);
    const auto woken = [this] { return stop_ || poked_; };
    if (pause.count() > 0) {
      cv_.wait_for(lock, pause, woken);
    } else {
      cv_.wait(lock, woken);
    }
    if (stop_) return;
    poked_ = false;
  }
}

}  // namespace limpide::search
