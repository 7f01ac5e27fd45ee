#include "app/catalogue.h"

#include <charconv>
#include <memory>
#include <stdexcept>

#include "app/ocds_import.h"
#include "domain/money.h"
#include "domain/siret.h"
#include "domain/time.h"
#include "formats/csv.h"

namespace limpide::app {
namespace {

Status Bad(const std::string& name, const std::string& why) {
  return Status::InvalidArgument("parameter '" + name + "': " + why, name);
}

bool IsHolderIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
         c == '_' || c == '.';
}

}  // namespace

const std::vector<std::string>& ContractQueryParameters() {
  static const std::vector<std::string> kNames = {
      "q",           "buyer",      "supplier",   "cpv",   "procedure", "nature", "notified_from",
      "notified_to", "amount_min", "amount_max", "after", "limit"};
  return kNames;
}

Result<ContractQuery> ParseContractQuery(const Params& params, bool strict) {
  ContractQuery q;
  for (const auto& [name, raw] : params) {
    if (raw.empty()) continue;
    if (name == "q") {
      if (raw.size() > 200) return Bad(name, "longer than 200 bytes");
      q.filter.text = raw;
    } else if (name == "buyer") {
      auto siret = domain::ParseSiret(raw);
      if (!siret.ok()) return Bad(name, siret.status().message());
      q.filter.buyer_id = *siret;
    } else if (name == "supplier") {
      if (raw.size() > 64) return Bad(name, "longer than 64 characters");
      for (char c : raw) {
        if (!IsHolderIdChar(c)) return Bad(name, "only letters, digits and - _ . are allowed");
      }
      q.filter.holder_id = raw;
    } else if (name == "cpv") {
      auto prefix = domain::ParseCpvPrefix(raw);
      if (!prefix.ok()) return Bad(name, prefix.status().message());
      q.filter.cpv_prefix = *prefix;
    } else if (name == "procedure") {
      auto p = domain::ProcedureFromCode(raw);
      if (!p) return Bad(name, "unknown procedure code '" + raw + "' (see /api/v1/openapi.json)");
      q.filter.procedure = *p;
    } else if (name == "nature") {
      auto n = domain::NatureFromCode(raw);
      if (!n) return Bad(name, "unknown nature code '" + raw + "' (see /api/v1/openapi.json)");
      q.filter.nature = *n;
    } else if (name == "notified_from" || name == "notified_to") {
      auto d = domain::ParseDate(raw);
      if (!d.ok()) return Bad(name, d.status().message());
      (name == "notified_from" ? q.filter.notified_from : q.filter.notified_to) = *d;
    } else if (name == "amount_min" || name == "amount_max") {
      auto m = domain::ParseEuros(raw);
      if (!m.ok()) return Bad(name, m.status().message());
      (name == "amount_min" ? q.filter.amount_min : q.filter.amount_max) = *m;
    } else if (name == "after") {
      q.page.after = raw;
    } else if (name == "limit") {
      int limit = 0;
      auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), limit);
      if (ec != std::errc() || ptr != raw.data() + raw.size()) {
        return Bad(name, "not an integer: '" + raw + "'");
      }
      if (limit < 1 || limit > 1000) return Bad(name, "must be between 1 and 1000");
      q.page.limit = limit;
    } else if (strict) {
      return Bad(name, "unknown parameter");
    }
  }
  if (q.filter.notified_from && q.filter.notified_to &&
      *q.filter.notified_to < *q.filter.notified_from) {
    return Bad("notified_to", "is before notified_from");
  }
  if (q.filter.amount_min && q.filter.amount_max && *q.filter.amount_max < *q.filter.amount_min) {
    return Bad("amount_max", "is below amount_min");
  }
  return q;
}

Result<store::ContractPage> Catalogue::ListContracts(const ContractQuery& query) const {
  return store_.ListContracts(query.filter, query.page);
}

