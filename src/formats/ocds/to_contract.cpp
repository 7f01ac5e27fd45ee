#include "formats/ocds/to_contract.h"

#include <cctype>

#include "domain/cpv.h"
#include "domain/money.h"
#include "domain/siret.h"
#include "domain/time.h"
#include "formats/ocds/release.h"

namespace limpide::formats::ocds {
namespace {

using nlohmann::json;

const json* Member(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

// A string member, or an integer written as a number (ids often are).
std::string Text(const json& j, std::string_view key) {
  const json* v = Member(j, key);
  if (v == nullptr) return {};
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  return {};
}

// The party of `ref` ({id, name}) in compiled.parties, or nullptr.
const json* Party(const json& compiled, const std::string& id) {
  const json* parties = Member(compiled, "parties");
  if (parties == nullptr || !parties->is_array() || id.empty()) return nullptr;
  for (const auto& p : *parties) {
    if (Text(p, "id") == id) return &p;
  }
  return nullptr;
}

// Identifier of an organization reference: the SIRET under scheme FR-RCS, or
// the party id (which carries its scheme, "UA-EDR-37609523") otherwise.
struct OrgId {
  std::string id;
  std::string scheme;  // identifier.scheme, "" when none
  std::string name;
  bool siret = false;
};
OrgId Organization(const json& compiled, const json& ref) {
  OrgId o;
  const std::string party_id = Text(ref, "id");
  o.name = Text(ref, "name");
  o.id = party_id;
  const json* party = Party(compiled, party_id);
  const json* identifier = party ? Member(*party, "identifier") : nullptr;
  if (identifier == nullptr) identifier = Member(ref, "identifier");
  if (identifier != nullptr) {
    o.scheme = Text(*identifier, "scheme");
    const std::string id = Text(*identifier, "id");
    if (o.scheme == kSiretScheme && domain::IsValidSiret(id)) {
      o.id = id;
      o.siret = true;
    } else if (o.id.empty() && !id.empty()) {
      o.id = o.scheme.empty() ? id : o.scheme + "-" + id;
    }
    if (o.name.empty()) o.name = Text(*identifier, "legalName");
  }
  if (o.name.empty() && party != nullptr) o.name = Text(*party, "name");
  return o;
}

std::optional<domain::Date> DateOf(const json& j, std::string_view key) {
  const std::string s = Text(j, key);
  if (s.size() < 10) return std::nullopt;
  auto d = domain::ParseDate(s.substr(0, 10));
  return d.ok() ? std::optional(*d) : std::nullopt;
}

class Mapper {
 public:
  Mapper(const json& compiled, std::string_view source) : compiled_(compiled), source_(source) {
    ocid_ = Text(compiled, "ocid");
  }

  MappedContract Map(const json& contract, const json* award) {
    MappedContract out;
    domain::Contract& c = out.contract;
    auto unmapped = [&](std::string path, std::string reason) {
      out.unmapped.push_back({std::move(path), std::move(reason)});
    };
    c.id = Text(contract, "id");
    c.uid = OcdsContractUid(ocid_, c.id);
    c.kind = domain::ContractKind::kMarche;
    c.source = std::string(source_);
    c.flags.push_back("from_ocds");

    if (const json* buyer = Member(compiled_, "buyer")) {
      OrgId b = Organization(compiled_, *buyer);
      c.buyer_id = b.id;
      c.buyer_name = b.name;
      if (!b.siret) unmapped("buyer", "not identified by a SIRET (scheme " + kSiretScheme_ +
                                          "): kept as \"" + b.id + "\"");
    } else {
      unmapped("buyer", "missing: the contract has no buyer");
    }

    // Suppliers: of the contract (an extension some publishers use), else of its award.
    const json* suppliers = Member(contract, "suppliers");
    if ((suppliers == nullptr || !suppliers->is_array()) && award) {
      suppliers = Member(*award, "suppliers");
    }
    if (suppliers && suppliers->is_array()) {
      for (const auto& s : *suppliers) {
        OrgId o = Organization(compiled_, s);
        if (o.id.empty()) continue;
        c.holders.push_back({o.id, o.siret ? "SIRET" : o.scheme, o.name});
      }
    }

    for (const auto* from : {&contract, award}) {
      if (from == nullptr || !c.object.empty()) continue;
      c.object = Text(*from, "title");
      if (c.object.empty()) c.object = Text(*from, "description");
    }
    if (c.object.empty()) {
      if (const json* tender = Member(compiled_, "tender")) c.object = Text(*tender, "title");
    }

    Classification(contract, award, out);

    const json* value = Member(contract, "value");
    if (value == nullptr && award) value = Member(*award, "value");
    if (value != nullptr) {
      const std::string currency = Text(*value, "currency");
      const json* amount = Member(*value, "amount");
      if (amount && amount->is_number() && currency == "EUR") {
        auto m = domain::MoneyFromEuros(amount->get<double>());
        if (m.ok()) c.amount = *m;
      } else if (amount) {
        unmapped("value", "in " + (currency.empty() ? std::string("no currency") : currency) +
                              ": the contract model holds amounts in euros only");
      }
    }

    c.notified_on = DateOf(contract, "dateSigned");
    if (!c.notified_on && award) c.notified_on = DateOf(*award, "date");

    if (const json* tender = Member(compiled_, "tender")) {
      if (Member(*tender, "procurementMethod")) {
        unmapped("tender/procurementMethod",
                 "no DECP procedure type follows from an OCDS method: not mapped");
      }
    }

    if (const json* amendments = Member(contract, "amendments"); amendments && amendments->is_array()) {
      int rank = 0;
      for (const auto& a : *amendments) {
        ++rank;
        domain::Modification m;
        m.id = Text(a, "id");
        if (m.id.empty()) m.id = std::to_string(rank);
        m.object = Text(a, "description");
        if (m.object.empty()) m.object = Text(a, "rationale");
        m.signed_on = DateOf(a, "date");
        c.modifications.push_back(std::move(m));
      }
    }

    // A contract that Limpide (or a publisher using its `decp` extension)
    // published: its DECP identity.
    if (const json* decp = Member(compiled_, "decp")) {
      const std::string uid = Text(*decp, "uid");
      const std::string id = Text(*decp, "id");
      if (!uid.empty() && !id.empty() && domain::IsValidSiret(c.buyer_id) &&
          uid == domain::MakeUid(c.buyer_id, id)) {
        c.uid = uid;
        c.id = id;
        out.decp_identity = true;
      }
    }
    return out;
  }

  std::vector<MappedContract> Run() {
    std::vector<MappedContract> out;
    if (ocid_.empty()) return out;
    const json* contracts = Member(compiled_, "contracts");
    const json* awards = Member(compiled_, "awards");
    if (contracts && contracts->is_array() && !contracts->empty()) {
      for (const auto& contract : *contracts) {
        if (!contract.is_object() || Text(contract, "id").empty()) continue;
        out.push_back(Map(contract, AwardOf(awards, Text(contract, "awardID"))));
      }
    } else if (awards && awards->is_array()) {
      for (const auto& award : *awards) {
        const std::string status = Text(award, "status");
        if (!award.is_object() || Text(award, "id").empty()) continue;
        if (!status.empty() && status != "active") continue;
        out.push_back(Map(award, &award));
      }
    }
    return out;
  }

 private:
  static const json* AwardOf(const json* awards, const std::string& id) {
    if (awards == nullptr || !awards->is_array() || id.empty()) return nullptr;
    for (const auto& a : *awards) {
      if (Text(a, "id") == id) return &a;
    }
    return nullptr;
  }

  // The CPV code: the first item classification under scheme CPV, from the
  // contract's items, else the award's, else the tender's.
  void Classification(const json& contract, const json* award, MappedContract& out) {
    const json* tender = Member(compiled_, "tender");
    std::string other_scheme;
    for (const json* from : {&contract, award, tender}) {
      const json* items = from ? Member(*from, "items") : nullptr;
      if (items == nullptr || !items->is_array()) continue;
      for (const auto& item : *items) {
        const json* cls = Member(item, "classification");
        if (cls == nullptr) continue;
        std::string scheme = Text(*cls, "scheme");
        for (auto& ch : scheme) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (scheme != "CPV") {
          if (other_scheme.empty()) other_scheme = Text(*cls, "scheme");
          continue;
        }
        auto cpv = domain::ParseCpv(Text(*cls, "id"));
        if (cpv.ok()) {
          out.contract.cpv = cpv->code->code;
          return;
        }
        out.unmapped.push_back({"items/classification", "CPV code \"" + Text(*cls, "id") +
                                                            "\" not in CPV 2008: not mapped"});
        return;
      }
    }
    if (!other_scheme.empty()) {
      out.unmapped.push_back({"items/classification", "scheme \"" + other_scheme +
                                                          "\" is not CPV: no CPV code mapped"});
    }
  }

  static inline const std::string kSiretScheme_ = std::string(kSiretScheme);
  const json& compiled_;
  std::string_view source_;
  std::string ocid_;
};

}  // namespace

std::string OcdsContractUid(std::string_view ocid, std::string_view contract_id) {
  return std::string(ocid) + ":" + std::string(contract_id);
}

std::vector<MappedContract> ContractsFromCompiled(const json& compiled, std::string_view source) {
  return Mapper(compiled, source).Run();
}

}  // namespace limpide::formats::ocds
