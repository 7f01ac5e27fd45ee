// `limpide gen`: synthetic contracts and consultations from the empirical
// distributions of real DECP files (generator.h).
#include "app/generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/ledger.h"
#include "domain/cpv.h"
#include "domain/siret.h"
#include "formats/decp.h"

namespace limpide::app {

using nlohmann::json;

// Every list holds one entry per real contract that had the value, so a
// uniform draw from it follows the real frequencies.
struct ContractModel::Samples {
  std::vector<std::string> objects;
  std::vector<std::string> cpv;  // codes of the table, "45233140-2"
  std::vector<int64_t> amount_cents;
  std::vector<domain::Place> places;
  std::vector<domain::Organization> buyers;   // valid SIRET, name (may be empty)
  std::vector<domain::Holder> holders;        // valid SIRET
  std::vector<int> durations;                 // months
  std::vector<domain::ProcedureType> procedures;
  std::vector<domain::ContractNature> natures;
  std::vector<int> months;  // 1..12
};

namespace {

constexpr uint64_t kSyntheticCompanies = 200'000;

// splitmix64: a small, fast generator whose whole state is one word, so that
// each record gets its own stream from (seed, rank, stream).
class Rng {
 public:
  Rng(uint64_t seed, uint64_t rank, uint64_t stream)
      : state_(seed * 0x9E3779B97F4A7C15ULL ^ (rank + 1) * 0xBF58476D1CE4E5B9ULL ^
               (stream + 1) * 0x94D049BB133111EBULL) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

// Appends the Luhn check digit that makes `digits` valid.
std::string WithLuhnDigit(std::string digits) {
  for (char d = '0'; d <= '9'; ++d) {
    std::string candidate = digits + d;
    int sum = 0;
    for (size_t i = 0; i < candidate.size(); ++i) {
      int v = candidate[candidate.size() - 1 - i] - '0';
      if (i % 2 == 1) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
    }
    if (sum % 10 == 0) return candidate;
  }
  return digits + '0';  // unreachable: one digit always fits
}

// A synthetic company: a SIREN from 8 digits plus its check digit, then the
// NIC "0001" and the SIRET's check digit. Never La Poste's SIREN.
std::string SyntheticSiret(uint64_t company) {
  char eight[16];
  std::snprintf(eight, sizeof eight, "9%07llu", static_cast<unsigned long long>(company % 10'000'000));
  return WithLuhnDigit(WithLuhnDigit(eight) + "0001");
}

// A 32-bit bijection of the rank, mixed with the seed: distinct ranks give
// distinct ids.
uint32_t IdBits(uint64_t seed, uint64_t rank) {
  uint32_t x = static_cast<uint32_t>(rank) ^ static_cast<uint32_t>(seed * 0x9E3779B9u);
  x *= 0x2C1B3C6Du;  // odd: invertible modulo 2^32
  x ^= x >> 15;      // invertible
  x *= 0x297A2D39u;
  x ^= x >> 15;
  return x;
}

std::string Hex8(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// "12345.67": the exact decimal text of an amount, as the consultation JSON
// reads it.
std::string EurosText(domain::Money m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(m.cents / 100),
                static_cast<long long>(m.cents % 100));
  return buf;
}

domain::Money Scaled(Rng& rng, int64_t cents) {
  // A real amount times a factor in [0.5, 2), log-uniform: the shape of the
  // real distribution with values it did not hold.
  const double factor = std::exp((rng.Unit() * 2.0 - 1.0) * std::log(2.0));
  return domain::Money{std::max<int64_t>(100, std::llround(static_cast<double>(cents) * factor))};
}

}  // namespace

ContractModel::ContractModel(std::unique_ptr<Samples> samples) : samples_(std::move(samples)) {}
ContractModel::~ContractModel() = default;

size_t ContractModel::objects() const { return samples_->objects.size(); }
size_t ContractModel::buyers() const { return samples_->buyers.size(); }

Result<std::unique_ptr<ContractModel>> ContractModel::FromFiles(
    const std::vector<std::string>& paths) {
  auto s = std::make_unique<Samples>();
  const auto& cpv = domain::CpvTable::Get();
  for (const auto& path : paths) {
    Status st = formats::ReadDecpFile(path, [&](formats::DecpRecord&& rec) -> Status {
      if (!rec.contract || !rec.errors.empty()) return Status::Ok();
      const domain::Contract& c = *rec.contract;
      if (!c.object.empty()) s->objects.push_back(c.object);
      if (c.cpv.size() >= 8 && cpv.Find(c.cpv.substr(0, 8))) {
        s->cpv.push_back(cpv.Find(c.cpv.substr(0, 8))->code);
      }
      if (c.amount && c.amount->cents > 0) s->amount_cents.push_back(c.amount->cents);
      if (!c.place.code.empty()) s->places.push_back(c.place);
      if (domain::IsValidSiret(c.buyer_id)) s->buyers.push_back({c.buyer_id, c.buyer_name});
      for (const auto& h : c.holders) {
        if (h.id_type == "SIRET" && domain::IsValidSiret(h.id)) s->holders.push_back(h);
      }
      if (c.duration_months && *c.duration_months > 0) s->durations.push_back(*c.duration_months);
      if (c.procedure) s->procedures.push_back(*c.procedure);
      if (c.nature) s->natures.push_back(*c.nature);
      if (c.notified_on) s->months.push_back(c.notified_on->month);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  const size_t usable = std::min({s->objects.size(), s->cpv.size(), s->amount_cents.size(),
                                  s->places.size(), s->buyers.size(), s->holders.size(),
                                  s->durations.size(), s->procedures.size(), s->natures.size(),
                                  s->months.size()});
  if (usable < 100) {
    return Status::InvalidArgument(
        "the files hold too few usable contracts to learn from (at least 100 needed, with an "
        "object, a CPV code, an amount, a place, SIRETs, a duration, a procedure, a nature and "
        "a date)");
  }
  return std::unique_ptr<ContractModel>(new ContractModel(std::move(s)));
}

domain::Contract ContractModel::Contract(uint64_t seed, uint64_t rank) const {
  const Samples& s = *samples_;
  Rng rng(seed, rank, 0);
  domain::Contract c;
  const domain::Organization& buyer = rng.Pick(s.buyers);
  c.buyer_id = buyer.id;
  c.buyer_name = buyer.name;
  c.id = "G" + Hex8(static_cast<uint32_t>(seed)) + "-" + std::to_string(rank);
  c.uid = domain::MakeUid(c.buyer_id, c.id);
  c.object = rng.Pick(s.objects);
  c.cpv = rng.Pick(s.cpv);
  c.place = rng.Pick(s.places);
  c.amount = Scaled(rng, rng.Pick(s.amount_cents));
  c.duration_months = rng.Pick(s.durations);
  c.procedure = rng.Pick(s.procedures);
  c.nature = rng.Pick(s.natures);
  const int month = rng.Pick(s.months);
  const int year = 2019 + static_cast<int>(rng.Below(7));
  c.notified_on = domain::Date{year, month, 1 + static_cast<int>(rng.Below(28))};
  c.published_on = c.notified_on;
  if (rng.Below(2) == 0) {
    c.holders.push_back(rng.Pick(s.holders));
  } else {
    const uint64_t company = rng.Below(kSyntheticCompanies);
    const domain::Holder& named_after = s.holders[company % s.holders.size()];
    c.holders.push_back({SyntheticSiret(company), "SIRET",
                         named_after.name + " " + std::to_string(company)});
  }
  c.schema_version = "1";
  c.source = "limpide-gen";
  return c;
}

Procedures::NewConsultation ContractModel::Consultation(uint64_t seed, uint64_t rank,
                                                        domain::Instant now) const {
  const Samples& s = *samples_;
  Rng rng(seed, rank, 1);
  const domain::Organization& buyer = rng.Pick(s.buyers);
  Procedures::NewConsultation out;
  out.buyer.user_id = "limpide-gen";
  out.buyer.org_id = buyer.id;
  out.buyer.org_name = buyer.name.empty() ? "Acheteur " + buyer.id : buyer.name;
  out.buyer.role = UserRole::kBuyerAgent;
  constexpr int64_t kDay = int64_t{86'400'000'000};
  // Whole minutes, 40 to 90 days ahead: past every legal minimum period.
  const int64_t deadline =
      (now.micros + (40 + static_cast<int64_t>(rng.Below(51))) * kDay) / 60'000'000 * 60'000'000;
  const std::string title = rng.Pick(s.objects);
  const domain::Place& place = rng.Pick(s.places);
  const domain::Money value = Scaled(rng, rng.Pick(s.amount_cents));
  domain::ProcedureType procedure = rng.Pick(s.procedures);
  // A consultation is a call for competition: "sans publicité ni mise en
  // concurrence" contracts are never published as one.
  if (procedure == domain::ProcedureType::kSansPubliciteNiConcurrence) {
    procedure = domain::ProcedureType::kProcedureAdaptee;
  }
  json draft = {
      {"reference", "GEN-" + std::to_string(rank)},
      {"title", title},
      {"description", title},
      {"procedure", std::string(domain::Code(procedure))},
      {"nature", std::string(domain::Code(rng.Pick(s.natures)))},
      {"cpv", rng.Pick(s.cpv)},
      {"estimatedValue", EurosText(value)},
      {"criteria", {{{"name", "Prix"}, {"weight", 60}}, {{"name", "Valeur technique"}, {"weight", 40}}}},
      {"maxDocumentBytes", 10 * 1024 * 1024},
      {"deadline", domain::FormatInstant(domain::Instant{deadline})}};
  const auto types = domain::PlaceCodeTypes();
  if (std::find(types.begin(), types.end(), place.code_type) != types.end()) {
    draft["place"] = {{"code", place.code}, {"type", place.code_type}};
  }
  out.json = draft.dump();
  out.id = domain::FormatDate(domain::CivilFromDays(now.micros / kDay)) + "-g" +
           Hex8(IdBits(seed, rank));
  return out;
}

Result<GenerateReport> Generate(store::Store& store, Procedures& procedures,
                                const ContractModel& model, const GenerateOptions& options) {
  GenerateReport report;
  const uint64_t batch = std::max<uint64_t>(1, options.batch);
  for (uint64_t start = 0; start < options.contracts; start += batch) {
    const uint64_t end = std::min(options.contracts, start + batch);
    auto txn = store.BeginWrite();
    if (!txn.ok()) return txn.status();
    for (uint64_t rank = start; rank < end; ++rank) {
      const domain::Contract c = model.Contract(options.seed, rank);
      auto outcome = (*txn)->UpsertContract(c);
      if (!outcome.ok()) return outcome.status();
      if (*outcome == store::UpsertOutcome::kUnchanged) continue;
      auto seq = (*txn)->AppendToLedger(ContractEvent(c, *outcome));
      if (!seq.ok()) return seq.status();
    }
    LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
    report.contracts = end;
    if (options.progress) options.progress(report.contracts, 0);
  }
  constexpr uint64_t kTenderBatch = 5000;
  const domain::Instant now = procedures.Now();
  for (uint64_t start = 0; start < options.tenders; start += kTenderBatch) {
    const uint64_t end = std::min(options.tenders, start + kTenderBatch);
    std::vector<Procedures::NewConsultation> drafts;
    drafts.reserve(end - start);
    for (uint64_t rank = start; rank < end; ++rank) {
      drafts.push_back(model.Consultation(options.seed, rank, now));
      if (!options.description.empty()) {
        nlohmann::json draft = nlohmann::json::parse(drafts.back().json);
        draft["description"] = options.description;
        drafts.back().json = draft.dump();
      }
    }
    auto ids = procedures.PublishMany(drafts);
    if (!ids.ok()) return ids.status();
    report.tenders = end;
    if (options.progress) options.progress(report.contracts, report.tenders);
  }
  return report;
}

}  // namespace limpide::app
