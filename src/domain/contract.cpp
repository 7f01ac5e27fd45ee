#include "domain/contract.h"

namespace limpide::domain {

std::span<const std::string_view> HolderIdTypes() {
  static constexpr std::string_view kTypes[] = {"SIRET", "TVA",  "TAHITI", "RIDET",
                                                "FRWF",  "IREP", "UE",     "HORS-UE"};
  return kTypes;
}

std::span<const std::string_view> PlaceCodeTypes() {
  static constexpr std::string_view kTypes[] = {
      "Code postal", "Code commune", "Code arrondissement", "Code canton", "Code département",
      "Code région", "Code pays"};
  return kTypes;
}

std::string MakeUid(std::string_view buyer_id, std::string_view id) {
  std::string uid;
  uid.reserve(buyer_id.size() + id.size());
  uid.append(buyer_id);
  uid.append(id);
  return uid;
}

}  // namespace limpide::domain
