// Scheduled work that runs once across the nodes sharing a store, not once
// per node: closing consultations at their deadline, alert digests, webhook
// retries… Each job is guarded by a lease in the store (Store::TryLease): the
// node that holds it runs the job and renews the lease once half of it has
// run out (not at each tick: a write every tick would make every reader of a
// SQLite store drop its page cache); the others skip it. When the holder dies, its lease expires after `lease` and
// another node takes the job over; a clean Stop() gives the leases up at once.
//
// At most one node runs a job at a time as long as a run is shorter than the
// lease; jobs must stay idempotent all the same (a run cut short by a crash is
// run again elsewhere).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace limpide::app {

struct SchedulerOptions {
  // Who this process is in the leases table; default: "<host>/<pid>/<random>".
  std::string holder;
  // Called with the job's name when a run or a lease fails (logging).
  std::function<void(const std::string& job, const Status& error)> on_error;
};

class Scheduler {
 public:
  Scheduler(store::Store& store, SchedulerOptions options = {});
  ~Scheduler();  // Stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `run` every `every` on whichever node holds the lease named `name`
  // (a lease of `lease`, at least twice `every`). Call before Start().
  void Add(std::string name, std::chrono::milliseconds every, std::function<Status()> run,
           std::chrono::milliseconds lease = std::chrono::seconds(10));
  // Starts the thread that runs the jobs.
  void Start();
  // Stops the thread (a run in progress finishes) and releases the leases
  // this process holds. Idempotent.
  void Stop();

  const std::string& holder() const { return options_.holder; }

 private:
  struct Job {
    std::string name;
    std::chrono::milliseconds every;
    std::chrono::milliseconds lease;
    std::function<Status()> run;
    std::chrono::steady_clock::time_point next{};
    bool held = false;
    // While held: when to renew (half the lease after the last renewal began).
    std::chrono::steady_clock::time_point renew{};
  };
  void Loop();
  void Tick(Job& job);

  store::Store& store_;
  SchedulerOptions options_;
  std::vector<Job> jobs_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// "<host>/<pid>/<8 random characters>": a holder name unique to this process.
std::string DefaultLeaseHolder();

}  // namespace limpide::app
