// libFuzzer target for the reading of an SMTP relay's EHLO reply
// (alerts::OffersAuthPlain, alerts/send.h). Aborts when it finds AUTH PLAIN
// in a reply that has no line starting, after its four bytes of code, with
// "AUTH" and holding "PLAIN" (in any case).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "alerts/send.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view reply(reinterpret_cast<const char*>(data), size);
  if (!limpide::alerts::OffersAuthPlain(reply)) return 0;
  std::string upper(reply);
  for (char& ch : upper) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  size_t start = 0;
  while (start <= upper.size()) {
    size_t eol = upper.find("\r\n", start);
    if (eol == std::string::npos) eol = upper.size();
    const std::string_view line = std::string_view(upper).substr(start, eol - start);
    if (line.size() >= 9 && line.substr(4, 4) == "AUTH" &&
        line.find("PLAIN", 9) != std::string_view::npos) {
      return 0;
    }
    start = eol + 2;
  }
  std::abort();
}
