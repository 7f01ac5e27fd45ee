// Pieces for writing JSON text directly, byte for byte as nlohmann's
// serializer writes it (dump(-1, ' ', false, error_handler_t::replace)): the
// escapes of its dump_escaped with ensure_ascii = false, integers in decimal,
// doubles through its Grisu2 routine. Writers that mirror a DOM (keys in byte
// order, as nlohmann::json's std::map keeps them) use them to give the same
// text without building the DOM. Internal to formats/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace limpide::formats::json_text {

// Appends `s` as a JSON string. Invalid UTF-8 (rare) is replaced by U+FFFD
// exactly as nlohmann's `replace` handler does.
void AppendString(std::string& out, std::string_view s);
void AppendInt(std::string& out, int64_t v);
// A finite double as nlohmann writes it ("127000.5", "135000.0", "1e+20").
void AppendDouble(std::string& out, double d);

// Whether `text` is a JSON object exactly as nlohmann's dump writes the value
// it parses to, so that parsing and dumping it gives it back byte for byte: no
// whitespace; keys without escapes, in strictly increasing byte order (as
// std::map keeps them); strings of valid UTF-8 with AppendString's escapes;
// integers of at most 18 digits (not "-0"); true, false, null; arrays and
// objects nested at most 64 deep. False for anything else, which may still be
// valid JSON (a fraction, an exponent, "\/", "\u00e9", a space): the caller
// then parses and dumps it. Used to copy stored JSON as it is.
bool IsDumpedObject(std::string_view text);

// Writes `"key":` preceded by a comma unless `first`; clears `first`. `key` is
// a plain ASCII literal (not escaped).
inline void AppendKey(std::string& out, bool& first, std::string_view key) {
  if (!first) out.push_back(',');
  first = false;
  out.push_back('"');
  out += key;
  out += "\":";
}

}  // namespace limpide::formats::json_text
