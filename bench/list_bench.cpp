// The public list of consultations (GET /api/v1/tenders, the page
// /consultations: Procedures::List) with N consultations in the store
// (default 10,000 from 100 buyers), a share of them hidden from the public
// (test ones and drafts, HIDDEN per cent, default 20), in one run:
//
//  - before: the former List, replayed here on the same store through the
//    same Store calls: it read the consultations in id order, 2 × limit a
//    store page, parsed each one and skipped the drafts and test ones until
//    the page was full;
//  - after: Procedures::List, which reads the keys of the page from the
//    index of the listing and then those consultations only.
//
// Pages of 50: the first one, one in the middle (a cursor after half the
// consultations), the first with test=1, and a buyer's first page (the
// public ones and its own drafts and test ones). Prints the median and the
// 90th percentile of R runs of each (SQLite store in a temporary directory).
//
//   list_bench [N=10000] [HIDDEN=20] [RUNS=25]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/ledger.h"
#include "app/procedure.h"
#include "crypto/crypto.h"
#include "formats/consultation_json.h"
#include "store/store.h"
#include "procedure_bench.h"

using namespace limpide;
using namespace limpide::bench;
using nlohmann::json;

namespace {


// The former Procedures::List (before the index), on the same Store calls:
// the consultations in id order, 2 × limit a store page, each parsed, drafts
// and test ones skipped, the shown ones turned into their public form. The
// cursor is the store's, after the last one shown.
size_t FormerList(store::Store& store, const app::Principal* who, const std::string& after_id,
                  int limit, bool include_test) {
  json items = json::array();
  store::PageRequest scan{after_id.empty() ? "" : store::ObjectCursorAfter(after_id),
                          std::min(1000, limit * 2)};
  for (;;) {
    auto got = store.ListObjects("tender", "", scan);
    if (!got.ok()) Die(got.status(), "list objects");
    for (const auto& obj : got->items) {
      json body = json::parse(obj.body, nullptr, false);
      auto c = formats::ConsultationFromStoredJson(body["consultation"].dump());
      if (!c.ok()) Die(c.status(), "consultation");
      const bool own = who && who->role == app::UserRole::kBuyerAgent && who->org_id == c->buyer_id;
      if (c->state == domain::ConsultationState::kDraft && !own) continue;
      if (c->test && !include_test && !own) continue;
      // PublicView: the consultation's JSON and what the procedure adds.
      json view = json::parse(formats::ConsultationToJson(*c));
      view["documents"] = body.value("documents", json::array());
      view["opening_public_key"] = body.value("opening_public_key", "");
      view["questions_answered"] = 0;
      items.push_back(std::move(view));
      if (items.size() == static_cast<size_t>(limit)) break;
    }
    if (items.size() == static_cast<size_t>(limit) || got->next.empty()) break;
    scan.after = got->next;
  }
  return items.size();
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10'000;
  const int hidden = argc > 2 ? std::atoi(argv[2]) : 20;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 25;
  constexpr int kPage = 50;
  const auto dir =
      std::filesystem::temp_directory_path() / ("limpide-list-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto store = store::OpenStore((dir / "limpide.db").string());
  if (!store.ok()) Die(store.status(), "open");
  app::LedgerService ledger(**store, crypto::SigningKeyFromSeed(std::array<uint8_t, 32>{1}));
  app::Procedures procedures(**store, ledger);

  // N consultations from 100 buyers, a year ahead: HIDDEN per cent of them
  // are test ones (three quarters, published) or drafts (a quarter).
  const std::string deadline = "2027-12-01T10:00:00Z";
  const auto t_fill = Clock::now();
  const int hidden_n = n * hidden / 100;
  const int drafts = hidden_n / 4;
  const int tests = hidden_n - drafts;
  for (int done = 0; done < n - drafts;) {
    std::vector<app::Procedures::NewConsultation> batch;
    for (int k = 0; k < 1000 && done < n - drafts; ++k, ++done) {
      json draft = {
          {"title", "Consultation " + std::to_string(done)},
          {"description",
           "Entretien des espaces verts et élagage, lot " + std::to_string(done % 7)},
          {"procedure", "procedure_adaptee"},
          {"cpv", "77211400-6"},
          {"criteria",
           {{{"name", "Prix"}, {"weight", 60}}, {{"name", "Valeur technique"}, {"weight", 40}}}},
          {"deadline", deadline}};
      // `tests` of them spread evenly among the others.
      const int64_t m = n - drafts;
      if (int64_t{done + 1} * tests / m != int64_t{done} * tests / m) draft["test"] = true;
      batch.push_back({Buyer(done % 100), draft.dump(), ""});
    }
    auto published = procedures.PublishMany(batch);
    if (!published.ok()) Die(published.status(), "publish");
  }
  for (int k = 0; k < drafts; ++k) {
    const json draft = {{"title", "Brouillon " + std::to_string(k)},
                        {"procedure", "procedure_adaptee"},
                        {"cpv", "77211400-6"},
                        {"criteria", {{{"name", "Prix"}, {"weight", 100}}}},
                        {"deadline", deadline}};
    auto made = procedures.CreateDraft(Buyer(k % 100), draft.dump());
    if (!made.ok()) Die(made.status(), "draft");
  }
  // The first listing builds nothing (the index is kept as they are
  // written), but reads its marker: done once before timing.
  if (auto warm = procedures.List(nullptr, {"", 1}, false); !warm.ok()) Die(warm.status(), "list");
  // The id after which the middle page starts.
  std::string middle;
  {
    store::PageRequest page{"", 1000};
    int seen = 0;
    while (middle.empty()) {
      auto got = (*store)->ListObjects("tender", "", page);
      if (!got.ok()) Die(got.status(), "ids");
      for (const auto& o : got->items)
        if (++seen == n / 2) middle = o.id;
      if (got->next.empty()) break;
      page.after = got->next;
    }
  }
  std::printf("store: %d consultations from 100 buyers (%d test, %d drafts), filled in %.1f s\n", n,
              tests, drafts, std::chrono::duration<double>(Clock::now() - t_fill).count());

  const app::Principal buyer = Buyer(7);
  struct Case {
    const char* name;
    const app::Principal* who;
    std::string after;
    bool test;
  };
  const std::vector<Case> cases = {{"first page, anonymous", nullptr, "", false},
                                   {"middle page, anonymous", nullptr, middle, false},
                                   {"first page, test=1", nullptr, "", true},
                                   {"first page, a buyer (its drafts too)", &buyer, "", false}};
  std::printf("%-38s %12s %12s %12s %12s %8s %7s\n", "page of 50", "before med", "before p90",
              "after med", "after p90", "items", "ratio");
  for (const auto& c : cases) {
    size_t before_items = 0, after_items = 0;
    auto before = Time(
        runs, [&] { return FormerList(**store, c.who, c.after, kPage, c.test); }, &before_items);
    auto after = Time(
        runs,
        [&] {
          auto page = procedures.List(c.who, {c.after, kPage}, c.test);
          if (!page.ok()) Die(page.status(), "list");
          return (*page)["items"].size();
        },
        &after_items);
    std::printf("%-38s %9.2f ms %9.2f ms %9.2f ms %9.2f ms %4zu/%-3zu %6.1fx\n", c.name,
                Median(before), P90(before), Median(after), P90(after), before_items, after_items,
                Median(before) / Median(after));
  }
  store->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
