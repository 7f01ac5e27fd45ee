#include "alerts/alerts.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>

#include "alerts/matcher.h"
#include "alerts/saved_search.h"
#include "alerts/send.h"
#include "crypto/crypto.h"
#include "formats/consultation_json.h"
#include "ledger/entry.h"
#include "search/search.h"

namespace limpide::alerts {
namespace {

using domain::Instant;
using nlohmann::json;

constexpr std::string_view kAlert = "alert";
constexpr std::string_view kUserAlert = "user-alert";
constexpr std::string_view kMeta = "alert-meta";
constexpr std::string_view kCursor = "alert-cursor";
constexpr std::string_view kMatch = "alert-match";
constexpr std::string_view kDelivery = "alert-delivery";
constexpr std::string_view kOutbox = "alert-outbox";
constexpr std::string_view kChange = "alert-change";
constexpr std::string_view kSeen = "alert-seen";
constexpr int64_t kMicrosPerDay = int64_t{86400} * 1'000'000;

std::string Millis(Instant t) { return domain::FormatInstantMillis(t); }
Instant ParseMillis(const json& j, const char* key, Instant fallback) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  auto t = domain::ParseInstant(it->get<std::string>());
  return t.ok() ? *t : fallback;
}
std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string RandomHex(size_t bytes) {
  const crypto::Hash h = crypto::Sha256(crypto::RandomToken());
  return crypto::ToHex(std::span<const uint8_t>(h.data(), std::min(bytes, h.size())));
}
std::string KeyHash(std::string_view key) { return crypto::ToHex(crypto::Sha256(key)); }

// Ledger positions as ids that list newest first.
std::string RSeq(uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%019llu",
                static_cast<unsigned long long>(999'999'999'999'999'999ULL - seq));
  return buf;
}

Status NotFound(std::string_view id) { return Status::NotFound("no alert " + std::string(id)); }

Status EnsureCompany(const app::Principal& who) {
  if (who.role != app::UserRole::kCompanyRep && who.role != app::UserRole::kAdmin)
    return Status(ErrorCode::kPermissionDenied, "only company representatives save searches");
  return Status::Ok();
}

// The start of the latest digest slot at or before `now`: `hour`:00 in
// Europe/Paris, today or yesterday.
Instant LatestSlot(Instant now, int hour) {
  const int64_t offset = int64_t{domain::ParisOffsetMinutes(now)} * 60'000'000;
  const int64_t local = now.micros + offset;
  int64_t slot = local - ((local % kMicrosPerDay) + kMicrosPerDay) % kMicrosPerDay +
                 int64_t{hour} * 3600'000'000;
  if (slot > local) slot -= kMicrosPerDay;
  return Instant{slot - offset};
}

std::string DepartmentLabel(const std::string& d) {
  const std::string_view name = search::DepartmentName(d);
  return name.empty() ? d : d + " " + std::string(name);
}

json ReasonJson(const MatchReason& r) {
  json j = json::object();
  std::vector<std::string> parts;
  if (!r.words.empty()) {
    j["words"] = r.words;
    std::string w;
    for (const auto& x : r.words) w += (w.empty() ? "" : ", ") + x;
    parts.push_back("mots : " + w);
  }
  if (!r.cpv_filter.empty()) {
    j["cpv"] = {{"filter", r.cpv_filter}, {"code", r.cpv_code}};
    parts.push_back("code CPV " + r.cpv_code + " (sous " + r.cpv_filter + ")");
  }
  if (!r.department.empty()) {
    json place = {{"department", r.department},
                  {"name", std::string(search::DepartmentName(r.department))}};
    std::string text = "lieu : " + DepartmentLabel(r.department);
    if (!r.region.empty()) {
      place["region"] = r.region;
      place["regionName"] = std::string(search::RegionName(r.region));
      text += " (région " + std::string(search::RegionName(r.region)) + ")";
    }
    j["place"] = std::move(place);
    parts.push_back(std::move(text));
  }
  if (!r.procedure.empty()) {
    j["procedure"] = r.procedure;
    parts.push_back("procédure : " + r.procedure);
  }
  if (r.amount) {
    j["amount"] = true;
    parts.push_back("montant estimé dans la fourchette");
  }
  std::string summary;
  for (const auto& p : parts) summary += (summary.empty() ? "" : " ; ") + p;
  j["summary"] = summary;
  return j;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows no other control character.
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') break;
        out.push_back(ch);
    }
  }
  return out;
}

// A loaded alert: its search and its stored form.
struct Loaded {
  SavedSearch search;
  json raw;
  int64_t version = 0;
};

Result<Loaded> ReadAlert(const Result<store::StoredObject>& obj, std::string_view id) {
  if (!obj.ok()) {
    if (obj.status().code() == ErrorCode::kNotFound) return NotFound(id);
    return obj.status();
  }
  json raw = json::parse(obj->body, nullptr, false);
  if (raw.is_discarded() || !raw.is_object())
    return Status::Internal("stored alert " + std::string(id) + " is not readable");
  auto search = SavedSearchFromJson(raw.value("criteria", json::object()));
  if (!search.ok())
    return Status::Internal("stored alert " + std::string(id) + ": " + search.status().ToString());
  search->id = Str(raw, "id");
  search->owner = Str(raw, "owner");
  search->org = Str(raw, "org");
  return Loaded{std::move(*search), std::move(raw), obj->version};
}

