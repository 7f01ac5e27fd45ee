// Read services over the store, shared by the API, the web pages and the CLI:
// contract listings with filters, contract, organization and CPV views, CSV.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "domain/cpv.h"
#include "store/store.h"

namespace limpide::app {

using Params = std::vector<std::pair<std::string, std::string>>;

struct ContractQuery {
  store::ContractFilter filter;
  store::PageRequest page;
};

// Names of the listing parameters, in documentation order (docs/api.md).
const std::vector<std::string>& ContractQueryParameters();

// Reads listing parameters: buyer (SIRET), supplier (holder id), cpv (2..8
// digits prefix), procedure and nature (API codes), notified_from and
// notified_to (YYYY-MM-DD), amount_min and amount_max (euros), q (words of the
// object), after (cursor), limit (1..1000, default 50). Empty values are
// ignored. With `strict`, an unknown parameter is an error too. Every error is
// invalid_argument naming the parameter.
Result<ContractQuery> ParseContractQuery(const Params& params, bool strict);

struct OrganizationView {
  domain::Organization organization;
  std::vector<store::Partner> holders;  // when it buys: whom from
  std::vector<store::Partner> buyers;   // when it wins: from whom
};

struct CpvView {
  const domain::CpvCode* code = nullptr;
  std::vector<const domain::CpvCode*> lineage;  // division … code
  std::vector<const domain::CpvCode*> children;
  store::Counts contracts;  // contracts under this code
};

// A contract and the JSON array text of the sources it was read from
// (docs/ocds-import.md).
struct ContractWithSources {
  domain::Contract contract;
  std::string sources;
};

class Catalogue {
 public:
  explicit Catalogue(store::Store& store) : store_(store) {}

  Result<store::ContractPage> ListContracts(const ContractQuery& query) const;
  Result<store::Counts> CountContracts(const store::ContractFilter& filter) const;
  Result<domain::Contract> GetContract(std::string_view uid) const;
  // The contract and its sources (app::ContractSources), read in one store
  // statement (GET /api/v1/contracts/{uid}). Errors as GetContract.
  Result<ContractWithSources> GetContractWithSources(std::string_view uid) const;
  // not_found when the id is neither a buyer nor a holder.
  Result<OrganizationView> GetOrganization(std::string_view id, int partners = 20) const;
  // invalid_argument for a malformed code, not_found for a code not in CPV 2008.
  Result<CpvView> GetCpv(std::string_view code) const;

  // CSV of every contract matching the query's filter (page limit ignored),
  // produced piece by piece (about 500 rows each) in constant memory. The
  // producer has the Response::stream contract: append, return false when done;
  // it throws std::runtime_error when the store fails midway (the server then
  // aborts the response).
  std::function<bool(std::string&)> ContractsCsv(const ContractQuery& query) const;

  store::Store& store() const { return store_; }

 private:
  store::Store& store_;
};

}  // namespace limpide::app
