// Scheduled work runs on one node at a time: two Schedulers on two handles of
// one store (two nodes) never run the same job at once, and when the holder
// stops the other takes the job over. On SQLite and PostgreSQL.
#include "app/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "store/engines.h"

namespace limpide::app {
namespace {

using store::testing::Engine;
using namespace std::chrono_literals;

class SchedulerTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    url_ = GetParam().new_url();
    for (auto* s : {&a_, &b_}) {
      auto opened = store::OpenStore(url_);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      *s = std::move(*opened);
    }
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    GetParam().remove(url_);
  }
  std::string url_;
  std::unique_ptr<store::Store> a_, b_;
};

// A job that notes who runs it and whether two runs ever overlap.
struct Probe {
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  std::atomic<int> runs_a{0}, runs_b{0};
  std::function<Status()> Job(std::atomic<int>& runs) {
    return [this, &runs] {
      if (running.fetch_add(1) != 0) overlapped = true;
      ++runs;
      std::this_thread::sleep_for(5ms);
      running.fetch_sub(1);
      return Status::Ok();
    };
  }
};

TEST_P(SchedulerTest, OnlyOneNodeRunsAJobAndTheOtherTakesOverWhenItStops) {
  Probe probe;
  Scheduler a(*a_, {.holder = "node-a"});
  Scheduler b(*b_, {.holder = "node-b"});
  a.Add("job", 20ms, probe.Job(probe.runs_a), 300ms);
  b.Add("job", 20ms, probe.Job(probe.runs_b), 300ms);
  a.Start();
  std::this_thread::sleep_for(50ms);  // a takes the lease first
  b.Start();
  std::this_thread::sleep_for(400ms);
  EXPECT_GT(probe.runs_a.load(), 5);
  EXPECT_EQ(probe.runs_b.load(), 0);
  a.Stop();  // releases the lease: b takes over without waiting for expiry
  std::this_thread::sleep_for(150ms);
  EXPECT_GT(probe.runs_b.load(), 2);
  b.Stop();
  EXPECT_FALSE(probe.overlapped.load());
}

TEST_P(SchedulerTest, ALeaseLeftByADeadHolderIsTakenOverWhenItExpires) {
  // A node that died holding the lease: nobody releases it.
  ASSERT_TRUE(*a_->TryLease("job", "dead-node", 300));
  Probe probe;
  Scheduler b(*b_, {.holder = "node-b"});
  b.Add("job", 20ms, probe.Job(probe.runs_b), 300ms);
  b.Start();
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(probe.runs_b.load(), 0);
  std::this_thread::sleep_for(350ms);
  EXPECT_GT(probe.runs_b.load(), 0);
}

TEST_P(SchedulerTest, AHeldLeaseIsRenewedInTimeButNotAtEveryTick) {
  // Lease of 100 ms, a run every 10 ms: renewed about every 50 ms, so node b
  // never gets the job while a runs.
  Probe probe;
  Scheduler a(*a_, {.holder = "node-a"});
  Scheduler b(*b_, {.holder = "node-b"});
  a.Add("job", 10ms, probe.Job(probe.runs_a), 100ms);
  b.Add("job", 10ms, probe.Job(probe.runs_b), 100ms);
  a.Start();
  std::this_thread::sleep_for(30ms);
  b.Start();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(probe.runs_b.load(), 0);
  EXPECT_GT(probe.runs_a.load(), 10);
  b.Stop();
  a.Stop();
  EXPECT_FALSE(probe.overlapped.load());
  if (GetParam().name == "Sqlite") {
    // Runs that change nothing write nothing: with a lease of 10 s taken, a
    // second of runs every 10 ms leaves the WAL as it was (a write there
    // makes every reader connection drop its page cache).
    Scheduler c(*a_, {.holder = "node-c"});
    std::atomic<int> runs{0};
    c.Add("quiet", 10ms, [&runs] {
      ++runs;
      return Status::Ok();
    }, 10s);
    c.Start();
    std::this_thread::sleep_for(100ms);
    const std::string wal = store::testing::SqlitePathOf(url_) + "-wal";
    const auto before = std::filesystem::file_size(wal);
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(std::filesystem::file_size(wal), before);
    EXPECT_GT(runs.load(), 20);
  }
}

TEST_P(SchedulerTest, ErrorsOfAJobAreReportedAndItRunsAgain) {
  std::atomic<int> runs{0}, errors{0};
  SchedulerOptions options{.holder = "node-a",
                           .on_error = [&errors](const std::string& job, const Status& st) {
                             EXPECT_EQ(job, "failing");
                             EXPECT_EQ(st.code(), ErrorCode::kUnavailable);
                             ++errors;
                           }};
  Scheduler a(*a_, options);
  a.Add("failing", 10ms, [&runs] {
    ++runs;
    return Status::Unavailable("down");
  });
  a.Start();
  std::this_thread::sleep_for(150ms);
  a.Stop();
  EXPECT_GE(runs.load(), 3);
  EXPECT_EQ(errors.load(), runs.load());
}

INSTANTIATE_TEST_SUITE_P(Engines, SchedulerTest,
                         ::testing::ValuesIn(store::testing::AllEngines()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace limpide::app