std::string Padded(int64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%019lld", static_cast<long long>(n));
  return buf;
}

// Records that alert `id` changed (created, replaced, deleted): the
// generation grows by one and the change log says which alert it was, so
// that the matchers in memory apply this change alone (EnsureLoaded). The
// entry `keep` generations back goes: the log holds the last `keep` changes.
Status BumpGeneration(store::WriteTransaction& txn, std::string_view id, int64_t keep) {
  auto g = txn.GetObject(kMeta, "generation");
  if (!g.ok() && g.status().code() != ErrorCode::kNotFound) return g.status();
  auto v = txn.PutObject(kMeta, "generation", "{}", g.ok() ? g->version : 0);
  if (!v.ok()) return v.status();
  LIMPIDE_RETURN_IF_ERROR(txn.PutObject(kChange, Padded(*v), Dump(json{{"alert", id}}), 0).status());
  if (*v > keep) {
    Status gone = txn.DeleteObject(kChange, Padded(*v - keep));
    // Absent: logged before trimming existed, or already trimmed by hand.
    if (!gone.ok() && gone.code() != ErrorCode::kNotFound) return gone;
  }
  return Status::Ok();
}

// Adds a delivery of match `seq` on `channel` to the alert's outbox.
Status Enqueue(store::WriteTransaction& txn, const std::string& alert, const std::string& channel,
               uint64_t seq, const std::string& tender, Instant now) {
  const std::string id = alert + "/" + channel + "/" + RSeq(seq);
  json d = {{"id", id},           {"alert", alert},        {"channel", channel},
            {"tender", tender},   {"seq", seq},            {"state", "pending"},
            {"attempts", 0},      {"created", Millis(now)}, {"nextTry", Millis(now)}};
  LIMPIDE_RETURN_IF_ERROR(txn.PutObject(kDelivery, id, Dump(d), 0).status());
  const std::string box_id = alert + "/" + channel;
  auto box = txn.GetObject(kOutbox, box_id);
  json b = {{"pending", json::array()}};
  int64_t version = 0;
  if (box.ok()) {
    b = json::parse(box->body, nullptr, false);
    if (!b.is_object() || !b.contains("pending")) b = {{"pending", json::array()}};
    version = box->version;
  } else if (box.status().code() != ErrorCode::kNotFound) {
    return box.status();
  }
  if (b["pending"].empty()) b["nextTry"] = Millis(now);
  b["pending"].push_back(id);
  return txn.PutObject(kOutbox, box_id, Dump(b), version).status();
}

}  // namespace

struct Alerts::Impl {
  store::Store& store;
  AlertsOptions options;

  std::mutex catchup_mu;  // one CatchUp at a time in this process
  // The live searches and the matcher over them, kept up to date change by
  // change (EnsureLoaded).
  std::mutex cache_mu;
  int64_t generation = -1;
  std::unique_ptr<Matcher> matcher;
  std::vector<std::shared_ptr<const Loaded>> by_slot;  // the matcher's slots
  std::unordered_map<std::string, uint32_t> slot_of;   // alert id -> slot

  std::mutex jobs_mu;
  std::condition_variable jobs_cv;
  std::set<std::string> in_flight;  // outbox ids being worked on

  Impl(store::Store& s, AlertsOptions o) : store(s), options(std::move(o)) {}

  mutable std::mutex url_mu;
  std::string PublicUrl() const {
    std::lock_guard lock(url_mu);
    return options.public_url;
  }

  Instant Now() const { return options.now ? options.now() : app::SystemNow(); }

  Result<Loaded> Owned(const app::Principal& who, std::string_view id) {
    auto a = ReadAlert(store.GetObject(kAlert, id), id);
    if (!a.ok()) return a.status();
    if (a->raw.value("deleted", false) || Str(a->raw, "owner") != who.user_id) return NotFound(id);
    return a;
  }

  json View(const Loaded& a) const {
    json v = CriteriaToJson(a.search);
    v["id"] = a.search.id;
    v["created"] = a.raw.value("created", "");
    v["updated"] = a.raw.value("updated", "");
    const std::string self = "/api/v1/alerts/" + a.search.id;
    v["links"] = {{"self", self},
                  {"matches", self + "/matches"},
                  {"deliveries", self + "/deliveries"},
                  {"feed", self + "/feed?key=…"}};
    return v;
  }

  std::string FeedUrl(const std::string& id, const std::string& key) const {
    return PublicUrl() + "/api/v1/alerts/" + id + "/feed?key=" + key;
  }

