#include "alerts/saved_search.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "domain/cpv.h"
#include "domain/procedure.h"
#include "domain/text.h"
#include "http/client.h"
#include "search/search.h"

namespace limpide::alerts {
namespace {

using nlohmann::json;

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument(field + ": " + why, field);
}

// A term from one token of the query (a word, or the inside of quotes).
Result<Term> MakeTerm(std::string written, const std::string& field) {
  Term t;
  t.folded = search::FoldedWords(written);
  if (t.folded.empty()) return Bad(field, "'" + written + "' holds no letter or digit");
  if (t.folded.size() == 1) t.stem = search::Stem(t.folded[0]);
  t.written = std::move(written);
  return t;
}

Result<std::vector<std::string>> StringArray(const json& body, const char* key) {
  std::vector<std::string> out;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return Bad(key, "must be an array of strings");
  if (it->size() > 100) return Bad(key, "at most 100 values");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_string())
      return Bad(std::string(key) + "[" + std::to_string(i) + "]", "must be a string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::optional<int64_t>> Amount(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number()) return Bad(key, "must be a number of euros");
  const double euros = it->get<double>();
  if (!std::isfinite(euros) || euros < 0 || euros > 1e13)
    return Bad(key, "must be between 0 and 10000000000000 euros");
  return std::optional<int64_t>(std::llround(euros * 100));
}

// http[s]://host[:port]/path: what the webhook sender can reach (the URL as
// the sender reads it, http::ParseHttpUrl), printable ASCII only.
Status CheckWebhook(const std::string& url) {
  const std::string field = "webhook";
  if (url.size() > 2000) return Bad(field, "longer than 2000 bytes");
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return Bad(field, "holds a space, a control or a non-ASCII character (percent-encode it)");
  }
  if (auto parsed = http::ParseHttpUrl(url); !parsed.ok()) return Bad(field, parsed.status().message());
  return Status::Ok();
}

Status CheckEmail(const std::string& email) {
  const std::string field = "email";
  if (email.size() > 254) return Bad(field, "longer than 254 bytes");
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos ||
      email.find('.', at) == std::string::npos || email.back() == '.')
    return Bad(field, "must be an address such as name@example.fr");
  for (const char c : email) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"')
      return Bad(field, "must be a plain ASCII address without spaces");
  }
  return Status::Ok();
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

Result<Keywords> ParseKeywords(std::string_view text, const std::string& field) {
  Keywords k;
  if (text.size() > kMaxQueryBytes)
    return Bad(field, "longer than " + std::to_string(kMaxQueryBytes) + " bytes");
  if (!domain::IsValidUtf8(text)) return Bad(field, "is not valid UTF-8");
  size_t i = 0;
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (i < text.size()) {
    if (space(text[i])) {
      ++i;
      continue;
    }
    bool excluded = false;
    if (text[i] == '-' && i + 1 < text.size() && !space(text[i + 1])) {
      excluded = true;
      ++i;
    }
    std::string token;
    bool quoted = false;
    if (text[i] == '"') {
      const size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos)
        return Bad(field,
                   "unbalanced quote: a phrase is written between two double quotes, "
                   "e.g. \"espaces verts\"");
      token = std::string(text.substr(i + 1, close - i - 1));
      i = close + 1;
      quoted = true;
    } else {
      size_t end = i;
      while (end < text.size() && !space(text[end]) && text[end] != '"') ++end;
      token = std::string(text.substr(i, end - i));
      i = end;
      if (const auto colon = token.find(':'); colon != std::string::npos && colon > 0) {
        const std::string name = token.substr(0, colon);
        if (std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            }))
          return Bad(field, "unknown field '" + name +
                                ":': the query holds words, \"phrases\" and -exclusions; "
                                "filters are the members cpv, departments, regions, "
                                "procedures, amountMin and amountMax");
      }
    }
    if (!quoted && token.empty()) continue;
    auto term = MakeTerm(token, field);
    if (!term.ok()) {
      if (quoted) return term.status();
      continue;  // punctuation alone ("-", "&") says nothing
    }
    if (!excluded && !term->phrase() && search::IsStopWord(term->folded[0])) continue;
    (excluded ? k.excluded : k.required).push_back(std::move(*term));
    if (k.required.size() + k.excluded.size() > kMaxTerms)
      return Bad(field, "more than " + std::to_string(kMaxTerms) + " words and phrases");
  }
  return k;
}