Result<store::Counts> Catalogue::CountContracts(const store::ContractFilter& filter) const {
  return store_.CountContracts(filter);
}

namespace {

Status CheckUid(std::string_view uid) {
  if (uid.empty() || uid.size() > 200) {
    return Status::InvalidArgument("contract uid must be 1 to 200 bytes", "uid");
  }
  return Status::Ok();
}

}  // namespace

Result<domain::Contract> Catalogue::GetContract(std::string_view uid) const {
  LIMPIDE_RETURN_IF_ERROR(CheckUid(uid));
  return store_.GetContract(uid);
}

Result<ContractWithSources> Catalogue::GetContractWithSources(std::string_view uid) const {
  LIMPIDE_RETURN_IF_ERROR(CheckUid(uid));
  auto read = store_.GetContractWithObject(uid, kContractSourcesKind);
  if (!read.ok()) return read.status();
  std::string sources = ContractSources(read->contract, read->object);
  return ContractWithSources{std::move(read->contract), std::move(sources)};
}

Result<OrganizationView> Catalogue::GetOrganization(std::string_view id, int partners) const {
  if (id.empty() || id.size() > 64) {
    return Status::InvalidArgument("organization id must be 1 to 64 characters", "siret");
  }
  auto org = store_.GetOrganization(id);
  if (!org.ok()) return org.status();
  OrganizationView view{std::move(*org), {}, {}};
  if (view.organization.contracts_as_buyer > 0) {
    auto holders = store_.ListPartners(id, store::Role::kBuyer, partners);
    if (!holders.ok()) return holders.status();
    view.holders = std::move(*holders);
  }
  if (view.organization.contracts_as_holder > 0) {
    auto buyers = store_.ListPartners(id, store::Role::kHolder, partners);
    if (!buyers.ok()) return buyers.status();
    view.buyers = std::move(*buyers);
  }
  return view;
}

Result<CpvView> Catalogue::GetCpv(std::string_view code) const {
  auto prefix = domain::ParseCpvPrefix(code);
  if (!prefix.ok() || prefix->size() != 8) {
    return Status::InvalidArgument("a CPV code has 8 digits, optionally followed by -check digit",
                                   "code");
  }
  const auto& table = domain::CpvTable::Get();
  const domain::CpvCode* found = table.Find(*prefix);
  if (found == nullptr) return Status::NotFound("no CPV 2008 code " + *prefix);
  if (code.size() == 10 && code != found->code) {
    return Status::InvalidArgument("wrong check digit: the code is " + found->code, "code");
  }
  CpvView view;
  view.code = found;
  view.lineage = table.Lineage(found->code8);
  view.children = table.Children(found->code8);
  store::ContractFilter filter;
  filter.cpv_prefix = std::string(domain::CpvSignificantPrefix(found->code8));
  auto counts = store_.CountContracts(filter);
  if (!counts.ok()) return counts.status();
  view.contracts = *counts;
  return view;
}

std::function<bool(std::string&)> Catalogue::ContractsCsv(const ContractQuery& query) const {
  struct State {
    store::ContractFilter filter;
    std::string after;
    bool header_sent = false;
    bool done = false;
  };
  auto state = std::make_shared<State>();
  state->filter = query.filter;
  store::Store* store = &store_;
  return [state, store](std::string& out) {
    if (!state->header_sent) {
      out += formats::CsvHeader();
      state->header_sent = true;
    }
    if (state->done) return false;
    auto page = store->ListContracts(state->filter, store::PageRequest{state->after, 500});
    if (!page.ok()) {
      // The status line is gone already: the server aborts the chunked body,
      // which clients see as an incomplete transfer, never as a complete file.
      throw std::runtime_error("CSV export stopped: " + page.status().ToString());
    }
    for (const auto& c : page->items) out += formats::CsvRow(c);
    state->after = page->next;
    state->done = page->next.empty();
    return !state->done;
  };
}

}  // namespace limpide::app