  // Brings the matcher up to date: the changes logged since the last call
  // are applied one by one (a few microseconds each); everything is read
  // again on the first call, or when the log does not account for every
  // change. Holds cache_mu.
  Status EnsureLoadedLocked() {
    auto g = store.GetObject(kMeta, "generation");
    if (!g.ok() && g.status().code() != ErrorCode::kNotFound) return g.status();
    const int64_t generation_now = g.ok() ? g->version : 0;
    if (generation_now == generation && matcher) return Status::Ok();
    if (matcher && generation_now > generation) {
      // The alerts changed since, in the order of the log.
      std::vector<std::string> changed;
      store::PageRequest page{store::ObjectCursorAfter(Padded(generation)), 1000};
      int64_t expect = generation + 1;
      bool complete = true;
      while (expect <= generation_now && complete) {
        auto objs = store.ListObjects(kChange, "", page);
        if (!objs.ok()) return objs.status();
        for (const auto& o : objs->items) {
          if (expect > generation_now) break;
          if (o.id != Padded(expect)) {
            complete = false;  // a change without its log entry: read everything
            break;
          }
          json c = json::parse(o.body, nullptr, false);
          if (!c.is_object()) return Status::Internal("alert change " + o.id + " is not readable");
          changed.push_back(Str(c, "alert"));
          ++expect;
        }
        if (objs->next.empty()) break;
        page.after = objs->next;
      }
      complete = complete && expect > generation_now;
      if (complete) {
        for (const auto& id : changed) LIMPIDE_RETURN_IF_ERROR(Reload(id));
        generation = generation_now;
        return Status::Ok();
      }
    }
    // Everything, from scratch.
    std::vector<std::shared_ptr<const Loaded>> list;
    store::PageRequest page{"", 1000};
    for (;;) {
      auto objs = store.ListObjects(kAlert, "", page);
      if (!objs.ok()) return objs.status();
      for (const auto& o : objs->items) {
        auto a = ReadAlert(o, o.id);
        if (!a.ok()) return a.status();
        if (!a->raw.value("deleted", false))
          list.push_back(std::make_shared<const Loaded>(std::move(*a)));
      }
      if (objs->next.empty()) break;
      page.after = objs->next;
    }
    std::vector<std::shared_ptr<const SavedSearch>> searches;
    searches.reserve(list.size());
    slot_of.clear();
    for (uint32_t i = 0; i < list.size(); ++i) {
      searches.emplace_back(list[i], &list[i]->search);  // shares the Loaded
      slot_of[list[i]->search.id] = i;
    }
    matcher = std::make_unique<Matcher>(std::move(searches));
    by_slot = std::move(list);
    generation = generation_now;
    return Status::Ok();
  }
  Status EnsureLoaded() {
    std::lock_guard lock(cache_mu);
    return EnsureLoadedLocked();
  }

  // Applies the current state of alert `id` to the matcher.
  Status Reload(const std::string& id) {
    if (auto it = slot_of.find(id); it != slot_of.end()) {
      matcher->Remove(it->second);
      by_slot[it->second].reset();
      slot_of.erase(it);
    }
    auto a = ReadAlert(store.GetObject(kAlert, id), id);
    if (!a.ok()) return a.status().code() == ErrorCode::kNotFound ? Status::Ok() : a.status();
    if (a->raw.value("deleted", false)) return Status::Ok();
    auto loaded = std::make_shared<const Loaded>(std::move(*a));
    const uint32_t slot = matcher->Add(std::shared_ptr<const SavedSearch>(loaded, &loaded->search));
    if (slot >= by_slot.size()) by_slot.resize(slot + 1);
    by_slot[slot] = std::move(loaded);
    slot_of[id] = slot;
    return Status::Ok();
  }

  // The live alerts with a daily digest.
  std::vector<std::shared_ptr<const Loaded>> DailyAlerts() {
    std::lock_guard lock(cache_mu);
    std::vector<std::shared_ptr<const Loaded>> out;
    for (const auto& a : by_slot)
      if (a && a->search.email_mode == EmailMode::kDaily) out.push_back(a);
    return out;
  }

  // The notice of a "tender.published" entry: the entry's body completed by
  // the stored consultation (description, lots, additional codes, place type).
  Result<Notice> NoticeOf(const ledger::Entry& e, json& summary) {
    const json& b = e.body;
    Notice n;
    n.id = e.subject;
    n.text = Str(b, "title");
    n.procedure = Str(b, "procedure");
    if (!Str(b, "cpv").empty()) n.cpv.push_back(Str(b, "cpv"));
    if (auto it = b.find("estimated_value_cents"); it != b.end() && it->is_number_integer())
      n.amount_cents = it->get<int64_t>();
    std::string place = Str(b, "place"), place_type = "Code département";
    auto stored = store.GetObject("tender", e.subject);
    if (stored.ok()) {
      json body = json::parse(stored->body, nullptr, false);
      if (body.is_object() && body.contains("consultation")) {
        auto c = formats::ConsultationFromStoredJson(body["consultation"].dump());
        if (c.ok()) {
          n.text += "\n" + c->description;
          for (const auto& code : c->additional_cpv) n.cpv.push_back(code);
          for (const auto& lot : c->lots) {
            n.text += "\n" + lot.title;
            if (!lot.cpv.empty()) n.cpv.push_back(lot.cpv);
          }
          place = c->place_code;
          place_type = c->place_type;
        }
      }
    } else if (stored.status().code() != ErrorCode::kNotFound) {
      return stored.status();
    }
    n.department = search::DepartmentOf(place, place_type);
    summary = {{"tender", n.id},
               {"title", Str(b, "title")},
               {"buyer", b.value("buyer", json::object())},
               {"cpv", Str(b, "cpv")},
               {"department", n.department},
               {"procedure", n.procedure},
               {"deadline", Str(b, "deadline")},
               {"published", e.time},
               {"seq", e.seq},
               {"url", PublicUrl() + "/consultations/" + n.id}};
    if (n.amount_cents) summary["estimatedValueCents"] = *n.amount_cents;
    return n;
  }

