// libFuzzer target for the web form readers (web/forms.h): multipart bodies
// under a fixed and a fuzzed boundary, urlencoded bodies, and datetime-local
// values. Aborts when an invariant breaks: an error that is not
// invalid_argument, a part that points outside the body, or a local date that
// does not read back as itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "web/forms.h"

namespace {

using namespace limpide;

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::string type :
       {std::string("multipart/form-data; boundary=----limite42"),
        "multipart/form-data; boundary=" + std::string(text.substr(0, text.find('\n')))}) {
    auto parts = web::DecodeMultipart(type, text);
    if (!parts.ok()) {
      Check(parts.status().code() == ErrorCode::kInvalidArgument);
      continue;
    }
    size_t bytes = 0;
    for (const auto& p : *parts) bytes += p.name.size() + p.value.size();
    Check(bytes <= text.size());
  }
  web::Fields fields;
  (void)web::DecodeForm(text, fields);
  auto t = web::ParisLocalToInstant(text, "deadline");
  if (!t.ok()) {
    Check(t.status().code() == ErrorCode::kInvalidArgument);
  } else {
    // Away from the hour repeated in October, the local form reads back as itself.
    auto again = web::ParisLocalToInstant(web::InstantToParisLocal(*t), "deadline");
    Check(again.ok());
  }
  return 0;
}
