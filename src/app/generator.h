// Synthetic data for benchmarks at scale (`limpide gen`, docs/search.md
// "Synthetic data"): contracts and open consultations drawn from the
// distributions of real DECP files. Each record is a function of (seed, rank)
// only, so the same seed gives the same data whatever the batch size.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/procedure.h"
#include "base/result.h"
#include "domain/contract.h"
#include "store/store.h"

namespace limpide::app {

// What the real files teach: empirical distributions, each drawn with the
// frequency it has in the files. Built once, then read-only (thread-safe).
class ContractModel {
 public:
  // Reads the DECP files (any format ReadDecpFile knows) and keeps, from
  // each accepted record, what the generator draws from: objects, CPV codes
  // (those of the CPV table), amounts, places, buyers and holders (valid
  // SIRETs only, with their names), durations, procedures, natures and
  // notification months. invalid_argument when the files hold fewer than 100
  // usable contracts.
  static Result<std::unique_ptr<ContractModel>> FromFiles(const std::vector<std::string>& paths);
  ~ContractModel();

  // Contract number `rank` of the data set of `seed`: a fresh uid (unique in
  // the set), a buyer drawn from the real ones, one holder (real, or one of
  // rank/4 synthetic companies with a valid SIRET), a real object, a CPV code
  // of the table, an amount (a real one times a random factor in [0.5, 2)),
  // a real place, duration, procedure and nature, and a notification date in
  // 2019..2025 on a real month.
  domain::Contract Contract(uint64_t seed, uint64_t rank) const;

  // Consultation number `rank`: its buyer (who publishes it) and its JSON
  // draft (docs/tenders.md), open until a deadline 40 to 90 days after `now`
  // (every legal minimum period holds), with a real object as title, a CPV
  // code, place, procedure and estimated value drawn as for contracts.
  Procedures::NewConsultation Consultation(uint64_t seed, uint64_t rank,
                                           domain::Instant now) const;

  size_t objects() const;
  size_t buyers() const;

  struct Samples;

 private:
  explicit ContractModel(std::unique_ptr<Samples> samples);
  std::unique_ptr<Samples> samples_;
};

struct GenerateOptions {
  uint64_t contracts = 0;
  uint64_t tenders = 0;
  uint64_t seed = 1;
  uint64_t batch = 50000;  // contracts per write transaction
  // When set, the description of every consultation (e.g. saying it is a demo).
  std::string description;
  // After each transaction: (contracts written, consultations written).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct GenerateReport {
  uint64_t contracts = 0;  // written (a rank already in the store is rewritten)
  uint64_t tenders = 0;
};

// Writes the contracts (each with its contract.created ledger entry, as an
// import does) in transactions of `batch`, then the consultations through
// Procedures::PublishMany in transactions of 5,000. Consultation ids are
// "<publication day>-g<8 hex of (seed, rank)>": a second run with the same
// seed and the same day fails with conflict instead of doubling them.
Result<GenerateReport> Generate(store::Store& store, Procedures& procedures,
                                const ContractModel& model, const GenerateOptions& options);

}  // namespace limpide::app