  Result<uint64_t> CatchUp() {
    std::lock_guard lock(catchup_mu);
    for (;;) {
      auto cursor = store.GetObject(kCursor, "matcher");
      if (!cursor.ok() && cursor.status().code() != ErrorCode::kNotFound) return cursor.status();
      const int64_t version = cursor.ok() ? cursor->version : 0;
      uint64_t pos = 0;
      if (cursor.ok()) {
        json c = json::parse(cursor->body, nullptr, false);
        if (c.is_object()) pos = c.value("position", uint64_t{0});
      }
      auto size = store.LedgerSize();
      if (!size.ok()) return size.status();
      if (pos >= *size) return pos;
      auto records = store.LedgerEntries(pos, std::min(*size, pos + 500));
      if (!records.ok()) return records.status();
      if (records->empty()) return pos;
      std::vector<std::pair<Notice, json>> notices;
      for (const auto& r : *records) {
        if (r.kind != "tender.published" && r.kind != "tender.amended") continue;
        auto e = ledger::DecodeEntry(r.entry);
        if (!e.ok()) return Status::Internal("ledger entry " + std::to_string(r.seq) + ": " +
                                             e.status().ToString());
        json summary;
        auto n = NoticeOf(*e, summary);
        if (!n.ok()) return n.status();
        if (r.kind == "tender.amended") {
          const json amendment = e->body.value("amendment", json::object());
          summary["amendment"] = {{"number", amendment.value("number", 0)},
                                  {"summary", Str(amendment, "summary")}};
        }
        notices.emplace_back(std::move(*n), std::move(summary));
      }
      // The matching alerts of each notice, with why they matched: the
      // reasons are worked out for the matches only, after the matcher.
      struct Hit {
        std::shared_ptr<const Loaded> alert;
        MatchReason reason;
      };
      std::vector<std::vector<Hit>> hits(notices.size());
      if (!notices.empty()) {
        std::lock_guard cache(cache_mu);
        LIMPIDE_RETURN_IF_ERROR(EnsureLoadedLocked());
        for (size_t i = 0; i < notices.size(); ++i) {
          const auto slots = matcher->MatchNotice(notices[i].first);
          auto reasons = matcher->Explain(notices[i].first, slots);
          for (size_t k = 0; k < slots.size(); ++k) {
            if (!reasons[k])
              return Status::Internal("the matcher and the rule disagree on alert " +
                                      by_slot[slots[k]]->search.id);
            hits[i].push_back({by_slot[slots[k]], std::move(*reasons[k])});
          }
        }
      }
      const Instant now = Now();
      auto txn = store.BeginWrite();
      if (!txn.ok()) return txn.status();
      // Another node may have matched these entries meanwhile: start again.
      auto again = (*txn)->GetObject(kCursor, "matcher");
      if ((again.ok() ? again->version : 0) != version) continue;
      for (size_t i = 0; i < notices.size(); ++i) {
        const auto& [notice, summary] = notices[i];
        const bool amended = summary.contains("amendment");
        for (const auto& [alert, reason] : hits[i]) {
          const Loaded& a = *alert;
          const uint64_t seq = summary["seq"].get<uint64_t>();
          const std::string mid = a.search.id + "/" + RSeq(seq);
          if ((*txn)->GetObject(kMatch, mid).ok()) continue;  // recorded already
          // One alert per search and consultation: an amendment alerts only
          // the searches it makes match for the first time (docs/alerts.md).
          const std::string seen_id = a.search.id + "/" + notice.id;
          auto seen = (*txn)->GetObject(kSeen, seen_id);
          if (seen.ok()) continue;
          if (seen.status().code() != ErrorCode::kNotFound) return seen.status();
          LIMPIDE_RETURN_IF_ERROR(
              (*txn)->PutObject(kSeen, seen_id, Dump(json{{"seq", seq}}), 0).status());
          json record = summary;
          record["alert"] = a.search.id;
          record["matched"] = Millis(now);
          record["reason"] = ReasonJson(reason);
          if (amended) {
            record["reason"]["amendment"] = summary["amendment"];
            record["reason"]["summary"] =
                Str(record["reason"], "summary") + " ; après la modification n°" +
                std::to_string(summary["amendment"].value("number", 0));
          }
          LIMPIDE_RETURN_IF_ERROR((*txn)->PutObject(kMatch, mid, Dump(record), 0).status());
          if (!a.search.webhook.empty())
            LIMPIDE_RETURN_IF_ERROR(Enqueue(**txn, a.search.id, "webhook", seq, notice.id, now));
          if (a.search.email_mode == EmailMode::kImmediate)
            LIMPIDE_RETURN_IF_ERROR(Enqueue(**txn, a.search.id, "email", seq, notice.id, now));
        }
      }
      const uint64_t next = records->back().seq + 1;
      LIMPIDE_RETURN_IF_ERROR(
          (*txn)->PutObject(kCursor, "matcher", Dump(json{{"position", next}}), version).status());
      LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
    }
  }

  // ---- Delivery ----

