// Test-only LD_PRELOAD library: shifts the wall clock of a process by
// LIMPIDE_FAKETIME_OFFSET seconds (positive: later), so that an end-to-end
// test can have the real binary write ledger entries "on another day" and cut
// the bulk deltas of days that are over (tests/e2e/bulk.test.mjs). Monotonic
// clocks are left alone.
#include <dlfcn.h>
#include <sys/time.h>
#include <time.h>

#include <cstdlib>

namespace {

long Offset() {
  static const long offset = [] {
    const char* v = std::getenv("LIMPIDE_FAKETIME_OFFSET");
    return v != nullptr ? std::strtol(v, nullptr, 10) : 0L;
  }();
  return offset;
}

}  // namespace

extern "C" int clock_gettime(clockid_t clock, struct timespec* ts) {
  using Fn = int (*)(clockid_t, struct timespec*);
  static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "clock_gettime"));
  const int r = real(clock, ts);
  if (r == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) ts->tv_sec += Offset();
  return r;
}

extern "C" int gettimeofday(struct timeval* tv, void* tz) {
  using Fn = int (*)(struct timeval*, void*);
  static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "gettimeofday"));
  const int r = real(tv, tz);
  if (r == 0) tv->tv_sec += Offset();
  return r;
}

extern "C" time_t time(time_t* out) {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  if (out != nullptr) *out = ts.tv_sec;
  return ts.tv_sec;
}
