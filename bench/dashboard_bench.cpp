// The buyer's dashboard and the company's consultations (issue 4, the pages
// /acheteur and /mes-consultations) with N consultations in the store
// (default 10,000, from 100 buyers), in one run:
//
//  - before: what the pages did until the store indexed organizations: the
//    dashboard walked every consultation (Procedures::List, 1,000 a page) and
//    kept its buyer's; the company's page read every consultation and listed
//    the deposits of each (the loop of the former CompanyTenders, replayed
//    here on the same store through the same Store calls);
//  - after: Procedures::BuyerTenders and CompanyTenders, first page of 50,
//    through Store::ListObjectsOf.
//
// Prints the median and the 90th percentile of R runs of each (SQLite store
// in a temporary directory).
//
//   dashboard_bench [N=10000] [RUNS=15]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <unistd.h>

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


}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 15;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("limpide-dashboard-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto store = store::OpenStore((dir / "limpide.db").string());
  if (!store.ok()) Die(store.status(), "open");
  app::LedgerService ledger(**store, crypto::SigningKeyFromSeed(std::array<uint8_t, 32>{1}));
  app::Procedures procedures(**store, ledger);

  // N published consultations from 100 buyers, a year ahead.
  const std::string deadline = "2027-12-01T10:00:00Z";
  const auto t_fill = Clock::now();
  std::vector<std::string> ids;
  for (int done = 0; done < n;) {
    std::vector<app::Procedures::NewConsultation> batch;
    for (int k = 0; k < 1000 && done < n; ++k, ++done) {
      const json draft = {{"title", "Consultation " + std::to_string(done)},
                          {"procedure", "procedure_adaptee"},
                          {"cpv", "77211400-6"},
                          {"criteria", {{{"name", "Prix"}, {"weight", 100}}}},
                          {"deadline", deadline}};
      batch.push_back({Buyer(done % 100), draft.dump(), ""});
    }
    auto published = procedures.PublishMany(batch);
    if (!published.ok()) Die(published.status(), "publish");
    ids.insert(ids.end(), published->begin(), published->end());
  }
  // A company asks on 40 of them and deposits on 10.
  app::Principal company;
  company.user_id = "uc";
  company.org_id = "73282932000074";
  company.org_name = "Acme";
  company.role = app::UserRole::kCompanyRep;
  for (int k = 0; k < 40; ++k) {
    const std::string& id = ids[static_cast<size_t>(k) * ids.size() / 40];
    if (auto q = procedures.Ask(company, id, "Une question ?"); !q.ok()) Die(q.status(), "ask");
    if (k % 4 == 0) {
      auto d = procedures.DepositInOneRequest(company, id, "offre.txt", false, "offre");
      if (!d.ok()) Die(d.status(), "deposit");
    }
  }
  std::printf("store: %d consultations from 100 buyers, filled in %.1f s\n", n,
              std::chrono::duration<double>(Clock::now() - t_fill).count());

  const app::Principal buyer = Buyer(7);
  // Before: the dashboard's former loop.
  size_t before_items = 0, after_items = 0, cbefore_items = 0, cafter_items = 0;
  auto before = Time(runs, [&] {
    size_t own = 0;
    store::PageRequest page{"", 1000};
    for (;;) {
      auto list = procedures.List(&buyer, page, /*include_test=*/true);
      if (!list.ok()) Die(list.status(), "list");
      for (const auto& t : (*list)["items"])
        own += t["buyer"]["id"] == buyer.org_id;
      if (!(*list)["next"].is_string()) break;
      page.after = (*list)["next"].get<std::string>();
    }
    return own;
  }, &before_items);
  auto after = Time(runs, [&] {
    auto page = procedures.BuyerTenders(buyer, {"", 50});
    if (!page.ok()) Die(page.status(), "buyer tenders");
    return (*page)["items"].size();
  }, &after_items);

  // Before: the company's former loop (every consultation read, the deposits of each listed).
  auto cbefore = Time(runs, [&] {
    size_t found = 0;
    store::PageRequest page{"", 1000};
    for (;;) {
      auto got = (*store)->ListObjects("tender", "", page);
      if (!got.ok()) Die(got.status(), "list objects");
      for (const auto& o : got->items) {
        auto again = (*store)->GetObject("tender", o.id);  // the former Load(o.id)
        if (!again.ok()) Die(again.status(), "get");
        json body = json::parse(again->body);
        auto c = formats::ConsultationFromStoredJson(body["consultation"].dump());
        if (!c.ok()) Die(c.status(), "consultation");
        bool asked = false;
        for (const auto& q : body.value("questions", json::array()))
          asked |= q.value("organization", "") == company.org_id;
        int deposits = 0;
        store::PageRequest dpage{"", 1000};
        for (;;) {
          auto ds = (*store)->ListObjects("deposit", o.id + "/", dpage);
          if (!ds.ok()) Die(ds.status(), "deposits");
          for (const auto& d : ds->items)
            deposits += json::parse(d.body)["company"].value("id", "") == company.org_id;
          if (ds->next.empty()) break;
          dpage.after = ds->next;
        }
        found += asked || deposits > 0;
      }
      if (got->next.empty()) break;
      page.after = got->next;
    }
    return found;
  }, &cbefore_items);
  auto cafter = Time(runs, [&] {
    auto page = procedures.CompanyTenders(company, {"", 50});
    if (!page.ok()) Die(page.status(), "company tenders");
    return (*page)["items"].size();
  }, &cafter_items);

  std::printf("%-44s %10s %10s %8s\n", "page (service calls)", "median ms", "p90 ms", "items");
  std::printf("%-44s %10.2f %10.2f %8zu\n", "/acheteur before (walk all, keep own)", Median(before),
              P90(before), before_items);
  std::printf("%-44s %10.2f %10.2f %8zu\n", "/acheteur after (BuyerTenders, page of 50)",
              Median(after), P90(after), after_items);
  std::printf("%-44s %10.2f %10.2f %8zu\n", "/mes-consultations before (read all)",
              Median(cbefore), P90(cbefore), cbefore_items);
  std::printf("%-44s %10.2f %10.2f %8zu\n", "/mes-consultations after (CompanyTenders)",
              Median(cafter), P90(cafter), cafter_items);
  std::printf("ratios (before / after, medians): buyer %.0fx, company %.0fx\n",
              Median(before) / Median(after), Median(cbefore) / Median(cafter));
  store->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
