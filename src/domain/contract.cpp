#include "domain/contract.h"

namespace limpide::domain {

std::string MakeUid(std::string_view buyer_id, std::string_view id) {
  std::string uid;
  uid.reserve(buyer_id.size() + id.size());
  uid.append(buyer_id);
  uid.append(id);
  return uid;
}

}  // namespace limpide::domain