const std::vector<std::string>& SavedSearchMembers() {
  static const std::vector<std::string> kMembers = {
      "name",       "query",     "cpv",     "departments", "regions", "procedures",
      "amountMin",  "amountMax", "webhook", "email",       "emailMode"};
  return kMembers;
}

Result<SavedSearch> SavedSearchFromJson(const json& body) {
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    const auto& known = SavedSearchMembers();
    if (std::find(known.begin(), known.end(), key) == known.end())
      return Bad(key, "unknown member; known: name, query, cpv, departments, regions, "
                      "procedures, amountMin, amountMax, webhook, email, emailMode");
  }
  SavedSearch s;
  const auto string = [&](const char* key, std::string& out) -> Status {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return Status::Ok();
    if (!it->is_string()) return Bad(key, "must be a string");
    out = it->get<std::string>();
    return Status::Ok();
  };
  LIMPIDE_RETURN_IF_ERROR(string("name", s.name));
  if (s.name.size() > 200) return Bad("name", "longer than 200 bytes");
  if (!domain::IsValidUtf8(s.name)) return Bad("name", "is not valid UTF-8");
  LIMPIDE_RETURN_IF_ERROR(string("query", s.query));
  auto keywords = ParseKeywords(s.query, "query");
  if (!keywords.ok()) return keywords.status();
  s.keywords = std::move(*keywords);

  auto cpv = StringArray(body, "cpv");
  if (!cpv.ok()) return cpv.status();
  for (size_t i = 0; i < cpv->size(); ++i) {
    const std::string field = "cpv[" + std::to_string(i) + "]";
    auto digits = domain::ParseCpvPrefix((*cpv)[i]);
    if (!digits.ok())
      return Bad(field, "'" + (*cpv)[i] + "' is not a CPV code or prefix (2 to 8 digits)");
    std::string code8 = *digits;
    code8.resize(8, '0');
    const auto* code = domain::CpvTable::Get().Find(code8);
    if (digits->size() == 8 && !code) return Bad(field, "'" + (*cpv)[i] + "' is not in CPV 2008");
    // "45000000" and "45" are the same filter: the significant digits.
    std::string prefix = code && digits->size() == 8
                             ? std::string(domain::CpvSignificantPrefix(code8))
                             : *digits;
    if (prefix.size() < 2) prefix = digits->substr(0, 2);
    // The table is sorted by code: the first code not below the prefix starts with it, or none does.
    const auto& all = domain::CpvTable::Get().all();
    const auto first = std::lower_bound(
        all.begin(), all.end(), prefix,
        [](const domain::CpvCode& c, const std::string& p) { return c.code8 < p; });
    const bool known = first != all.end() && first->code8.compare(0, prefix.size(), prefix) == 0;
    if (!known) return Bad(field, "no CPV 2008 code starts with " + prefix);
    s.cpv.push_back(std::move(prefix));
  }
  SortUnique(s.cpv);

  auto departments = StringArray(body, "departments");
  if (!departments.ok()) return departments.status();
  for (size_t i = 0; i < departments->size(); ++i) {
    auto d = search::ParseDepartment((*departments)[i]);
    if (!d.ok())
      return Bad("departments[" + std::to_string(i) + "]",
                 "'" + (*departments)[i] + "' is not a department code (\"35\", \"2A\", \"974\")");
    s.explicit_departments.push_back(*d);
  }
  SortUnique(s.explicit_departments);
  auto regions = StringArray(body, "regions");
  if (!regions.ok()) return regions.status();
  for (size_t i = 0; i < regions->size(); ++i) {
    if (search::RegionName((*regions)[i]).empty())
      return Bad("regions[" + std::to_string(i) + "]",
                 "'" + (*regions)[i] + "' is not an INSEE region code (\"53\" Bretagne, \"11\" "
                                       "Île-de-France…)");
    s.regions.push_back((*regions)[i]);
  }
  SortUnique(s.regions);
  s.departments = s.explicit_departments;
  for (const auto& r : s.regions)
    for (const auto& d : search::RegionDepartments(r)) s.departments.push_back(d);
  SortUnique(s.departments);

  auto procedures = StringArray(body, "procedures");
  if (!procedures.ok()) return procedures.status();
  for (size_t i = 0; i < procedures->size(); ++i) {
    if (!domain::ProcedureFromCode((*procedures)[i]))
      return Bad("procedures[" + std::to_string(i) + "]",
                 "'" + (*procedures)[i] + "' is not a procedure code (see /api/v1/openapi.json)");
    s.procedures.push_back((*procedures)[i]);
  }
  SortUnique(s.procedures);

  auto min = Amount(body, "amountMin");
  if (!min.ok()) return min.status();
  auto max = Amount(body, "amountMax");
  if (!max.ok()) return max.status();
  s.amount_min_cents = *min;
  s.amount_max_cents = *max;
  if (s.amount_min_cents && s.amount_max_cents && *s.amount_min_cents > *s.amount_max_cents)
    return Bad("amountMax", "is below amountMin");

  LIMPIDE_RETURN_IF_ERROR(string("webhook", s.webhook));
  if (!s.webhook.empty()) LIMPIDE_RETURN_IF_ERROR(CheckWebhook(s.webhook));
  LIMPIDE_RETURN_IF_ERROR(string("email", s.email));
  if (!s.email.empty()) LIMPIDE_RETURN_IF_ERROR(CheckEmail(s.email));
  std::string mode;
  LIMPIDE_RETURN_IF_ERROR(string("emailMode", mode));
  if (mode.empty()) {
    s.email_mode = s.email.empty() ? EmailMode::kNone : EmailMode::kImmediate;
  } else if (s.email.empty()) {
    return Bad("emailMode", "needs an email address");
  } else if (mode == "immediate") {
    s.email_mode = EmailMode::kImmediate;
  } else if (mode == "daily") {
    s.email_mode = EmailMode::kDaily;
  } else {
    return Bad("emailMode", "must be \"immediate\" or \"daily\"");
  }

  if (s.keywords.required.empty() && s.cpv.empty() && s.departments.empty() &&
      s.procedures.empty() && !s.amount_min_cents && !s.amount_max_cents)
    return Status::InvalidArgument(
        "an alert needs at least one criterion: query, cpv, departments, regions, procedures, "
        "amountMin or amountMax",
        "query");
  return s;
}

json CriteriaToJson(const SavedSearch& s) {
  json j = {{"name", s.name},
            {"query", s.query},
            {"cpv", s.cpv},
            {"departments", s.explicit_departments},
            {"regions", s.regions},
            {"procedures", s.procedures}};
  if (s.amount_min_cents) j["amountMin"] = static_cast<double>(*s.amount_min_cents) / 100;
  if (s.amount_max_cents) j["amountMax"] = static_cast<double>(*s.amount_max_cents) / 100;
  j["webhook"] = s.webhook.empty() ? json() : json(s.webhook);
  j["email"] = s.email.empty() ? json() : json(s.email);
  j["emailMode"] = s.email.empty() ? json() : json(std::string(Code(s.email_mode)));
  return j;
}

std::string_view Code(EmailMode mode) {
  switch (mode) {
    case EmailMode::kImmediate:
      return "immediate";
    case EmailMode::kDaily:
      return "daily";
    case EmailMode::kNone:
      break;
  }
  return "none";
}

}  // namespace limpide::alerts