  // Sends one delivery; ok, or the reason it failed.
  Status Send(const Loaded& a, const json& d, const json& match) {
    const std::string channel = Str(d, "channel");
    if (channel == "webhook") {
      if (a.search.webhook.empty()) return Status::FailedPrecondition("the alert has no webhook");
      const json payload = {{"event", "alert.match"},
                            {"delivery", Str(d, "id")},
                            {"alert", {{"id", a.search.id}, {"name", a.search.name}}},
                            {"match", match}};
      const std::string body = Dump(payload);
      const std::string t = std::to_string(Now().micros / 1'000'000);
      const crypto::Hash mac = crypto::HmacSha256(Str(a.raw, "webhook_secret"), t + "." + body);
      auto status = PostHttp(a.search.webhook,
                             {{"Content-Type", "application/json"},
                              {"Limpide-Delivery", Str(d, "id")},
                              {"Limpide-Signature", "t=" + t + ",v1=" + crypto::ToHex(mac)}},
                             body, options.send_timeout);
      if (!status.ok()) return status.status();
      if (*status < 200 || *status > 299)
        return Status::Unavailable("the endpoint answered " + std::to_string(*status));
      return Status::Ok();
    }
    if (channel == "email") {
      if (a.search.email.empty()) return Status::FailedPrecondition("the alert has no e-mail");
      if (options.smtp.host.empty())
        return Status::Unavailable("no SMTP server configured (limpide serve --smtp)");
      Mail mail;
      mail.from = options.mail_from;
      mail.to = a.search.email;
      mail.subject = "[Limpide] " + (a.search.name.empty() ? "Alerte" : a.search.name) + " : " +
                     Str(match, "title");
      mail.body = "Une nouvelle consultation correspond à votre recherche « " + a.search.name +
                  " ».\n\n" + MatchText(match) + "\nVos alertes : " + PublicUrl() +
                  "/api/v1/alerts\n";
      return SendMail(options.smtp, mail, options.send_timeout);
    }
    return Status::Internal("unknown channel " + channel);
  }

  static std::string DeadlineText(const json& match) {
    auto t = domain::ParseInstant(Str(match, "deadline"));
    return t.ok() ? domain::FormatInstantParis(*t) : Str(match, "deadline");
  }

  static std::string MatchText(const json& match) {
    const json buyer = match.value("buyer", json::object());
    return "* " + Str(match, "title") + "\n  Acheteur : " + Str(buyer, "name") +
           "\n  Date limite : " + DeadlineText(match) +
           "\n  Pourquoi : " + Str(match.value("reason", json::object()), "summary") + "\n  " +
           Str(match, "url") + "\n";
  }

  // Works through the outbox `box_id` ("<alert>/<channel>") in order until
  // it is empty, a delivery is not due, or one fails.
  void RunOutbox(const std::string& box_id, Instant now) {
    const std::string alert_id = box_id.substr(0, box_id.find('/'));
    for (int step = 0; step < 1000; ++step) {
      auto box = store.GetObject(kOutbox, box_id);
      if (!box.ok()) return;
      json b = json::parse(box->body, nullptr, false);
      if (!b.is_object() || !b.contains("pending") || b["pending"].empty()) return;
      const std::string did = b["pending"][0].get<std::string>();
      auto dobj = store.GetObject(kDelivery, did);
      if (!dobj.ok()) return;
      json d = json::parse(dobj->body, nullptr, false);
      if (!d.is_object()) return;
      if (ParseMillis(d, "nextTry", now) > now) return;
      auto a = ReadAlert(store.GetObject(kAlert, alert_id), alert_id);
      Status sent = Status::Ok();
      bool give_up = false;
      if (!a.ok() || a->raw.value("deleted", false)) {
        sent = Status::FailedPrecondition("the alert was deleted");
        give_up = true;
      } else {
        const std::string mid = alert_id + "/" + RSeq(d.value("seq", uint64_t{0}));
        auto match = store.GetObject(kMatch, mid);
        json m = match.ok() ? json::parse(match->body, nullptr, false) : json::object();
        sent = Send(*a, d, m);
        give_up = sent.code() == ErrorCode::kFailedPrecondition;
      }
      const int attempts = d.value("attempts", 0) + 1;
      d["attempts"] = attempts;
      d["lastAttempt"] = Millis(now);
      bool done = true;
      if (sent.ok()) {
        d["state"] = "sent";
        d["sent"] = Millis(now);
        d.erase("nextTry");
      } else {
        d["lastError"] = sent.message();
        if (give_up || attempts >= options.max_attempts) {
          d["state"] = "parked";
          d.erase("nextTry");
        } else {
          auto wait = options.retry_base * (int64_t{1} << std::min(attempts - 1, 30));
          wait = std::min<std::chrono::milliseconds>(wait, options.retry_max);
          d["state"] = "pending";
          d["nextTry"] = Millis(Instant{now.micros + wait.count() * 1000});
          done = false;
        }
      }
      auto txn = store.BeginWrite();
      if (!txn.ok()) return;
      if (!(*txn)->PutObject(kDelivery, did, Dump(d), dobj->version).ok()) return;
      if (done) b["pending"].erase(b["pending"].begin());
      if (!b["pending"].empty()) b["nextTry"] = done ? Millis(now) : Str(d, "nextTry");
      if (!(*txn)->PutObject(kOutbox, box_id, Dump(b), box->version).ok()) return;
      if (!(*txn)->Commit().ok()) return;
      if (!done) return;  // order is kept per endpoint: wait for the retry
    }
  }

