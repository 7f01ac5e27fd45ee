// libFuzzer target for the consultation JSON readers (the buyer's form and the
// stored form) and the rules run on what they accept. Aborts when an
// invariant breaks: an error that is not invalid_argument, an accepted value
// whose JSON form does not read back, or a form that changes when read back
// (instants lose their sub-millisecond part once, then stay put).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "domain/consultation.h"
#include "formats/consultation_json.h"

namespace {

using namespace limpide;

void Check(bool ok) {
  if (!ok) std::abort();
}

void FuzzOne(std::string_view text, bool stored) {
  const Result<domain::Consultation> r =
      stored ? formats::ConsultationFromStoredJson(text) : formats::ConsultationFromJson(text);
  if (!r.ok()) {
    Check(r.status().code() == ErrorCode::kInvalidArgument);
    return;
  }
  const domain::Consultation& c = *r;
  if (!stored) Check(c.state == domain::ConsultationState::kDraft && !c.published_at);

  // The rules take any value the reader gives them.
  const domain::ProcedureRules rules = domain::DefaultRules();
  (void)domain::ValidateDraft(c);
  (void)domain::CheckMinimumPeriod(c, c.published_at.value_or(domain::Instant{}), rules);
  for (const domain::Instant now : {c.deadline, domain::Instant{c.deadline.micros - 1}}) {
    for (const domain::ConsultationAction a : domain::AllConsultationActions()) {
      const Status s = domain::CheckAction(c, a, now, rules);
      const Result<domain::Consultation> next = domain::Apply(c, a, now, rules);
      Check(s.ok() || (next.status().code() == ErrorCode::kConflict &&
                       next.status().message() == s.message()));
    }
  }

  const std::string once = formats::ConsultationToJson(c);
  const Result<domain::Consultation> back = formats::ConsultationFromStoredJson(once);
  Check(back.ok());
  Check(formats::ConsultationToJson(*back) == once);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FuzzOne(text, false);
  FuzzOne(text, true);
  return 0;
}
