// The cache of rendered bodies (api/body_cache.h) on its own.
#include "api/body_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace limpide::api {
namespace {

// The budget counted for `n` entries of `key_size`-byte keys and bodies.
size_t Budget(size_t n, size_t key_size, size_t body_size) {
  return n * (key_size + body_size + BodyCache::kEntryOverhead);
}

TEST(BodyCacheTest, KeepsWhatWasPutUnderTheSameVersion) {
  BodyCache cache(1 << 20);
  EXPECT_FALSE(cache.Get("a", 1));
  cache.Put("a", 1, "body of a");
  EXPECT_EQ(cache.Get("a", 1), "body of a");
  EXPECT_FALSE(cache.Get("b", 1));
  const auto s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.bytes, 1 + 9 + BodyCache::kEntryOverhead);
}

TEST(BodyCacheTest, AnotherVersionEmptiesIt) {
  BodyCache cache(1 << 20);
  cache.Put("a", 1, "old");
  EXPECT_FALSE(cache.Get("a", 2));
  EXPECT_EQ(cache.stats().clears, 1u);
  EXPECT_EQ(cache.stats().entries, 0u);
  // Back to version 1 (a late Put from a request that began before the
  // change): it empties the cache again rather than mixing versions.
  cache.Put("a", 2, "new");
  cache.Put("b", 1, "late");
  EXPECT_FALSE(cache.Get("a", 2));
  EXPECT_FALSE(cache.Get("b", 2));
}

TEST(BodyCacheTest, LeastRecentlyUsedGoesFirstWithinTheBudget) {
  BodyCache cache(Budget(8, 2, 100));  // room for 8 (a body may take an eighth)
  const std::string body(100, 'x');
  for (int i = 0; i < 8; ++i) cache.Put("k" + std::to_string(i), 7, body);
  EXPECT_TRUE(cache.Get("k0", 7));  // k0 is now the most recent: k1 goes next
  cache.Put("k8", 7, body);
  EXPECT_FALSE(cache.Get("k1", 7));
  for (const char* kept : {"k0", "k2", "k7", "k8"}) EXPECT_TRUE(cache.Get(kept, 7)) << kept;
  EXPECT_EQ(cache.stats().entries, 8u);
  EXPECT_EQ(cache.stats().bytes, Budget(8, 2, 100));
}

TEST(BodyCacheTest, ABodyOverAnEighthOfTheBudgetIsNotKept) {
  BodyCache cache(8 * (1000 + 1 + BodyCache::kEntryOverhead));
  cache.Put("a", 1, std::string(1001, 'x'));
  EXPECT_FALSE(cache.Get("a", 1));
  cache.Put("b", 1, std::string(1000, 'x'));
  EXPECT_TRUE(cache.Get("b", 1));
}

TEST(BodyCacheTest, ZeroBudgetKeepsNothing) {
  BodyCache cache(0);
  EXPECT_FALSE(cache.enabled());
  EXPECT_TRUE(BodyCache(1).enabled());
  cache.Put("a", 1, "x");
  EXPECT_FALSE(cache.Get("a", 1));
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(BodyCacheTest, ASecondPutOfTheSameKeyKeepsOneEntry) {
  BodyCache cache(1 << 20);
  cache.Put("a", 1, "first");
  cache.Put("a", 1, "second");  // rendered by two requests at once: same content
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_EQ(cache.Get("a", 1), "first");
}

TEST(BodyCacheTest, MetricsNameEveryFigure) {
  BodyCache cache(1 << 20);
  cache.Put("a", 1, "x");
  (void)cache.Get("a", 1);
  const std::string text = cache.MetricsText("contract");
  for (const char* line :
       {"limpide_contract_cache_hits_total 1\n", "limpide_contract_cache_misses_total 0\n",
        "limpide_contract_cache_clears_total 0\n", "limpide_contract_cache_entries 1\n",
        "limpide_contract_cache_budget_bytes 1048576\n",
        "# TYPE limpide_contract_cache_hits_total counter\n",
        "# TYPE limpide_contract_cache_bytes gauge\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
}

// Readers and a changing version from several threads (run under TSan/ASan in
// CI's sanitizer build): every body served is the one put for its version.
TEST(BodyCacheTest, ThreadsSeeOnlyTheirVersionsBodies) {
  BodyCache cache(Budget(50, 4, 12));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 20000; ++i) {
        const uint64_t version = static_cast<uint64_t>(i / 1000 + (t % 2));
        const std::string key = "k" + std::to_string(i % 97);
        const std::string body = key + "@" + std::to_string(version);
        if (auto got = cache.Get(key, version)) {
          ASSERT_EQ(*got, body);
        } else {
          cache.Put(key, version, body);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.stats().bytes, Budget(50, 4, 12));
}

}  // namespace
}  // namespace limpide::api
