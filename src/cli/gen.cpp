// `limpide gen`: synthetic data at scale (app/generator.h, docs/search.md).
#include <chrono>
#include <cstdio>

#include "app/generator.h"
#include "app/ledger.h"
#include "app/procedure.h"
#include "cli/commands.h"
#include "crypto/crypto.h"

namespace limpide::cli {

int Gen(const GenArgs& args) {
  if (args.contracts == 0 && args.tenders == 0) {
    std::fprintf(stderr, "limpide gen: nothing to write: give --contracts N and/or --tenders M\n");
    return 2;
  }
  std::vector<std::string> from = args.from;
  if (from.empty()) {
    const std::string dir = LIMPIDE_GEN_SAMPLES;
    from = {dir + "/marches-publics.info.json", dir + "/data.gouv.fr_aife.json"};
  }
  const auto start = std::chrono::steady_clock::now();
  auto model = app::ContractModel::FromFiles(from);
  if (!model.ok()) {
    std::fprintf(stderr, "limpide gen: %s (--from FILE gives other DECP files)\n",
                 model.status().ToString().c_str());
    return 1;
  }
  auto store = OpenDataDir(args.data_dir, args.database, "gen");
  if (!store) return 1;
  auto key = crypto::LoadOrCreateSigningKey(LedgerKeyPath(args.data_dir));
  if (!key.ok()) {
    std::fprintf(stderr, "limpide gen: ledger signing key: %s\n", key.status().ToString().c_str());
    return 1;
  }
  app::LedgerService ledger(*store, *key);
  app::Procedures procedures(*store, ledger);
  app::GenerateOptions options;
  options.contracts = args.contracts;
  options.tenders = args.tenders;
  options.seed = args.seed;
  options.progress = [&](uint64_t contracts, uint64_t tenders) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "limpide gen: %llu contracts, %llu consultations (%.0f s)\n",
                 static_cast<unsigned long long>(contracts),
                 static_cast<unsigned long long>(tenders), s);
  };
  auto report = app::Generate(*store, procedures, **model, options);
  if (!report.ok()) {
    std::fprintf(stderr, "limpide gen: %s\n", report.status().ToString().c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "generated %llu contracts and %llu open consultations (seed %llu) in %.1f s: %.0f "
      "records/s; learnt from %zu real objects and %zu buyers\n",
      static_cast<unsigned long long>(report->contracts),
      static_cast<unsigned long long>(report->tenders), static_cast<unsigned long long>(args.seed),
      seconds, seconds > 0 ? static_cast<double>(report->contracts + report->tenders) / seconds : 0,
      (*model)->objects(), (*model)->buyers());
  return 0;
}

}  // namespace limpide::cli