  // Sends the daily digest of alert `a` when its slot has come.
  void RunDigest(const Loaded& a, Instant now) {
    const std::string box_id = a.search.id + "/digest";
    auto box = store.GetObject(kOutbox, box_id);
    json b = box.ok() ? json::parse(box->body, nullptr, false) : json::object();
    if (!b.is_object()) b = json::object();
    const Instant created = ParseMillis(a.raw, "created", now);
    const Instant last = ParseMillis(b, "lastSent", created);
    const Instant slot = LatestSlot(now, options.digest_hour);
    if (slot <= last || ParseMillis(b, "nextTry", now) > now) return;
    // The matches since the last digest, and those closing within 7 days.
    std::vector<json> fresh, closing;
    store::PageRequest page{"", 500};
    auto matches = store.ListObjects(kMatch, a.search.id + "/", page);
    if (!matches.ok()) return;
    for (const auto& o : matches->items) {
      json m = json::parse(o.body, nullptr, false);
      if (!m.is_object()) continue;
      if (ParseMillis(m, "matched", now) > last) fresh.push_back(m);
      const Instant deadline = ParseMillis(m, "deadline", Instant{0});
      if (deadline > now && deadline.micros <= now.micros + 7 * kMicrosPerDay) closing.push_back(m);
    }
    std::sort(closing.begin(), closing.end(), [](const json& x, const json& y) {
      return Str(x, "deadline") < Str(y, "deadline");
    });
    Status sent = Status::Ok();
    const std::string did = a.search.id + "/digest/" + RSeq(static_cast<uint64_t>(slot.micros / 1000));
    if (!fresh.empty() || !closing.empty()) {
      if (options.smtp.host.empty()) {
        sent = Status::Unavailable("no SMTP server configured (limpide serve --smtp)");
      } else {
        Mail mail;
        mail.from = options.mail_from;
        mail.to = a.search.email;
        mail.subject = "[Limpide] " + (a.search.name.empty() ? "Alerte" : a.search.name) +
                       " : résumé du jour";
        std::string text = "Résumé de votre recherche « " + a.search.name + " ».\n\n";
        text += "Nouvelles consultations (" + std::to_string(fresh.size()) + ")\n\n";
        for (const auto& m : fresh) text += MatchText(m) + "\n";
        if (fresh.empty()) text += "Aucune depuis le dernier résumé.\n\n";
        text += "Clôture dans les 7 jours (" + std::to_string(closing.size()) + ")\n\n";
        for (const auto& m : closing) text += MatchText(m) + "\n";
        if (closing.empty()) text += "Aucune.\n\n";
        text += "Vos alertes : " + PublicUrl() + "/api/v1/alerts\n";
        mail.body = std::move(text);
        sent = SendMail(options.smtp, mail, options.send_timeout);
      }
    }
    const int attempts = b.value("attempts", 0) + 1;
    auto txn = store.BeginWrite();
    if (!txn.ok()) return;
    if (!fresh.empty() || !closing.empty()) {
      auto prev = (*txn)->GetObject(kDelivery, did);
      json d = {{"id", did},
                {"alert", a.search.id},
                {"channel", "digest"},
                {"slot", Millis(slot)},
                {"new", fresh.size()},
                {"closing", closing.size()},
                {"attempts", attempts},
                {"lastAttempt", Millis(now)},
                {"state", sent.ok() ? "sent" : "pending"}};
      if (!sent.ok()) d["lastError"] = sent.message();
      if (!sent.ok() && attempts >= options.max_attempts) d["state"] = "parked";
      if (!(*txn)->PutObject(kDelivery, did, Dump(d), prev.ok() ? prev->version : 0).ok()) return;
    }
    if (sent.ok() || attempts >= options.max_attempts) {
      b = {{"lastSent", Millis(now)}, {"attempts", 0}};
    } else {
      auto wait = options.retry_base * (int64_t{1} << std::min(attempts - 1, 30));
      wait = std::min<std::chrono::milliseconds>(wait, options.retry_max);
      b["attempts"] = attempts;
      b["nextTry"] = Millis(Instant{now.micros + wait.count() * 1000});
    }
    if (!(*txn)->PutObject(kOutbox, box_id, Dump(b), box.ok() ? box->version : 0).ok()) return;
    (void)(*txn)->Commit();
  }

  // Runs `job` on its own thread unless `key` is in flight already or too
  // many are.
  template <typename Job>
  void Dispatch(const std::string& key, Job job) {
    {
      std::lock_guard lock(jobs_mu);
      if (in_flight.count(key) ||
          static_cast<int>(in_flight.size()) >= std::max(1, options.max_parallel))
        return;
      in_flight.insert(key);
    }
    std::thread([this, key, job = std::move(job)]() mutable {
      job();
      std::lock_guard lock(jobs_mu);
      in_flight.erase(key);
      jobs_cv.notify_all();
    }).detach();
  }

