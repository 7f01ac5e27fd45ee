// Private to http/: request-target splitting and percent-decoding, shared by
// the server (Request::path, Request::query) and the Router (path segments);
// web/forms.cpp also reads urlencoded form bodies with DecodeQuery (the same
// encoding), and `limpide tender` the cursor of a links.next URL.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace limpide::http::internal {

// Decodes %XX escapes of `in` into `out` (cleared first); with `plus_as_space`
// '+' becomes ' ' (query strings). False on a '%' not followed by two hex
// digits.
bool PercentDecode(std::string_view in, bool plus_as_space, std::string& out);

// The raw (still encoded) path of a request-target: origin-form
// "/a/b?x=1" gives "/a/b"; absolute-form "http://host/a?x" gives "/a";
// anything else (asterisk-form, authority-form) is returned unchanged.
std::string_view RawPath(std::string_view target);
// The raw query of a target (after the first '?', without the fragment), or "".
std::string_view RawQuery(std::string_view target);

// Splits and decodes a raw query "a=1&b=x+y" into pairs, appended to `out`.
// Empty pieces are skipped; "a" alone gives ("a", ""). False on bad escapes.
bool DecodeQuery(std::string_view raw_query, std::vector<std::pair<std::string, std::string>>& out);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace limpide::http::internal
