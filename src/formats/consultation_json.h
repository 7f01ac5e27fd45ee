// The JSON form of a consultation (docs/procedure.md, "JSON form"): what the
// API serves, what a buyer posts, and what the store may keep.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "domain/consultation.h"

namespace limpide::formats {

// One JSON object, keys in byte order. Instants in UTC with milliseconds
// ("2026-12-20T11:00:00.000Z"), amounts as JSON numbers in euros as in
// ContractToJson, procedure, nature and state as {"code", "label"}. Writes
// c.state as stored: pass a copy whose state is EffectiveState(c, now) to show
// the state at `now`. Invalid UTF-8 in texts is replaced by U+FFFD.
std::string ConsultationToJson(const domain::Consultation& c);

// Reads what a buyer posts: the draft fields. The lifecycle fields that
// ConsultationToJson writes (state, publishedAt… amendments) are accepted and
// ignored, so that a document read from the API can be sent back edited; the
// result is always a draft with no timestamps. "procedure" and "deadline" are
// required; every other rule is ValidateDraft's (weights summing to 100…).
// Errors are invalid_argument naming the field as ValidateDraft does
// ("lots[0].cpv", "buyer.id"): not JSON (with line and column), not an object,
// an unknown field, a wrong type, an unknown code, a CPV code not in the
// table, an instant without an offset.
Result<domain::Consultation> ConsultationFromJson(std::string_view text);

// Reads everything ConsultationToJson writes, lifecycle included (for the
// store and for tests): FromStoredJson(ToJson(c)) == c when c's instants are
// whole milliseconds. Same errors, plus an unknown state code.
Result<domain::Consultation> ConsultationFromStoredJson(std::string_view text);

}  // namespace limpide::formats