  Status RunDue(Instant now) {
    LIMPIDE_RETURN_IF_ERROR(CatchUp().status());
    LIMPIDE_RETURN_IF_ERROR(EnsureLoaded());
    const auto alerts = DailyAlerts();
    const Instant slot = LatestSlot(now, options.digest_hour);
    std::set<std::string> digests_not_due;  // alert ids
    store::PageRequest page{"", 1000};
    for (;;) {
      auto boxes = store.ListObjects(kOutbox, "", page);
      if (!boxes.ok()) return boxes.status();
      for (const auto& o : boxes->items) {
        json b = json::parse(o.body, nullptr, false);
        if (o.id.ends_with("/digest")) {
          if (b.is_object() && (ParseMillis(b, "lastSent", now) >= slot ||
                                ParseMillis(b, "nextTry", now) > now))
            digests_not_due.insert(o.id.substr(0, o.id.find('/')));
          continue;
        }
        if (!b.is_object() || !b.contains("pending") || b["pending"].empty()) continue;
        if (ParseMillis(b, "nextTry", now) > now) continue;
        Dispatch(o.id, [this, id = o.id, now] { RunOutbox(id, now); });
      }
      if (boxes->next.empty()) break;
      page.after = boxes->next;
    }
    for (const auto& a : alerts) {
      if (slot <= ParseMillis(a->raw, "created", now) || digests_not_due.count(a->search.id))
        continue;
      Dispatch(a->search.id + "/digest", [this, a, now] { RunDigest(*a, now); });
    }
    return Status::Ok();
  }

  void Drain() {
    std::unique_lock lock(jobs_mu);
    jobs_cv.wait(lock, [this] { return in_flight.empty(); });
  }
};

Alerts::Alerts(store::Store& store, AlertsOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}

Alerts::~Alerts() { impl_->Drain(); }

Result<json> Alerts::Create(const app::Principal& who, const json& body) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(who));
  auto s = SavedSearchFromJson(body);
  if (!s.ok()) return s.status();
  const Instant now = impl_->Now();
  const std::string id = "al_" + RandomHex(8);
  const std::string key = crypto::RandomToken().substr(4);  // 43 base64url characters
  const std::string secret = "whsec_" + crypto::RandomToken().substr(4);
  json raw = {{"id", id},
              {"owner", who.user_id},
              {"org", who.org_id},
              {"created", Millis(now)},
              {"updated", Millis(now)},
              {"criteria", CriteriaToJson(*s)},
              {"feed_key_sha256", KeyHash(key)},
              {"webhook_secret", secret}};
  auto txn = impl_->store.BeginWrite();
  if (!txn.ok()) return txn.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->PutObject(kAlert, id, Dump(raw), 0).status());
  LIMPIDE_RETURN_IF_ERROR((*txn)->PutObject(kUserAlert, who.user_id + "/" + id, "{}", 0).status());
  LIMPIDE_RETURN_IF_ERROR(BumpGeneration(**txn, id, std::max<int64_t>(1, impl_->options.change_log_keep)));
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  s->id = id;
  json v = impl_->View(Loaded{*s, raw, 1});
  v["feedUrl"] = impl_->FeedUrl(id, key);
  if (!s->webhook.empty()) v["webhookSecret"] = secret;
  return v;
}

Result<json> Alerts::List(const app::Principal& who, const store::PageRequest& page) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(who));
  auto refs = impl_->store.ListObjects(kUserAlert, who.user_id + "/", page);
  if (!refs.ok()) return refs.status();
  json data = json::array();
  for (const auto& r : refs->items) {
    const std::string id = r.id.substr(r.id.find('/') + 1);
    auto a = impl_->Owned(who, id);
    if (a.ok()) data.push_back(impl_->View(*a));
    else if (a.status().code() != ErrorCode::kNotFound) return a.status();
  }
  json out = {{"data", std::move(data)}};
  out["next"] = refs->next.empty() ? json() : json(refs->next);
  return out;
}

Result<json> Alerts::Get(const app::Principal& who, std::string_view id) {
  auto a = impl_->Owned(who, id);
  if (!a.ok()) return a.status();
  return impl_->View(*a);
}

Result<json> Alerts::Replace(const app::Principal& who, std::string_view id, const json& body) {
  auto s = SavedSearchFromJson(body);
  if (!s.ok()) return s.status();
  auto a = impl_->Owned(who, id);
  if (!a.ok()) return a.status();
  const bool new_webhook = !s->webhook.empty() && s->webhook != a->search.webhook;
  const std::string secret = "whsec_" + crypto::RandomToken().substr(4);
  a->raw["criteria"] = CriteriaToJson(*s);
  a->raw["updated"] = Millis(impl_->Now());
  if (new_webhook) a->raw["webhook_secret"] = secret;
  auto txn = impl_->store.BeginWrite();
  if (!txn.ok()) return txn.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->PutObject(kAlert, id, Dump(a->raw), a->version).status());
  LIMPIDE_RETURN_IF_ERROR(BumpGeneration(**txn, id, std::max<int64_t>(1, impl_->options.change_log_keep)));
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  s->id = a->search.id;
  json v = impl_->View(Loaded{*s, a->raw, a->version + 1});
  if (new_webhook) v["webhookSecret"] = secret;
  return v;
}

Status Alerts::Delete(const app::Principal& who, std::string_view id) {
  auto a = impl_->Owned(who, id);
  if (!a.ok()) return a.status();
  a->raw["deleted"] = true;
  a->raw["updated"] = Millis(impl_->Now());
  auto txn = impl_->store.BeginWrite();
  if (!txn.ok()) return txn.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->PutObject(kAlert, id, Dump(a->raw), a->version).status());
  LIMPIDE_RETURN_IF_ERROR(BumpGeneration(**txn, id, std::max<int64_t>(1, impl_->options.change_log_keep)));
  return (*txn)->Commit();
}

