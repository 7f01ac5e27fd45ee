#include "app/scheduler.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "crypto/crypto.h"

namespace limpide::app {

std::string DefaultLeaseHolder() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  // A random suffix tells apart a restarted process that got the same pid.
  return std::string(host[0] ? host : "localhost") + "/" + std::to_string(getpid()) + "/" +
         crypto::RandomToken().substr(4, 8);
}

Scheduler::Scheduler(store::Store& store, SchedulerOptions options)
    : store_(store), options_(std::move(options)) {
  if (options_.holder.empty()) options_.holder = DefaultLeaseHolder();
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Add(std::string name, std::chrono::milliseconds every, std::function<Status()> run,
                    std::chrono::milliseconds lease) {
  lease = std::max(lease, 2 * every);
  jobs_.push_back(Job{std::move(name), every, lease, std::move(run)});
}

void Scheduler::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& job : jobs_) {
    if (!job.held) continue;
    job.held = false;
    Status st = store_.ReleaseLease(job.name, options_.holder);
    if (!st.ok() && options_.on_error) options_.on_error(job.name, st);
  }
}

void Scheduler::Tick(Job& job) {
  const auto now = std::chrono::steady_clock::now();
  // The lease taken at `now` lasts at least until now + lease in the store's
  // clock: renewing at half of it leaves the other half as margin.
  if (!job.held || now >= job.renew) {
    auto held = store_.TryLease(job.name, options_.holder, job.lease.count());
    if (!held.ok()) {
      // The store is unreachable: keep away from the job until it answers.
      job.held = false;
      if (options_.on_error) options_.on_error(job.name, held.status());
      return;
    }
    job.held = *held;
    if (!job.held) return;
    job.renew = now + job.lease / 2;
  }
  Status st = job.run();
  if (!st.ok() && options_.on_error) options_.on_error(job.name, st);
}

void Scheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::hours(1);
    for (auto& job : jobs_) {
      if (job.next <= now) {
        lock.unlock();
        Tick(job);
        lock.lock();
        job.next = std::chrono::steady_clock::now() + job.every;
        if (stopping_) return;
      }
      next = std::min(next, job.next);
    }
    wake_.wait_until(lock, next, [this] { return stopping_; });
  }
}

}  // namespace limpide::app