Result<json> Alerts::RotateFeedKey(const app::Principal& who, std::string_view id) {
  auto a = impl_->Owned(who, id);
  if (!a.ok()) return a.status();
  const std::string key = crypto::RandomToken().substr(4);
  a->raw["feed_key_sha256"] = KeyHash(key);
  auto txn = impl_->store.BeginWrite();
  if (!txn.ok()) return txn.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->PutObject(kAlert, id, Dump(a->raw), a->version).status());
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return json{{"feedUrl", impl_->FeedUrl(std::string(id), key)}};
}

namespace {
Result<json> Page(store::Store& store, std::string_view kind, const std::string& prefix,
                  const store::PageRequest& page) {
  auto objs = store.ListObjects(kind, prefix, page);
  if (!objs.ok()) return objs.status();
  json data = json::array();
  for (const auto& o : objs->items) {
    json j = json::parse(o.body, nullptr, false);
    if (j.is_object()) data.push_back(std::move(j));
  }
  json out = {{"data", std::move(data)}};
  out["next"] = objs->next.empty() ? json() : json(objs->next);
  return out;
}
}  // namespace

Result<json> Alerts::Matches(const app::Principal& who, std::string_view id,
                             const store::PageRequest& page) {
  auto a = impl_->Owned(who, id);
  if (!a.ok()) return a.status();
  return Page(impl_->store, kMatch, std::string(id) + "/", page);
}

Result<json> Alerts::Deliveries(const app::Principal& who, std::string_view id,
                                const store::PageRequest& page) {
  auto a = impl_->Owned(who, id);
  if (!a.ok()) return a.status();
  return Page(impl_->store, kDelivery, std::string(id) + "/", page);
}

Result<std::string> Alerts::Feed(std::string_view id, std::string_view key) {
  auto a = ReadAlert(impl_->store.GetObject(kAlert, id), id);
  if (!a.ok()) return a.status();
  if (a->raw.value("deleted", false) ||
      !crypto::ConstantTimeEquals(KeyHash(key), Str(a->raw, "feed_key_sha256")))
    return NotFound(id);
  auto matches = impl_->store.ListObjects(kMatch, std::string(id) + "/", {"", 50});
  if (!matches.ok()) return matches.status();
  const std::string base = impl_->PublicUrl();
  std::string updated = Str(a->raw, "updated");
  std::string entries;
  for (const auto& o : matches->items) {
    json m = json::parse(o.body, nullptr, false);
    if (!m.is_object()) continue;
    const std::string matched = Str(m, "matched");
    if (matched > updated) updated = matched;
    const json reason = m.value("reason", json::object());
    const json buyer = m.value("buyer", json::object());
    entries += "  <entry>\n    <id>urn:limpide:alert:" + XmlEscape(a->search.id) + ":tender:" +
               XmlEscape(Str(m, "tender")) + "</id>\n    <title>" + XmlEscape(Str(m, "title")) +
               "</title>\n    <updated>" + XmlEscape(matched) + "</updated>\n    <published>" +
               XmlEscape(Str(m, "published")) +
               "</published>\n    <link rel=\"alternate\" type=\"text/html\" href=\"" +
               XmlEscape(Str(m, "url")) + "\"/>\n";
    if (!Str(m, "cpv").empty())
      entries += "    <category term=\"" + XmlEscape(Str(m, "cpv")) +
                 "\" scheme=\"urn:cpv:2008\"/>\n";
    entries += "    <summary type=\"text\">" +
               XmlEscape("Acheteur : " + Str(buyer, "name") + ". Date limite : " +
                         Impl::DeadlineText(m) + ". Pourquoi : " + Str(reason, "summary") + ".") +
               "</summary>\n  </entry>\n";
  }
  std::string feed = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                     "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n";
  feed += "  <id>urn:limpide:alert:" + XmlEscape(a->search.id) + "</id>\n";
  feed += "  <title>Limpide : " +
          XmlEscape(a->search.name.empty() ? a->search.query : a->search.name) + "</title>\n";
  feed += "  <subtitle>Consultations publiées qui correspondent à cette recherche "
          "enregistrée</subtitle>\n";
  feed += "  <updated>" + XmlEscape(updated) + "</updated>\n";
  feed += "  <author><name>Limpide</name></author>\n";
  feed += "  <generator>Limpide</generator>\n";
  feed += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" +
          XmlEscape(base + "/api/v1/alerts/" + a->search.id + "/feed") + "\"/>\n";
  feed += "  <link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(base) +
          "/consultations\"/>\n";
  feed += entries;
  feed += "</feed>\n";
  return feed;
}

void Alerts::SetPublicUrl(std::string url) {
  std::lock_guard lock(impl_->url_mu);
  impl_->options.public_url = std::move(url);
}

Result<uint64_t> Alerts::CatchUp() { return impl_->CatchUp(); }
Status Alerts::RunDue(Instant now) { return impl_->RunDue(now); }
void Alerts::Drain() { impl_->Drain(); }

}  // namespace limpide::alerts
