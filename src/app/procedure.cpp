#include "app/procedure.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "app/notification_mail.h"
#include "domain/contract.h"
#include "formats/consultation_json.h"
#include "ledger/entry.h"
#include "ledger/receipt.h"

namespace limpide::app {

using domain::ConsultationAction;
using domain::ConsultationState;
using domain::Instant;
using nlohmann::json;

namespace {

constexpr std::string_view kTender = "tender";
constexpr std::string_view kDeposit = "deposit";
constexpr std::string_view kEvent = "tender-event";
constexpr std::string_view kNotification = "notification";
// The consultations waiting for their deadline, one object each, keyed
// "<deadline>/<id>" so that a listing comes in deadline order
// (docs/procedure.md, "Closing at the deadline"); kept in the transaction
// that writes the consultation. The marker says the index was built.
constexpr std::string_view kTenderDue = "tender-due";
constexpr std::string_view kIndexMarker = "index-built";
constexpr std::string_view kTenderDueMarkerId = "tender-due";
// The public listing (List), one object per consultation and class, kept in
// the same transaction as the consultation: "pub/<id>" published and not a
// test, "test/<id>" published test ones, "mine/<buyer>/<id>" drafts and test
// ones, which their buyer sees (docs/tenders.md, "Listing").
constexpr std::string_view kTenderList = "tender-list";
constexpr std::string_view kTenderListMarkerId = "tender-list";
constexpr size_t kMaxListCursorBytes = 200;
constexpr size_t kMaxDocumentsPerDeposit = 100;
constexpr size_t kMaxNameBytes = 255;
constexpr size_t kMaxQuestionBytes = 10'000;

std::string Millis(Instant t) { return domain::FormatInstantMillis(t); }

// Lower-case hex of `n` random bytes.
std::string RandomHex(size_t n) {
  const crypto::Hash h = crypto::Sha256(crypto::RandomToken());
  return crypto::ToHex(std::span<const uint8_t>(h.data(), std::min(n, h.size())));
}

// Ids that sort in creation order: "2026-11-29-" then 8 random hex digits.
// The consultation's key in the kTenderDue index; "" when it is not waiting
// for its deadline.
std::string DueKey(const domain::Consultation& c) {
  if (c.state != ConsultationState::kPublished) return "";
  return Millis(c.deadline) + "/" + c.id;
}

// Moves a consultation's entry in the due index from `before` to `after`.
Status MoveDueKey(store::WriteTransaction& txn, const std::string& before,
                  const std::string& after) {
  if (before == after) return Status::Ok();
  if (!before.empty()) {
    Status st = txn.DeleteObject(kTenderDue, before);
    if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
  }
  if (!after.empty()) {
    auto put = txn.PutObject(kTenderDue, after, "{}", 0);
    if (!put.ok() && put.status().code() != ErrorCode::kConflict) return put.status();
  }
  return Status::Ok();
}

// The consultation's keys in the kTenderList index.
std::vector<std::string> ListKeys(const domain::Consultation& c) {
  std::vector<std::string> keys;
  const bool draft = c.state == ConsultationState::kDraft;
  if (!draft) keys.push_back((c.test ? "test/" : "pub/") + c.id);
  if (draft || c.test) keys.push_back("mine/" + c.buyer_id + "/" + c.id);
  return keys;
}

// Moves a consultation's keys in the listing index from `before` to `after`.
Status MoveListKeys(store::WriteTransaction& txn, const std::vector<std::string>& before,
                    const std::vector<std::string>& after) {
  for (const auto& k : before) {
    if (std::find(after.begin(), after.end(), k) != after.end()) continue;
    Status st = txn.DeleteObject(kTenderList, k);
    if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
  }
  for (const auto& k : after) {
    if (std::find(before.begin(), before.end(), k) != before.end()) continue;
    auto put = txn.PutObject(kTenderList, k, "{}", 0);
    if (!put.ok() && put.status().code() != ErrorCode::kConflict) return put.status();
  }
  return Status::Ok();
}

std::string NewTenderId(Instant now) { return Millis(now).substr(0, 10) + "-" + RandomHex(4); }

// A new deposit object, in the "uploading" state, with a fresh id.
json NewDeposit(const std::string& tender_id, const std::string& opening_public_key,
                const Principal& company, Instant now, json documents) {
  return {{"id", "d" + RandomHex(8)},
          {"tender", tender_id},
          {"orgs", json::array({company.org_id})},
          {"company", {{"id", company.org_id}, {"name", company.org_name}}},
          {"user", company.user_id},
          {"state", "uploading"},
          {"upload_started", Millis(now)},
          {"chunk_bytes", crypto::kSealChunkBytes},
          {"opening_public_key", opening_public_key},
          {"documents", std::move(documents)}};
}

// The array member `key` of `o`, or an empty array: a reference, safe to keep
// pointers into (json::value() returns a copy).
const json& ArrayMember(const json& o, const char* key) {
  static const json kEmpty = json::array();
  auto it = o.find(key);
  return it != o.end() && it->is_array() ? *it : kEmpty;
}

Result<json> ParseObject(std::string_view text, const char* what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument(std::string(what) + " is not a JSON object", "body");
  }
  return j;
}

Status Forbidden(std::string message) { return {ErrorCode::kPermissionDenied, std::move(message)}; }

bool IsCompany(const Principal& p) { return p.role == UserRole::kCompanyRep; }

// A file or document name: not empty, at most 255 bytes, no path separator
// nor control character.
Status CheckName(std::string_view name, const std::string& field) {
  if (name.empty()) return Status::InvalidArgument("the name is empty", field);
  if (name.size() > kMaxNameBytes)
    return Status::InvalidArgument("the name is longer than 255 bytes", field);
  for (const char ch : name) {
    if (ch == '/' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) {
      return Status::InvalidArgument("the name holds '/', '\\' or a control character", field);
    }
  }
  return Status::Ok();
}

std::string HexOf(const crypto::Hash& h) { return crypto::ToHex(h); }

// The body of the public ledger entries about a consultation: integers and
// strings only (canonical JSON, docs/ledger.md).
json LedgerBody(const domain::Consultation& c) {
  json b = {{"tender", c.id},
            {"title", c.title},
            {"buyer", {{"id", c.buyer_id}, {"name", c.buyer_name}}},
            {"procedure", std::string(domain::Code(c.procedure))},
            {"nature", std::string(domain::Code(c.nature))},
            {"cpv", c.cpv},
            {"place", c.place_code},
            {"deadline", Millis(c.deadline)},
            {"state", std::string(domain::Code(c.state))}};
  // The notice's public text and the type of the place code, which search
  // indexes (docs/search.md): the department of "35" depends on it.
  if (!c.description.empty()) b["description"] = c.description;
  if (!c.place_type.empty()) b["place_type"] = c.place_type;
  if (c.estimated_value) b["estimated_value_cents"] = c.estimated_value->cents;
  return b;
}

Result<std::string> Canonical(const json& body) { return ledger::CanonicalJson(body); }

}  // namespace

// The stored form of a consultation: the domain value and what the procedure
// adds around it.
struct Procedures::Tender {
  domain::Consultation c;
  json extra = json::object();  // documents, questions, opening key, sealing, bids, award…
  int64_t version = 0;

  std::string Body() const {
    json body = extra;
    body["orgs"] = Orgs();
    body["consultation"] = json::parse(formats::ConsultationToJson(c));
    return body.dump();
  }
  // The organizations the store indexes this consultation under
  // (Store::ListObjectsOf): its buyer, and the companies that downloaded its
  // documents, asked or deposited (kept in extra["orgs"] once joined).
  json Orgs() const {
    std::set<std::string> orgs;
    if (!c.buyer_id.empty()) orgs.insert(c.buyer_id);
    for (const char* key : {"orgs", "downloaders"}) {
      auto it = extra.find(key);
      if (it == extra.end() || !it->is_array()) continue;
      for (const auto& o : *it)
        if (o.is_string() && !o.get_ref<const std::string&>().empty()) orgs.insert(o.get<std::string>());
    }
    if (auto it = extra.find("questions"); it != extra.end() && it->is_array()) {
      for (const auto& q : *it) {
        auto org = q.find("organization");
        if (org != q.end() && org->is_string() && !org->get_ref<const std::string&>().empty())
          orgs.insert(org->get<std::string>());
      }
    }
    return json(orgs);
  }
  // Whether `org` is listed already; else lists it (a company's first deposit).
  bool Join(const std::string& org) {
    json& orgs = Array("orgs");
    for (const auto& o : orgs)
      if (o.is_string() && o.get_ref<const std::string&>() == org) return false;
    orgs.push_back(org);
    return true;
  }
  json& Array(const char* name) {
    if (!extra.contains(name) || !extra[name].is_array()) extra[name] = json::array();
    return extra[name];
  }
  // Records that `user` acted for the company `org` on this consultation
  // (downloaded signed in, asked, deposited): the people its notifications
  // are mailed to, extra["contacts"] = {org: [user ids]}.
  void AddContact(const std::string& org, const std::string& user) {
    if (org.empty() || user.empty()) return;
    if (!extra.contains("contacts") || !extra["contacts"].is_object())
      extra["contacts"] = json::object();
    json& users = extra["contacts"][org];
    if (!users.is_array()) users = json::array();
    for (const auto& u : users)
      if (u.is_string() && u.get_ref<const std::string&>() == user) return;
    users.push_back(user);
  }
  // The users recorded for `org` (AddContact).
  std::vector<std::string> Contacts(const std::string& org) const {
    std::vector<std::string> out;
    auto c = extra.find("contacts");
    if (c == extra.end() || !c->is_object()) return out;
    auto users = c->find(org);
    if (users == c->end() || !users->is_array()) return out;
    for (const auto& u : *users)
      if (u.is_string()) out.push_back(u.get<std::string>());
    return out;
  }
};

Procedures::Procedures(store::Store& store, LedgerService& ledger, ProcedureOptions options)
    : store_(store), ledger_(ledger), options_(std::move(options)) {}

Instant Procedures::Now() const {
  if (options_.now) return options_.now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return Instant{us};
}

namespace {

Result<json> ReadTenderBody(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("consultation")) {
    return Status::Internal("stored consultation is not readable");
  }
  return j;
}

Status EnsureBuyerOf(const Principal& who, const domain::Consultation& c) {
  if (who.role != UserRole::kBuyerAgent || who.org_id != c.buyer_id) {
    return Forbidden("only agents of the buyer " + c.buyer_id + " may do this")
        .WithFrench("seuls les agents de l'acheteur " + c.buyer_id + " peuvent faire cette action");
  }
  return Status::Ok();
}

Status EnsureCompany(const Principal& who) {
  if (!IsCompany(who))
    return Forbidden("only company representatives may do this")
        .WithFrench("seuls les représentants d'entreprises peuvent faire cette action");
  if (who.org_id.empty()) return Forbidden("the account belongs to no company");
  return Status::Ok();
}

// Appends an event to the consultation's history (kind "tender-event", id
// "<tender>/<time>-<random>": listing by prefix gives the order of time).
Status AddEvent(store::WriteTransaction& txn, const std::string& tender, Instant now,
                std::string_view kind, const Principal* who, json detail = json::object()) {
  json e = {{"kind", kind}, {"time", Millis(now)}, {"detail", std::move(detail)}};
  if (who) {
    e["actor"] = {{"user", who->user_id},
                  {"organization", {{"id", who->org_id}, {"name", who->org_name}}}};
  }
  auto put = txn.PutObject(kEvent, tender + "/" + Millis(now) + "-" + RandomHex(4), e.dump(), 0);
  return put.status();
}

// Tells the organization `org` (kind "notification", id "<org>/<time>-<random>",
// read by Notifications) and queues the same news as a mail to each of
// `users`, sent once this transaction has committed (app/notification_mail.h).
Status Notify(store::WriteTransaction& txn, const std::string& org,
              const std::vector<std::string>& users, Instant now, json body) {
  if (org.empty()) return Status::Ok();
  body["time"] = Millis(now);
  const std::string id = org + "/" + Millis(now) + "-" + RandomHex(4);
  LIMPIDE_RETURN_IF_ERROR(txn.PutObject(kNotification, id, body.dump(), 0).status());
  return QueueNotificationMails(txn, id, org, users, body, now);
}

// Defined with the deposits, below.
Result<std::vector<json>> AllDeposits(store::Store& store, std::string_view tender);

Status AppendLedger(store::WriteTransaction& txn, const domain::Consultation& c, std::string kind,
                    const json& body) {
  if (c.test) return Status::Ok();  // test consultations never reach the open data
  auto text = Canonical(body);
  if (!text.ok()) return text.status();
  return txn.AppendToLedger({std::move(kind), c.id, std::move(*text)}).status();
}

}  // namespace

Result<Procedures::Tender> Procedures::ReadTender(Result<store::StoredObject> obj,
                                                  std::string_view id) {
  if (!obj.ok()) {
    if (obj.status().code() == ErrorCode::kNotFound)
      return Status::NotFound("no consultation " + std::string(id))
          .WithFrench("aucune consultation « " + std::string(id) + " »");
    return obj.status();
  }
  auto body = ReadTenderBody(obj->body);
  if (!body.ok()) return body.status();
  auto c = formats::ConsultationFromStoredJson((*body)["consultation"].dump());
  if (!c.ok()) return Status::Internal("stored consultation: " + c.status().ToString());
  Tender t;
  t.c = std::move(*c);
  t.version = obj->version;
  body->erase("consultation");
  t.extra = std::move(*body);
  return t;
}

Result<Procedures::Tender> Procedures::Load(std::string_view id) {
  return ReadTender(store_.GetObject(kTender, id), id);
}

Status Procedures::JoinTender(store::WriteTransaction& txn, std::string_view id,
                              const std::string& org, const std::string& user) {
  auto t = ReadTender(txn.GetObject(kTender, id), id);
  if (!t.ok()) return t.status();
  const bool joined = t->Join(org);
  const size_t known = t->Contacts(org).size();
  t->AddContact(org, user);
  if (!joined && t->Contacts(org).size() == known) return Status::Ok();
  return txn.PutObject(kTender, id, t->Body(), t->version).status();
}

Result<json> Procedures::Change(
    std::string_view id,
    const std::function<Result<json>(Tender&, store::WriteTransaction&)>& change, bool durable) {
  auto txn = durable ? store_.BeginWrite() : store_.BeginRelaxedWrite();
  if (!txn.ok()) return txn.status();
  auto loaded = ReadTender((*txn)->GetObject(kTender, id), id);
  if (!loaded.ok()) return loaded.status();
  Tender& t = *loaded;
  const std::string due_before = DueKey(t.c);
  const std::vector<std::string> listed_before = ListKeys(t.c);
  auto out = change(t, **txn);
  if (!out.ok()) return out.status();
  auto put = (*txn)->PutObject(kTender, id, t.Body(), t.version);
  if (!put.ok()) return put.status();
  LIMPIDE_RETURN_IF_ERROR(MoveDueKey(**txn, due_before, DueKey(t.c)));
  LIMPIDE_RETURN_IF_ERROR(MoveListKeys(**txn, listed_before, ListKeys(t.c)));
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return out;
}

json Procedures::PublicView(const Tender& t) const {
  domain::Consultation shown = t.c;
  shown.state = domain::EffectiveState(t.c, Now());
  json view = json::parse(formats::ConsultationToJson(shown));
  view["documents"] = ArrayMember(t.extra, "documents");
  if (t.extra.contains("opening_public_key"))
    view["opening_public_key"] = t.extra["opening_public_key"];
  int answered = 0;
  for (const auto& q : ArrayMember(t.extra, "questions")) answered += q.contains("answer") ? 1 : 0;
  view["questions_answered"] = answered;
  if (t.extra.contains("sealed")) view["deposits_sealed"] = t.extra["sealed"];
  if (t.extra.contains("award")) view["award"] = t.extra["award"];
  if (t.extra.contains("contract")) view["contract"] = t.extra["contract"];
  // Public: the ledger entry of the decision carries it too.
  if (t.extra.contains("end_reason")) view["end_reason"] = t.extra["end_reason"];
  return view;
}

// ---- Consultations -------------------------------------------------------------

namespace {

// Members of PublicView that are not the consultation's own.
constexpr const char* kViewOnlyFields[] = {
    "documents", "opening_public_key", "questions_answered", "deposits_sealed", "award",
    "contract", "end_reason"};

// Reads a buyer's JSON and makes it a draft of the buyer's organization.
Result<domain::Consultation> DraftFrom(const Principal& buyer, std::string_view json_text,
                                       const ProcedureOptions& options) {
  if (buyer.role != UserRole::kBuyerAgent || buyer.org_id.empty())
    return Forbidden("only agents of a buyer write consultations");
  // What PublicView adds around the consultation may come back with it.
  json in = json::parse(json_text, nullptr, false);
  if (in.is_object()) {
    for (const char* key : kViewOnlyFields) in.erase(key);
  }
  auto c = formats::ConsultationFromJson(in.is_object() ? in.dump() : std::string(json_text));
  if (!c.ok()) return c.status();
  if (!c->buyer_id.empty() && c->buyer_id != buyer.org_id) {
    return Forbidden("you act for the buyer " + buyer.org_id + ", not " + c->buyer_id);
  }
  c->buyer_id = buyer.org_id;
  if (c->buyer_name.empty()) c->buyer_name = buyer.org_name;
  if (c->max_document_bytes == 0) c->max_document_bytes = options.default_max_document_bytes;
  return c;
}

}  // namespace

Result<json> Procedures::CreateDraft(const Principal& buyer, std::string_view json_text) {
  auto c = DraftFrom(buyer, json_text, options_);
  if (!c.ok()) return c.status();
  LIMPIDE_RETURN_IF_ERROR(domain::ValidateDraft(*c));
  const Instant now = Now();
  Tender t;
  t.c = std::move(*c);
  t.c.id = NewTenderId(now);
  t.c.state = ConsultationState::kDraft;
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  auto put = (*txn)->PutObject(kTender, t.c.id, t.Body(), 0);
  if (!put.ok()) return put.status();
  LIMPIDE_RETURN_IF_ERROR(MoveListKeys(**txn, {}, ListKeys(t.c)));
  LIMPIDE_RETURN_IF_ERROR(AddEvent(**txn, t.c.id, now, "draft.created", &buyer));
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  t.version = *put;
  return PublicView(t);
}

Result<json> Procedures::UpdateDraft(const Principal& buyer, std::string_view id,
                                     std::string_view json_text) {
  auto c = DraftFrom(buyer, json_text, options_);
  if (!c.ok()) return c.status();
  LIMPIDE_RETURN_IF_ERROR(domain::ValidateDraft(*c));
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    if (t.c.state != ConsultationState::kDraft) {
      return Status::Conflict("only a draft can be edited; a published consultation is amended")
          .WithFrench("seul un brouillon se modifie librement ; une consultation publiée fait "
                      "l'objet d'un avis rectificatif");
    }
    const std::string keep_id = t.c.id;
    t.c = *c;
    t.c.id = keep_id;
    t.c.state = ConsultationState::kDraft;
    LIMPIDE_RETURN_IF_ERROR(AddEvent(txn, t.c.id, now, "draft.updated", &buyer));
    return PublicView(t);
  });
}

Result<json> Procedures::Publish(const Principal& buyer, std::string_view id) {
  const Instant now = Now();
  std::string secret_b64;
  auto view = Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    auto next = domain::Apply(t.c, ConsultationAction::kPublish, now, options_.rules);
    if (!next.ok()) return next.status();
    t.c = std::move(*next);
    const crypto::BoxKeyPair pair = crypto::NewBoxKeyPair();
    t.extra["opening_public_key"] = crypto::KeyToBase64(pair.public_key);
    secret_b64 = crypto::KeyToBase64(pair.secret_key);
    json body = LedgerBody(t.c);
    body["opening_public_key"] = t.extra["opening_public_key"];
    body["max_document_bytes"] = t.c.max_document_bytes;
    LIMPIDE_RETURN_IF_ERROR(AppendLedger(txn, t.c, "tender.published", body));
    LIMPIDE_RETURN_IF_ERROR(AddEvent(txn, t.c.id, now, "tender.published", &buyer));
    return PublicView(t);
  });
  if (!view.ok()) return view.status();
  json public_key = (*view)["opening_public_key"];
  return json{{"tender", std::move(*view)},
              {"opening_key", {{"public_key", std::move(public_key)}, {"secret_key", secret_b64}}}};
}

Result<std::vector<std::string>> Procedures::PublishMany(
    const std::vector<NewConsultation>& drafts) {
  const Instant now = Now();
  std::vector<std::string> ids;
  ids.reserve(drafts.size());
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  for (const NewConsultation& d : drafts) {
    auto c = DraftFrom(d.buyer, d.json, options_);
    if (!c.ok()) return c.status();
    LIMPIDE_RETURN_IF_ERROR(domain::ValidateDraft(*c));
    Tender t;
    t.c = std::move(*c);
    t.c.id = d.id.empty() ? NewTenderId(now) : d.id;
    t.c.state = ConsultationState::kDraft;
    auto next = domain::Apply(t.c, ConsultationAction::kPublish, now, options_.rules);
    if (!next.ok()) return next.status();
    t.c = std::move(*next);
    const crypto::BoxKeyPair pair = crypto::NewBoxKeyPair();
    t.extra["opening_public_key"] = crypto::KeyToBase64(pair.public_key);
    json body = LedgerBody(t.c);
    body["opening_public_key"] = t.extra["opening_public_key"];
    body["max_document_bytes"] = t.c.max_document_bytes;
    LIMPIDE_RETURN_IF_ERROR(AppendLedger(**txn, t.c, "tender.published", body));
    auto put = (*txn)->PutObject(kTender, t.c.id, t.Body(), 0);
    if (!put.ok()) return put.status();
    LIMPIDE_RETURN_IF_ERROR(MoveDueKey(**txn, "", DueKey(t.c)));
    LIMPIDE_RETURN_IF_ERROR(MoveListKeys(**txn, {}, ListKeys(t.c)));
    LIMPIDE_RETURN_IF_ERROR(AddEvent(**txn, t.c.id, now, "tender.published", &d.buyer));
    ids.push_back(t.c.id);
  }
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return ids;
}

Result<std::map<std::string, std::vector<std::string>>> Procedures::Recipients(const Tender& t) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& o : t.Orgs()) {
    const std::string org = o.get<std::string>();
    if (org != t.c.buyer_id) out[org] = t.Contacts(org);
  }
  // The depositors' users from their deposits too: stores written before
  // the contacts were recorded have them there only. The write lock is
  // held: no deposit commits meanwhile.
  auto deposits = AllDeposits(store_, t.c.id);
  if (!deposits.ok()) return deposits.status();
  for (const auto& d : *deposits) {
    const std::string org = d.value("company", json::object()).value("id", "");
    const std::string user = d.value("user", "");
    if (org.empty() || org == t.c.buyer_id) continue;
    auto& users = out[org];
    if (!user.empty() && std::find(users.begin(), users.end(), user) == users.end())
      users.push_back(user);
  }
  return out;
}

Status Procedures::NotifyTakingPart(store::WriteTransaction& txn, const Tender& t, Instant now,
                                    std::string_view kind, const std::string& message,
                                    const json& more) {
  auto recipients = Recipients(t);
  if (!recipients.ok()) return recipients.status();
  for (const auto& [org, users] : *recipients) {
    json note = {{"tender", t.c.id}, {"title", t.c.title}, {"kind", kind}, {"message", message}};
    note.update(more);
    LIMPIDE_RETURN_IF_ERROR(Notify(txn, org, users, now, std::move(note)));
  }
  return Status::Ok();
}

Result<json> Procedures::Amend(const Principal& buyer, std::string_view id,
                               std::string_view json_text, std::string summary) {
  auto proposed = DraftFrom(buyer, json_text, options_);
  if (!proposed.ok()) return proposed.status();
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    proposed->id = t.c.id;
    auto next = domain::ApplyAmendment(t.c, *proposed, now, options_.rules, summary);
    if (!next.ok()) return next.status();
    t.c = std::move(*next);
    const domain::Amendment& a = t.c.amendments.back();
    json body = LedgerBody(t.c);
    body["amendment"] = {
        {"number", a.number}, {"summary", a.summary}, {"changed", a.changed_fields}};
    LIMPIDE_RETURN_IF_ERROR(AppendLedger(txn, t.c, "tender.amended", body));
    LIMPIDE_RETURN_IF_ERROR(AddEvent(txn, t.c.id, now, "tender.amended", &buyer,
                                     {{"number", a.number}, {"summary", a.summary}}));
    // Every company that took part: downloaded, asked or deposited.
    LIMPIDE_RETURN_IF_ERROR(
        NotifyTakingPart(txn, t, now, "tender.amended",
                         "Modification n°" + std::to_string(a.number) + " : " + a.summary));
    return PublicView(t);
  });
}

Result<json> Procedures::Cancel(const Principal& buyer, std::string_view id, std::string reason) {
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    if (reason.empty())
      return Status::InvalidArgument("a reason is required", "reason")
          .WithFrench("le motif est obligatoire");
    const bool was_draft = t.c.state == ConsultationState::kDraft;
    auto next = domain::Apply(t.c, ConsultationAction::kCancel, now, options_.rules);
    if (!next.ok()) return next.status();
    t.c = std::move(*next);
    t.extra["end_reason"] = reason;
    if (!was_draft) {
      json body = LedgerBody(t.c);
      body["reason"] = reason;
      LIMPIDE_RETURN_IF_ERROR(AppendLedger(txn, t.c, "tender.cancelled", body));
      // Every company that took part: downloaded, asked or deposited.
      LIMPIDE_RETURN_IF_ERROR(NotifyTakingPart(txn, t, now, "tender.cancelled",
                                               "Procédure déclarée sans suite : " + reason));
    }
    LIMPIDE_RETURN_IF_ERROR(
        AddEvent(txn, t.c.id, now, "tender.cancelled", &buyer, {{"reason", reason}}));
    return PublicView(t);
  });
}

Result<json> Procedures::DeclareUnsuccessful(const Principal& buyer, std::string_view id,
                                             std::string reason) {
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    if (reason.empty())
      return Status::InvalidArgument("a reason is required", "reason")
          .WithFrench("le motif est obligatoire");
    auto next = domain::Apply(t.c, ConsultationAction::kDeclareUnsuccessful, now, options_.rules);
    if (!next.ok()) return next.status();
    t.c = std::move(*next);
    t.extra["end_reason"] = reason;
    json body = LedgerBody(t.c);
    body["reason"] = reason;
    LIMPIDE_RETURN_IF_ERROR(AppendLedger(txn, t.c, "tender.unsuccessful", body));
    LIMPIDE_RETURN_IF_ERROR(NotifyTakingPart(txn, t, now, "tender.unsuccessful",
                                             "Procédure déclarée infructueuse : " + reason));
    LIMPIDE_RETURN_IF_ERROR(
        AddEvent(txn, t.c.id, now, "tender.unsuccessful", &buyer, {{"reason", reason}}));
    return PublicView(t);
  });
}

Result<json> Procedures::Get(const Principal* who, std::string_view id) {
  auto t = Load(id);
  if (!t.ok()) return t.status();
  if (t->c.state == ConsultationState::kDraft &&
      (!who || who->role != UserRole::kBuyerAgent || who->org_id != t->c.buyer_id)) {
    return Status::NotFound("no consultation " + std::string(id));
  }
  return PublicView(*t);
}

Result<json> Procedures::List(const Principal* who, const store::PageRequest& page,
                              bool include_test) {
  if (page.limit < 1 || page.limit > 1000)
    return Status::InvalidArgument("limit must be between 1 and 1000", "limit");
  // The cursor is the id of the last consultation shown.
  const std::string& after = page.after;
  const auto bad = [](char ch) { return ch == '/' || static_cast<unsigned char>(ch) < 0x20; };
  if (after.size() > kMaxListCursorBytes || std::any_of(after.begin(), after.end(), bad))
    return Status::InvalidArgument("malformed cursor", "after");
  LIMPIDE_RETURN_IF_ERROR(EnsureListIndex());
  // The classes of the index this reader sees, each in id order; the page is
  // their union, read `limit` keys from each.
  const bool buyer = who && who->role == UserRole::kBuyerAgent && !who->org_id.empty();
  std::vector<std::string> prefixes = {"pub/"};
  if (include_test) prefixes.push_back("test/");
  if (buyer) prefixes.push_back("mine/" + who->org_id + "/");
  std::set<std::string> ids;
  // The union is complete up to the smallest last key of a class that has
  // more keys than were read: no id beyond it is shown on this page.
  std::optional<std::string> bound;
  for (const auto& prefix : prefixes) {
    store::PageRequest scan{after.empty() ? "" : store::ObjectCursorAfter(prefix + after),
                            page.limit};
    auto got = store_.ListObjects(kTenderList, prefix, scan);
    if (!got.ok()) return got.status();
    for (const auto& o : got->items) ids.insert(o.id.substr(prefix.size()));
    if (!got->next.empty()) {
      std::string end = got->items.back().id.substr(prefix.size());
      if (!bound || end < *bound) bound = std::move(end);
    }
  }
  json items = json::array();
  std::string last;
  size_t taken = 0;
  for (const auto& id : ids) {
    if (items.size() == static_cast<size_t>(page.limit) || (bound && id > *bound)) break;
    last = id;
    ++taken;
    auto t = Load(id);
    if (!t.ok() && t.status().code() == ErrorCode::kNotFound) continue;  // a key left behind
    if (!t.ok()) return t.status();
    const bool own = buyer && who->org_id == t->c.buyer_id;
    if (t->c.state == ConsultationState::kDraft && !own) continue;
    if (t->c.test && !include_test && !own) continue;
    items.push_back(PublicView(*t));
  }
  // More when a key read was left for the next page, or a class has keys
  // beyond those read (then `last` is at most the bound).
  const bool more = taken < ids.size() || bound.has_value();
  json out = {{"items", std::move(items)}};
  out["next"] = more ? json(last) : json(nullptr);
  return out;
}

Status Procedures::EnsureListIndex() {
  if (list_index_built_.load()) return Status::Ok();
  auto marker = store_.GetObject(kIndexMarker, kTenderListMarkerId);
  if (marker.ok()) {
    list_index_built_ = true;
    return Status::Ok();
  }
  if (marker.status().code() != ErrorCode::kNotFound) return marker.status();
  // A store written before the index existed: one pass over the
  // consultations, once per store, under the write lock.
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  store::PageRequest page{"", 1000};
  for (;;) {
    auto got = store_.ListObjects(kTender, "", page);
    if (!got.ok()) return got.status();
    for (const auto& o : got->items) {
      auto t = ReadTender(o, o.id);
      if (!t.ok()) return t.status();
      LIMPIDE_RETURN_IF_ERROR(MoveListKeys(**txn, {}, ListKeys(t->c)));
    }
    if (got->next.empty()) break;
    page.after = got->next;
  }
  auto put = (*txn)->PutObject(kIndexMarker, kTenderListMarkerId, "{}", 0);
  if (!put.ok() && put.status().code() != ErrorCode::kConflict) return put.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  list_index_built_ = true;
  return Status::Ok();
}

// ---- Documents -----------------------------------------------------------------

Result<json> Procedures::AddDocument(const Principal& buyer, std::string_view id, std::string name,
                                     std::string type, std::string_view bytes) {
  LIMPIDE_RETURN_IF_ERROR(CheckName(name, "name"));
  if (static_cast<int64_t>(bytes.size()) > options_.max_dce_document_bytes) {
    return Status::ResourceExhausted("the document is larger than the limit of " +
                                     std::to_string(options_.max_dce_document_bytes) + " bytes")
        .WithFrench("le document dépasse la taille maximale de " +
                    std::to_string(options_.max_dce_document_bytes >> 20) + " Mio");
  }
  if (type.empty()) type = "application/octet-stream";
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    const auto state = domain::EffectiveState(t.c, now);
    if (state != ConsultationState::kDraft && state != ConsultationState::kPublished) {
      return Status::Conflict(
                 "documents are added to a draft or a published consultation before its deadline")
          .WithFrench("les documents s'ajoutent à un brouillon ou à une consultation publiée, "
                      "avant sa date limite");
    }
    auto hash = txn.PutBlob(bytes);
    if (!hash.ok()) return hash.status();
    json doc = {{"name", name},
                {"type", type},
                {"size", static_cast<int64_t>(bytes.size())},
                {"sha256", HexOf(*hash)},
                {"added", Millis(now)}};
    t.Array("documents").push_back(doc);
    if (state == ConsultationState::kPublished) {
      json body = LedgerBody(t.c);
      body["document"] = doc;
      LIMPIDE_RETURN_IF_ERROR(AppendLedger(txn, t.c, "tender.document_added", body));
      LIMPIDE_RETURN_IF_ERROR(
          NotifyTakingPart(txn, t, now, "tender.document_added", "Nouveau document : " + name));
    }
    LIMPIDE_RETURN_IF_ERROR(AddEvent(txn, t.c.id, now, "document.added", &buyer, doc));
    return doc;
  });
}

Result<FileContent> Procedures::DownloadDocument(const Principal* who, std::string_view id,
                                                 std::string_view sha256_hex) {
  auto hash = crypto::HashFromHex(sha256_hex);
  if (!hash.ok()) return Status::InvalidArgument(hash.status().message(), "sha256");
  const Instant now = Now();
  FileContent file;
  auto done = Change(
      id,
      [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
        if (t.c.state == ConsultationState::kDraft &&
            (!who || who->role != UserRole::kBuyerAgent || who->org_id != t.c.buyer_id)) {
          return Status::NotFound("no consultation " + std::string(id));
        }
        const json* found = nullptr;
        for (const auto& d : ArrayMember(t.extra, "documents")) {
          if (d.value("sha256", "") == sha256_hex) {
            found = &d;
            break;
          }
        }
        if (!found)
          return Status::NotFound("no document " + std::string(sha256_hex) + " in " + t.c.id);
        file.name = found->value("name", "");
        file.type = found->value("type", "application/octet-stream");
        if (who && !who->org_id.empty() && who->org_id != t.c.buyer_id) {
          auto& list = t.Array("downloaders");
          if (std::find(list.begin(), list.end(), json(who->org_id)) == list.end())
            list.push_back(who->org_id);
          t.AddContact(who->org_id, who->user_id);
        }
        LIMPIDE_RETURN_IF_ERROR(AddEvent(txn, t.c.id, now, "document.downloaded", who,
                                         {{"name", file.name}, {"sha256", sha256_hex}}));
        return json::object();
      },
      /*durable=*/false);
  if (!done.ok()) return done.status();
  auto bytes = store_.GetBlob(*hash);
  if (!bytes.ok()) return bytes.status();
  file.bytes = std::move(*bytes);
  return file;
}

// ---- Questions -----------------------------------------------------------------

Result<json> Procedures::Ask(const Principal& company, std::string_view id, std::string text) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  if (text.empty())
    return Status::InvalidArgument("the question is empty", "text")
        .WithFrench("la question est vide");
  if (text.size() > kMaxQuestionBytes)
    return Status::InvalidArgument("the question is longer than 10,000 bytes", "text");
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    if (t.c.state == ConsultationState::kDraft)
      return Status::NotFound("no consultation " + t.c.id);
    LIMPIDE_RETURN_IF_ERROR(
        domain::CheckAction(t.c, ConsultationAction::kAskQuestion, now, options_.rules));
    auto& questions = t.Array("questions");
    const std::string qid = "q" + std::to_string(questions.size() + 1);
    json q = {
        {"id", qid}, {"text", text}, {"asked", Millis(now)}, {"organization", company.org_id}};
    questions.push_back(q);
    t.AddContact(company.org_id, company.user_id);
    LIMPIDE_RETURN_IF_ERROR(AddEvent(txn, t.c.id, now, "question.asked", &company, {{"id", qid}}));
    return json{{"id", qid}, {"text", text}, {"asked", Millis(now)}};
  });
}

Result<json> Procedures::Answer(const Principal& buyer, std::string_view id,
                                std::string_view question_id, std::string text) {
  if (text.empty())
    return Status::InvalidArgument("the answer is empty", "text")
        .WithFrench("la réponse est vide");
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    LIMPIDE_RETURN_IF_ERROR(
        domain::CheckAction(t.c, ConsultationAction::kAnswerQuestion, now, options_.rules));
    json* q = nullptr;
    for (auto& item : t.Array("questions"))
      if (item.value("id", "") == question_id) q = &item;
    if (!q) return Status::NotFound("no question " + std::string(question_id));
    if (q->contains("answer"))
      return Status::Conflict("question already answered")
          .WithFrench("cette question a déjà reçu une réponse");
    (*q)["answer"] = text;
    (*q)["answered"] = Millis(now);
    json pub = {
        {"id", (*q)["id"]}, {"text", (*q)["text"]}, {"answer", text}, {"answered", Millis(now)}};
    json body = LedgerBody(t.c);
    body["question"] = pub;
    LIMPIDE_RETURN_IF_ERROR(AppendLedger(txn, t.c, "tender.question_answered", body));
    LIMPIDE_RETURN_IF_ERROR(
        AddEvent(txn, t.c.id, now, "question.answered", &buyer, {{"id", (*q)["id"]}}));
    // The question and its answer are public now; the asker stays hidden.
    LIMPIDE_RETURN_IF_ERROR(NotifyTakingPart(txn, t, now, "tender.question_answered",
                                             "Réponse publiée : " + text,
                                             {{"question", (*q)["text"]}, {"answer", text}}));
    return pub;
  });
}

Result<json> Procedures::Questions(const Principal* who, std::string_view id) {
  auto t = Load(id);
  if (!t.ok()) return t.status();
  if (t->c.state == ConsultationState::kDraft)
    return Status::NotFound("no consultation " + t->c.id);
  json out = json::array();
  for (const auto& q : ArrayMember(t->extra, "questions")) {
    const bool mine = who && !who->org_id.empty() && q.value("organization", "") == who->org_id;
    const bool buyer = who && who->role == UserRole::kBuyerAgent && who->org_id == t->c.buyer_id;
    if (!q.contains("answer") && !mine && !buyer) continue;
    json shown = q;
    shown.erase("organization");  // the asker stays hidden from everyone
    out.push_back(std::move(shown));
  }
  return json{{"items", std::move(out)}};
}

// ---- Deposits ------------------------------------------------------------------

namespace {

// Plaintext bytes in chunk `k` of a document of `size` bytes (crypto framing).
uint64_t ChunkPlaintextBytes(uint64_t size, uint64_t k) {
  const uint64_t count = crypto::SealedChunkCount(size);
  return k + 1 < count ? crypto::kSealChunkBytes : size % crypto::kSealChunkBytes;
}

std::string DepositKey(std::string_view tender, std::string_view deposit) {
  return std::string(tender) + "/" + std::string(deposit);
}

// The deposit as its owner sees it.
json DepositView(const json& d) {
  json v = d;
  v.erase("user");
  v.erase("orgs");
  for (auto& doc : v["documents"]) {
    int received = 0;
    for (const auto& c : doc["chunks"]) received += c.is_string() ? 1 : 0;
    doc["chunks_received"] = received;
  }
  return v;
}

}  // namespace

Result<json> Procedures::StartDeposit(const Principal& company, std::string_view id,
                                      const std::vector<DocumentDeclaration>& documents) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  if (documents.empty())
    return Status::InvalidArgument("a deposit holds at least one document", "documents");
  if (documents.size() > kMaxDocumentsPerDeposit)
    return Status::InvalidArgument("a deposit holds at most 100 documents", "documents");
  auto t = Load(id);
  if (!t.ok()) return t.status();
  if (t->c.state == ConsultationState::kDraft)
    return Status::NotFound("no consultation " + t->c.id);
  const Instant now = Now();
  const auto state = domain::EffectiveState(t->c, now);
  if (state != ConsultationState::kPublished && state != ConsultationState::kClosed) {
    return Status::Conflict(
               "deposits are received until the bids are opened; the consultation is " +
               std::string(domain::Code(state)))
        .WithFrench("les dépôts sont reçus jusqu'à l'ouverture des plis ; état de la "
                    "consultation : " +
                    std::string(domain::Label(state)));
  }
  json docs = json::array();
  std::set<std::string> names;
  for (size_t i = 0; i < documents.size(); ++i) {
    const auto& d = documents[i];
    const std::string field = "documents[" + std::to_string(i) + "]";
    LIMPIDE_RETURN_IF_ERROR(CheckName(d.name, field + ".name"));
    if (!names.insert(d.name).second)
      return Status::InvalidArgument("two documents are named " + d.name, field + ".name");
    if (static_cast<int64_t>(d.size) > t->c.max_document_bytes || d.size > (uint64_t{1} << 53)) {
      return Status(ErrorCode::kResourceExhausted,
                    d.name + " declares " + std::to_string(d.size) +
                        " bytes; the consultation accepts documents of at most " +
                        std::to_string(t->c.max_document_bytes) + " bytes",
                    field + ".size")
          .WithFrench(d.name + " dépasse la taille maximale d'un document publiée avec la "
                      "consultation (" + std::to_string(t->c.max_document_bytes) + " octets)");
    }
    const uint64_t chunks = crypto::SealedChunkCount(d.size);
    docs.push_back({{"name", d.name},
                    {"size", d.size},
                    {"sealed_by_server", !d.sealed},
                    {"chunk_count", chunks},
                    {"chunks", json(std::vector<json>(chunks, json(nullptr)))}});
  }
  json deposit = NewDeposit(t->c.id, t->extra.value("opening_public_key", ""), company, now,
                            std::move(docs));
  const std::string deposit_id = deposit["id"].get<std::string>();
  auto txn = store_.BeginRelaxedWrite();
  if (!txn.ok()) return txn.status();
  auto put = (*txn)->PutObject(kDeposit, DepositKey(t->c.id, deposit_id), deposit.dump(), 0);
  if (!put.ok()) return put.status();
  LIMPIDE_RETURN_IF_ERROR(JoinTender(**txn, t->c.id, company.org_id, company.user_id));
  LIMPIDE_RETURN_IF_ERROR(
      AddEvent(**txn, t->c.id, now, "deposit.started", &company, {{"deposit", deposit_id}}));
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return DepositView(deposit);
}

namespace {

// Reads a deposit of `company` inside `txn`.
Result<std::pair<json, int64_t>> LoadDeposit(store::WriteTransaction& txn, const Principal& company,
                                             std::string_view tender, std::string_view deposit) {
  auto obj = txn.GetObject(kDeposit, DepositKey(tender, deposit));
  if (!obj.ok() && obj.status().code() == ErrorCode::kNotFound)
    return Status::NotFound("no deposit " + std::string(deposit) + " of yours in " +
                            std::string(tender));
  if (!obj.ok()) return obj.status();
  json d = json::parse(obj->body, nullptr, false);
  if (d.is_discarded()) return Status::Internal("stored deposit is not readable");
  if (d["company"].value("id", "") != company.org_id)
    return Status::NotFound("no deposit " + std::string(deposit) + " of yours in " +
                            std::string(tender));
  return std::make_pair(std::move(d), obj->version);
}

}  // namespace

Result<json> Procedures::PutChunk(const Principal& company, std::string_view id,
                                  std::string_view deposit_id, size_t document, size_t chunk,
                                  std::string_view bytes) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  // Validate against the declaration before taking the write lock; the
  // declaration (and the opening key it carries) does not change once made.
  auto peek = store_.GetObject(kDeposit, DepositKey(id, deposit_id));
  if (!peek.ok()) {
    if (peek.status().code() == ErrorCode::kNotFound)
      return Status::NotFound("no deposit " + std::string(deposit_id) + " of yours in " +
                              std::string(id));
    return peek.status();
  }
  json declared = json::parse(peek->body, nullptr, false);
  if (declared.is_discarded() || declared["company"].value("id", "") != company.org_id)
    return Status::NotFound("no deposit " + std::string(deposit_id) + " of yours in " +
                            std::string(id));
  auto pk = crypto::KeyFromBase64(declared.value("opening_public_key", ""));
  if (!pk.ok()) return Status::Internal("stored deposit without the opening key");
  if (document >= declared["documents"].size())
    return Status::NotFound("the deposit has no document " + std::to_string(document));
  const json& doc = declared["documents"][document];
  const uint64_t size = doc["size"].get<uint64_t>();
  const uint64_t count = doc["chunk_count"].get<uint64_t>();
  if (chunk >= count) {
    return Status::NotFound("document " + std::to_string(document) + " has " +
                            std::to_string(count) + " chunk(s), numbered from 0");
  }
  const bool plaintext = doc.value("sealed_by_server", false);
  const uint64_t expected =
      ChunkPlaintextBytes(size, chunk) + (plaintext ? 0 : crypto::kSealOverheadBytes);
  if (bytes.size() != expected) {
    const Status st(
        bytes.size() > expected ? ErrorCode::kResourceExhausted : ErrorCode::kInvalidArgument,
        "chunk " + std::to_string(chunk) + " of document " + std::to_string(document) +
            " must hold " + std::to_string(expected) + " bytes (" +
            (plaintext ? "plaintext" : "sealed") + "), got " + std::to_string(bytes.size()),
        "body");
    return st;
  }
  // Sealed here, in memory, before anything touches the disk.
  std::string sealed_here;
  std::string_view sealed = bytes;
  if (plaintext) {
    sealed_here = crypto::SealTo(*pk, bytes);
    sealed = sealed_here;
  }
  const crypto::Hash hash = crypto::Sha256(sealed);  // outside the write lock
  const Instant now = Now();
  auto txn = store_.BeginRelaxedWrite();
  if (!txn.ok()) return txn.status();
  auto loaded = LoadDeposit(**txn, company, id, deposit_id);
  if (!loaded.ok()) return loaded.status();
  auto& [d, version] = *loaded;
  if (d["state"] != "uploading") {
    return Status::Conflict("deposit " + std::string(deposit_id) + " is " +
                            d["state"].get<std::string>() +
                            "; chunks are sent before completing it");
  }
  LIMPIDE_RETURN_IF_ERROR((*txn)->PutBlob(sealed, hash));
  d["documents"][document]["chunks"][chunk] = HexOf(hash);
  if (!d.contains("first_chunk")) d["first_chunk"] = Millis(now);
  auto put = (*txn)->PutObject(kDeposit, DepositKey(id, deposit_id), d.dump(), version);
  if (!put.ok()) return put.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return json{{"document", document}, {"chunk", chunk}, {"sha256", HexOf(hash)}};
}

Status Procedures::Receive(
    const Tender& t, const Principal& company, json& d, Instant now,
    const std::function<Status(const crypto::Hash&, crypto::SealedFileHasher&)>& add_chunk) {
  ledger::Receipt r;
  r.id = d["id"].get<std::string>();
  r.consultation_id = t.c.id;
  r.consultation_title = t.c.title;
  r.consultation_object = t.c.description.empty() ? t.c.title : t.c.description;
  r.buyer_id = t.c.buyer_id;
  r.buyer_name = t.c.buyer_name.empty() ? t.c.buyer_id : t.c.buyer_name;
  r.depositor_id = company.org_id;
  r.depositor_name = company.org_name.empty() ? company.org_id : company.org_name;
  r.upload_started = d["upload_started"].get<std::string>();
  r.received = Millis(now);
  auto started = domain::ParseInstant(r.upload_started);
  if (!started.ok()) return Status::Internal("stored deposit time is not readable");
  const auto timing = domain::ClassifyDeposit(t.c, *started, now, options_.rules);
  r.late = timing == domain::DepositTiming::kLate;
  r.grace = timing == domain::DepositTiming::kGrace;
  for (size_t i = 0; i < d["documents"].size(); ++i) {
    auto& doc = d["documents"][i];
    ledger::ReceiptDocument rd;
    rd.name = doc["name"].get<std::string>();
    rd.size = doc["size"].get<uint64_t>();
    r.sealed_by_server = r.sealed_by_server || doc.value("sealed_by_server", false);
    crypto::SealedFileHasher file;
    for (size_t k = 0; k < doc["chunks"].size(); ++k) {
      const json& h = doc["chunks"][k];
      if (!h.is_string()) {
        return Status::FailedPrecondition("chunk " + std::to_string(k) + " of document " +
                                          std::to_string(i) + " (" + rd.name +
                                          ") has not been received");
      }
      auto hash = crypto::HashFromHex(h.get<std::string>());
      if (!hash.ok()) return Status::Internal("stored chunk hash is not readable");
      rd.chunk_sha256.push_back(*hash);
      LIMPIDE_RETURN_IF_ERROR(add_chunk(*hash, file));
    }
    rd.sha256 = file.Finish();
    doc["sha256"] = HexOf(rd.sha256);
    r.documents.push_back(std::move(rd));
  }
  auto signed_receipt = ledger::SignedReceiptJson(r, ledger_.key());
  if (!signed_receipt.ok()) return signed_receipt.status();
  auto leaf = ledger::ReceiptLeafHash(r);
  if (!leaf.ok()) return leaf.status();
  d["state"] = "complete";
  d["received"] = r.received;
  d["timing"] = r.late ? "late" : r.grace ? "grace" : "on_time";
  d["receipt"] = json::parse(*signed_receipt);
  d["receipt_leaf"] = HexOf(*leaf);
  return Status::Ok();
}

Result<json> Procedures::CompleteDeposit(const Principal& company, std::string_view id,
                                         std::string_view deposit_id) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  auto t = Load(id);
  if (!t.ok()) return t.status();
  const Instant now = Now();
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  auto loaded = LoadDeposit(**txn, company, id, deposit_id);
  if (!loaded.ok()) return loaded.status();
  auto& [d, version] = *loaded;
  if (d["state"] == "complete") return d["receipt"];  // idempotent: the same receipt
  if (d["state"] != "uploading")
    return Status::Conflict("deposit " + std::string(deposit_id) + " is " +
                            d["state"].get<std::string>());
  const auto state = domain::EffectiveState(t->c, now);
  if (state != ConsultationState::kPublished && state != ConsultationState::kClosed) {
    return Status::Conflict("the bids were opened; deposits are closed");
  }
  LIMPIDE_RETURN_IF_ERROR(
      Receive(*t, company, d, now, [this](const crypto::Hash& h, crypto::SealedFileHasher& file) {
        auto blob = store_.GetBlob(h);
        if (!blob.ok()) return blob.status();
        file.AddChunk(*blob);
        return Status::Ok();
      }));
  auto put = (*txn)->PutObject(kDeposit, DepositKey(id, deposit_id), d.dump(), version);
  if (!put.ok()) return put.status();
  LIMPIDE_RETURN_IF_ERROR(AddEvent(**txn, t->c.id, now, "deposit.received", &company,
                                   {{"deposit", deposit_id}, {"timing", d["timing"]}}));
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return d["receipt"];
}

Result<json> Procedures::DepositInOneRequest(const Principal& company, std::string_view id,
                                             std::string name, bool sealed,
                                             std::string_view bytes) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  LIMPIDE_RETURN_IF_ERROR(CheckName(name, "name"));
  auto t = Load(id);
  if (!t.ok()) return t.status();
  if (t->c.state == ConsultationState::kDraft)
    return Status::NotFound("no consultation " + t->c.id);
  const auto state = domain::EffectiveState(t->c, Now());
  if (state != ConsultationState::kPublished && state != ConsultationState::kClosed) {
    return Status::Conflict(
               "deposits are received until the bids are opened; the consultation is " +
               std::string(domain::Code(state)))
        .WithFrench("les dépôts sont reçus jusqu'à l'ouverture des plis ; état de la "
                    "consultation : " +
                    std::string(domain::Label(state)));
  }
  auto pk = crypto::KeyFromBase64(t->extra.value("opening_public_key", ""));
  if (!pk.ok()) return Status::Internal("published consultation without an opening key");
  if (sealed && bytes.size() < crypto::kSealOverheadBytes)
    return Status::InvalidArgument("a sealed document is at least 48 bytes", "body");
  const uint64_t size = sealed ? bytes.size() - crypto::kSealOverheadBytes : bytes.size();
  if (size >= crypto::kSealChunkBytes) {
    return Status(ErrorCode::kResourceExhausted,
                  "one request carries a document of less than 1 MiB; send larger ones in chunks",
                  "body");
  }
  if (static_cast<int64_t>(size) > t->c.max_document_bytes) {
    return Status(ErrorCode::kResourceExhausted,
                  name + " holds " + std::to_string(size) +
                      " bytes; the consultation accepts documents of at most " +
                      std::to_string(t->c.max_document_bytes) + " bytes",
                  "body")
        .WithFrench(name + " dépasse la taille maximale d'un document publiée avec la "
                    "consultation (" + std::to_string(t->c.max_document_bytes) + " octets)");
  }
  // Sealed here, in memory, before anything touches the disk. The sealed
  // bytes are hashed twice (the chunk, the sealed file for the receipt) and
  // copied once more, into the store; nothing else.
  std::string sealed_here;
  std::string_view sealed_bytes = bytes;
  if (!sealed) {
    sealed_here = crypto::SealTo(*pk, bytes);
    sealed_bytes = sealed_here;
  }
  const crypto::Hash chunk_hash = crypto::Sha256(sealed_bytes);
  const Instant now = Now();
  json d = NewDeposit(t->c.id, t->extra.value("opening_public_key", ""), company, now,
                      json::array({{{"name", name},
                                    {"size", size},
                                    {"sealed_by_server", !sealed},
                                    {"chunk_count", 1},
                                    {"chunks", {HexOf(chunk_hash)}}}}));
  const std::string deposit_id = d["id"].get<std::string>();
  LIMPIDE_RETURN_IF_ERROR(
      Receive(*t, company, d, now, [&](const crypto::Hash&, crypto::SealedFileHasher& file) {
        file.AddChunk(sealed_bytes);
        return Status::Ok();
      }));
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->PutBlob(sealed_bytes, chunk_hash));
  auto put = (*txn)->PutObject(kDeposit, DepositKey(t->c.id, deposit_id), d.dump(), 0);
  if (!put.ok()) return put.status();
  LIMPIDE_RETURN_IF_ERROR(JoinTender(**txn, t->c.id, company.org_id, company.user_id));
  LIMPIDE_RETURN_IF_ERROR(AddEvent(**txn, t->c.id, now, "deposit.received", &company,
                                   {{"deposit", deposit_id}, {"timing", d["timing"]}}));
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return d["receipt"];
}

Result<json> Procedures::Withdraw(const Principal& company, std::string_view id,
                                  std::string_view deposit_id) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  auto t = Load(id);
  if (!t.ok()) return t.status();
  const Instant now = Now();
  if (domain::EffectiveState(t->c, now) != ConsultationState::kPublished) {
    return Status::Conflict("a deposit can be withdrawn only before the deadline (" +
                            Millis(t->c.deadline) + ")")
        .WithFrench("un dépôt ne peut être retiré qu'avant la date limite (" +
                    domain::FormatInstantParis(t->c.deadline) + ", heure de Paris)");
  }
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  auto loaded = LoadDeposit(**txn, company, id, deposit_id);
  if (!loaded.ok()) return loaded.status();
  auto& [d, version] = *loaded;
  if (d["state"] == "withdrawn") return DepositView(d);
  d["state"] = "withdrawn";
  d["withdrawn"] = Millis(now);
  auto put = (*txn)->PutObject(kDeposit, DepositKey(id, deposit_id), d.dump(), version);
  if (!put.ok()) return put.status();
  LIMPIDE_RETURN_IF_ERROR(
      AddEvent(**txn, t->c.id, now, "deposit.withdrawn", &company, {{"deposit", deposit_id}}));
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return DepositView(d);
}

namespace {

// Every object of a listing, page after page, parsed: `list` reads one page.
Result<std::vector<json>> AllDepositPages(
    const std::function<Result<store::ObjectPage>(const store::PageRequest&)>& list) {
  std::vector<json> out;
  store::PageRequest page{"", 1000};
  for (;;) {
    auto got = list(page);
    if (!got.ok()) return got.status();
    for (const auto& o : got->items) {
      json d = json::parse(o.body, nullptr, false);
      if (d.is_discarded()) return Status::Internal("stored deposit is not readable");
      out.push_back(std::move(d));
    }
    if (got->next.empty()) break;
    page.after = got->next;
  }
  return out;
}

// Every deposit of a consultation, in id order.
Result<std::vector<json>> AllDeposits(store::Store& store, std::string_view tender) {
  const std::string prefix = std::string(tender) + "/";
  return AllDepositPages(
      [&](const store::PageRequest& page) { return store.ListObjects(kDeposit, prefix, page); });
}

// The deposits of one company on a consultation, newest id first, through
// the store's index of organizations.
Result<std::vector<json>> CompanyDeposits(store::Store& store, const std::string& org,
                                          std::string_view tender) {
  const std::string prefix = std::string(tender) + "/";
  return AllDepositPages([&](const store::PageRequest& page) {
    return store.ListObjectsOf(kDeposit, org, prefix, page);
  });
}

}  // namespace

Result<json> Procedures::Deposits(const Principal& company, std::string_view id) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  auto t = Load(id);
  if (!t.ok()) return t.status();
  if (t->c.state == ConsultationState::kDraft)
    return Status::NotFound("no consultation " + t->c.id);
  auto mine = CompanyDeposits(store_, company.org_id, id);
  if (!mine.ok()) return mine.status();
  json items = json::array();
  for (auto d = mine->rbegin(); d != mine->rend(); ++d) items.push_back(DepositView(*d));
  return json{{"items", std::move(items)}};
}

Result<json> Procedures::BuyerTenders(const Principal& buyer, const store::PageRequest& page) {
  if (buyer.role != UserRole::kBuyerAgent || buyer.org_id.empty())
    return Forbidden("only agents of a buyer have consultations");
  return OrganizationTenders(buyer.org_id, page, [&](const Tender& t) -> Result<std::optional<json>> {
    if (t.c.buyer_id != buyer.org_id) return std::optional<json>();
    return std::optional<json>(PublicView(t));
  });
}

Result<json> Procedures::CompanyTenders(const Principal& company, const store::PageRequest& page) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  return OrganizationTenders(
      company.org_id, page, [&](const Tender& t) -> Result<std::optional<json>> {
        if (t.c.state == ConsultationState::kDraft || t.c.buyer_id == company.org_id)
          return std::optional<json>();
        bool downloaded = false, asked = false;
        for (const auto& org : ArrayMember(t.extra, "downloaders"))
          downloaded |= org.is_string() && org.get<std::string>() == company.org_id;
        for (const auto& q : ArrayMember(t.extra, "questions"))
          asked |= q.value("organization", std::string()) == company.org_id;
        auto mine = CompanyDeposits(store_, company.org_id, t.c.id);
        if (!mine.ok()) return mine.status();
        const int deposits = static_cast<int>(mine->size());
        if (!downloaded && !asked && deposits == 0) return std::optional<json>();
        json v = PublicView(t);
        v["mine"] = {{"downloaded", downloaded}, {"asked", asked}, {"deposits", deposits}};
        return std::optional<json>(std::move(v));
      });
}

Result<json> Procedures::OrganizationTenders(
    const std::string& org, const store::PageRequest& page,
    const std::function<Result<std::optional<json>>(const Tender&)>& shown) {
  if (page.limit < 1 || page.limit > 1000)
    return Status::InvalidArgument("limit must be between 1 and 1000", "limit");
  json items = json::array();
  store::PageRequest scan{page.after, page.limit};
  std::string next;
  for (;;) {
    auto got = store_.ListObjectsOf(kTender, org, "", scan);
    if (!got.ok()) return got.status();
    for (const auto& obj : got->items) {
      auto t = ReadTender(obj, obj.id);
      if (!t.ok()) return t.status();
      auto item = shown(*t);
      if (!item.ok()) return item.status();
      if (!*item) continue;
      items.push_back(std::move(**item));
      if (items.size() == static_cast<size_t>(page.limit)) {
        if (&obj != &got->items.back() || !got->next.empty()) next = obj.id;
        break;
      }
    }
    if (items.size() == static_cast<size_t>(page.limit) || got->next.empty()) break;
    scan.after = got->next;
  }
  return json{{"items", std::move(items)},
              {"next", next.empty() ? json(nullptr) : json(store::ObjectCursorAfter(next))}};
}

Result<int> Procedures::IndexOrganizations() {
  constexpr std::string_view kMarkerKind = "store-upgrade";
  constexpr std::string_view kMarker = "tender-orgs";
  if (store_.GetObject(kMarkerKind, kMarker).ok()) return 0;
  int rewritten = 0;
  for (const std::string_view kind : {kTender, kDeposit}) {
    store::PageRequest page{"", 1000};
    for (;;) {
      auto got = store_.ListObjects(kind, "", page);
      if (!got.ok()) return got.status();
      for (const auto& o : got->items) {
        if (o.body.find("\"orgs\"") != std::string::npos) continue;
        auto txn = store_.BeginWrite();
        if (!txn.ok()) return txn.status();
        auto current = (*txn)->GetObject(kind, o.id);
        if (!current.ok()) return current.status();
        std::string body;
        if (kind == kTender) {
          auto t = ReadTender(*current, o.id);
          if (!t.ok()) return t.status();
          body = t->Body();
        } else {
          json d = json::parse(current->body, nullptr, false);
          if (d.is_discarded()) return Status::Internal("stored deposit is not readable");
          const std::string company = d["company"].value("id", "");
          if (company.empty()) continue;
          d["orgs"] = json::array({company});
          body = d.dump();
          // Its consultation lists the company too.
          LIMPIDE_RETURN_IF_ERROR(
              JoinTender(**txn, d.value("tender", ""), company, d.value("user", "")));
        }
        auto put = (*txn)->PutObject(kind, o.id, body, current->version);
        if (!put.ok()) return put.status();
        LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
        ++rewritten;
      }
      if (got->next.empty()) break;
      page.after = got->next;
    }
  }
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  auto put = (*txn)->PutObject(kMarkerKind, kMarker, json{{"done", Millis(Now())}}.dump(), 0);
  if (!put.ok() && put.status().code() != ErrorCode::kConflict) return put.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  return rewritten;
}

Result<json> Procedures::Deposit(const Principal& company, std::string_view id,
                                 std::string_view deposit_id) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  auto obj = store_.GetObject(kDeposit, DepositKey(id, deposit_id));
  if (!obj.ok() && obj.status().code() != ErrorCode::kNotFound) return obj.status();
  json d = obj.ok() ? json::parse(obj->body, nullptr, false) : json();
  if (!obj.ok() || d.is_discarded() || d["company"].value("id", "") != company.org_id)
    return Status::NotFound("no deposit " + std::string(deposit_id) + " of yours in " +
                            std::string(id));
  return DepositView(d);
}

// ---- Closing -------------------------------------------------------------------

Result<int> Procedures::CloseOne(std::string_view id) {
  const Instant now = Now();
  int closed = 0;
  auto done = Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    if (t.c.state != ConsultationState::kPublished || now < t.c.deadline) return json::object();
    // The write lock is held: every deposit committed so far is visible to
    // this read, and none can commit before this transaction does.
    auto all = AllDeposits(store_, t.c.id);
    if (!all.ok()) return all.status();
    std::vector<crypto::Hash> leaves;
    for (const auto& d : *all) {
      if (!d.contains("receipt_leaf")) continue;
      auto h = crypto::HashFromHex(d["receipt_leaf"].get<std::string>());
      if (!h.ok()) return Status::Internal("stored receipt hash is not readable");
      leaves.push_back(*h);
    }
    auto next = domain::Apply(t.c, ConsultationAction::kClose, now, options_.rules);
    if (!next.ok()) return next.status();
    t.c = std::move(*next);
    leaves = ledger::ReceiptsTreeLeaves(std::move(leaves));
    const crypto::Hash root = ledger::ReceiptsRoot(leaves);
    json leaf_hex = json::array();
    for (const auto& h : leaves) leaf_hex.push_back(HexOf(h));
    json sealed = {
        {"receipts", leaves.size()}, {"receipts_root", HexOf(root)}, {"time", Millis(now)}};
    if (!t.c.test) {
      auto body = ledger::DepositsSealedBody({t.c.id, root, leaves.size()});
      auto text = Canonical(body);
      if (!text.ok()) return text.status();
      auto seq =
          txn.AppendToLedger({std::string(ledger::kDepositsSealedKind), t.c.id, std::move(*text)});
      if (!seq.ok()) return seq.status();
      sealed["ledger_seq"] = *seq;
    }
    t.extra["sealed"] = sealed;
    t.extra["receipt_leaves"] = std::move(leaf_hex);
    LIMPIDE_RETURN_IF_ERROR(AddEvent(txn, t.c.id, now, "tender.closed", nullptr, sealed));
    closed = 1;
    return json::object();
  });
  if (!done.ok()) return done.status();
  return closed;
}

Status Procedures::EnsureDueIndex() {
  if (due_index_built_.load()) return Status::Ok();
  auto marker = store_.GetObject(kIndexMarker, kTenderDueMarkerId);
  if (marker.ok()) {
    due_index_built_ = true;
    return Status::Ok();
  }
  if (marker.status().code() != ErrorCode::kNotFound) return marker.status();
  // A store written before the index existed: one pass over the
  // consultations, once per store.
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  store::PageRequest page{"", 1000};
  for (;;) {
    auto got = store_.ListObjects(kTender, "", page);
    if (!got.ok()) return got.status();
    for (const auto& o : got->items) {
      auto t = ReadTender(o, o.id);
      if (!t.ok()) return t.status();
      LIMPIDE_RETURN_IF_ERROR(MoveDueKey(**txn, "", DueKey(t->c)));
    }
    if (got->next.empty()) break;
    page.after = got->next;
  }
  auto put = (*txn)->PutObject(kIndexMarker, kTenderDueMarkerId, "{}", 0);
  if (!put.ok() && put.status().code() != ErrorCode::kConflict) return put.status();
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  due_index_built_ = true;
  return Status::Ok();
}

Result<int> Procedures::CloseDue() {
  LIMPIDE_RETURN_IF_ERROR(EnsureDueIndex());
  int closed = 0;
  const std::string now = Millis(Now());
  store::PageRequest page{"", 100};
  // The index lists the consultations by deadline: the first one still
  // ahead ends the run, so a run costs the due ones, not all of them.
  for (;;) {
    auto got = store_.ListObjects(kTenderDue, "", page);
    if (!got.ok()) return got.status();
    for (const auto& o : got->items) {
      const size_t slash = o.id.find('/');
      if (slash == std::string::npos || o.id.compare(0, slash, now) > 0) return closed;
      const std::string id = o.id.substr(slash + 1);
      auto n = CloseOne(id);
      if (!n.ok() && n.status().code() != ErrorCode::kNotFound) return n.status();
      if (n.ok() && *n > 0) {
        closed += *n;
        continue;
      }
      // Nothing to close: a key left behind (a consultation gone, or no
      // longer waiting). Dropped, so that it is not met again.
      auto txn = store_.BeginWrite();
      if (!txn.ok()) return txn.status();
      auto t = ReadTender((*txn)->GetObject(kTender, id), id);
      if (t.ok() && DueKey(t->c) == o.id) continue;  // still waiting (clock skew)
      Status st = (*txn)->DeleteObject(kTenderDue, o.id);
      if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
      LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
    }
    if (got->next.empty()) break;
    page.after = got->next;
  }
  return closed;
}

Result<json> Procedures::ReceiptProof(const Principal& company, std::string_view id,
                                      std::string_view deposit_id) {
  LIMPIDE_RETURN_IF_ERROR(EnsureCompany(company));
  auto closed = CloseOne(id);
  if (!closed.ok()) return closed.status();
  auto d = Deposit(company, id, deposit_id);
  if (!d.ok()) return d.status();
  if (!d->contains("receipt_leaf"))
    return Status::FailedPrecondition("deposit " + std::string(deposit_id) + " has no receipt");
  auto t = Load(id);
  if (!t.ok()) return t.status();
  if (!t->extra.contains("sealed")) {
    return Status::FailedPrecondition("the receipts are anchored at the deadline (" +
                                      Millis(t->c.deadline) + ")");
  }
  std::vector<crypto::Hash> leaves;
  for (const auto& h : t->extra["receipt_leaves"])
    leaves.push_back(*crypto::HashFromHex(h.get<std::string>()));
  auto leaf = crypto::HashFromHex((*d)["receipt_leaf"].get<std::string>());
  if (!leaf.ok()) return Status::Internal("stored receipt hash is not readable");
  auto in_tree = ledger::ReceiptsInclusionProof(leaves, *leaf);
  if (!in_tree.ok()) {
    return Status::FailedPrecondition("deposit " + std::string(deposit_id) +
                                      " was received after the receipts were anchored (late)");
  }
  if (!t->extra["sealed"].contains("ledger_seq"))
    return Status::FailedPrecondition("a test consultation is not anchored in the ledger");
  const uint64_t seq = t->extra["sealed"]["ledger_seq"].get<uint64_t>();
  auto head = ledger_.Head();
  if (!head.ok()) return head.status();
  auto inclusion = ledger_.InclusionProof(seq, head->size);
  if (!inclusion.ok()) return inclusion.status();
  auto entry = ledger_.Entries(seq, seq + 1);
  if (!entry.ok()) return entry.status();
  auto decoded = ledger::DecodeEntry(entry->at(0).entry);
  if (!decoded.ok()) return decoded.status();
  ledger::ReceiptProofDoc doc;
  doc.receipts_tree = *in_tree;
  doc.ledger.leaf_index = inclusion->index;
  doc.ledger.tree_size = inclusion->size;
  doc.ledger.leaf_hash = inclusion->leaf_hash;
  doc.ledger.audit_path = inclusion->path;
  doc.ledger.entry = ledger::EntryToJson(*decoded);
  return json{{"receipt", (*d)["receipt"]},
              {"proof", ledger::ReceiptProofToJson(doc)},
              {"head", ledger::TreeHeadJson(*head, ledger_.key_id())}};
}

// ---- Opening, evaluation, award, signature ---------------------------------------

Result<json> Procedures::OpenBids(const Principal& buyer, std::string_view id,
                                  std::string_view secret_key_b64, bool include_late) {
  auto secret = crypto::KeyFromBase64(secret_key_b64);
  if (!secret.ok())
    return Status::InvalidArgument("the secret key must be base64 of 32 bytes", "secret_key")
        .WithFrench("la clé privée est une suite base64 de 32 octets (44 caractères)");
  const crypto::BoxKeyPair pair = crypto::BoxKeyPairFromSecretKey(*secret);
  {
    auto t = Load(id);
    if (!t.ok()) return t.status();
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t->c));
  }
  auto closed = CloseOne(id);
  if (!closed.ok()) return closed.status();
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    LIMPIDE_RETURN_IF_ERROR(
        domain::CheckAction(t.c, ConsultationAction::kOpenBids, now, options_.rules));
    if (t.extra.value("opening_public_key", "") != crypto::KeyToBase64(pair.public_key)) {
      return Status::InvalidArgument(
                 "this secret key is not the consultation's opening key (its public key differs)",
                 "secret_key")
          .WithFrench("cette clé n'est pas la clé d'ouverture de la consultation (sa clé "
                      "publique diffère)");
    }
    auto all = AllDeposits(store_, t.c.id);
    if (!all.ok()) return all.status();
    // The last complete deposit of each company counts; late ones only on request.
    std::map<std::string, const json*> last;
    int late = 0;
    int withdrawn = 0;
    for (const auto& d : *all) {
      withdrawn += d.value("state", "") == "withdrawn" ? 1 : 0;
      if (d.value("state", "") != "complete") continue;
      if (d.value("timing", "") == "late") {
        ++late;
        if (!include_late) continue;
      }
      const std::string org = d["company"].value("id", "");
      auto it = last.find(org);
      if (it == last.end() || it->second->value("received", "") < d.value("received", ""))
        last[org] = &d;
    }
    json bids = json::array();
    for (const auto& [org, d] : last) {
      json bid = {{"id", (*d)["id"]},
                  {"company", (*d)["company"]},
                  {"received", (*d)["received"]},
                  {"timing", (*d)["timing"]}};
      json docs = json::array();
      bool all_opened = true;
      for (const auto& doc : (*d)["documents"]) {
        std::vector<std::string> chunks;
        Status st;
        for (const auto& h : doc["chunks"]) {
          auto hash = crypto::HashFromHex(h.get<std::string>());
          auto blob = hash.ok() ? store_.GetBlob(*hash) : Result<std::string>(hash.status());
          if (!blob.ok()) {
            st = blob.status();
            break;
          }
          chunks.push_back(std::move(*blob));
        }
        json shown = {{"name", doc["name"]}, {"size", doc["size"]}, {"sha256", doc["sha256"]}};
        if (st.ok()) {
          auto plain = crypto::OpenDocument(pair, chunks);
          if (plain.ok()) {
            shown["opened"] = true;
            shown["plaintext_sha256"] = HexOf(crypto::Sha256(*plain));
          } else {
            st = plain.status();
          }
        }
        if (!st.ok()) {
          all_opened = false;
          shown["opened"] = false;
          shown["error"] = st.message();
        }
        docs.push_back(std::move(shown));
      }
      bid["documents"] = std::move(docs);
      bid["opened"] = all_opened;
      bids.push_back(std::move(bid));
    }
    auto next = domain::Apply(t.c, ConsultationAction::kOpenBids, now, options_.rules);
    if (!next.ok()) return next.status();
    t.c = std::move(*next);
    t.extra["bids"] = bids;
    json body = LedgerBody(t.c);
    body["bids"] = bids.size();
    body["late_deposits"] = late;
    body["withdrawn_deposits"] = withdrawn;  // withdrawals, made public once it is safe
    LIMPIDE_RETURN_IF_ERROR(AppendLedger(txn, t.c, "tender.opened", body));
    LIMPIDE_RETURN_IF_ERROR(
        AddEvent(txn, t.c.id, now, "bids.opened", &buyer,
                 {{"bids", bids.size()}, {"late_deposits", late}, {"include_late", include_late}}));
    return json{{"bids", bids}, {"late_deposits", late}, {"withdrawn_deposits", withdrawn}};
  });
}

Result<json> Procedures::Bids(const Principal& buyer, std::string_view id) {
  auto t = Load(id);
  if (!t.ok()) return t.status();
  LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t->c));
  if (!t->extra.contains("bids")) return Status::Conflict("the bids have not been opened");
  return json{{"bids", t->extra["bids"]}, {"ranking", ArrayMember(t->extra, "ranking")}};
}

Result<FileContent> Procedures::BidDocument(const Principal& buyer, std::string_view id,
                                            std::string_view bid_id, size_t document) {
  auto t = Load(id);
  if (!t.ok()) return t.status();
  LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t->c));
  bool is_bid = false;
  for (const auto& b : ArrayMember(t->extra, "bids")) is_bid |= b.value("id", "") == bid_id;
  if (!is_bid) return Status::NotFound("no opened bid " + std::string(bid_id));
  auto obj = store_.GetObject(kDeposit, DepositKey(id, bid_id));
  if (!obj.ok()) return obj.status();
  json d = json::parse(obj->body);
  if (document >= d["documents"].size())
    return Status::NotFound("the bid has no document " + std::to_string(document));
  const json& doc = d["documents"][document];
  std::vector<std::string> chunks;
  for (const auto& h : doc["chunks"]) {
    auto blob = store_.GetBlob(*crypto::HashFromHex(h.get<std::string>()));
    if (!blob.ok()) return blob.status();
    chunks.push_back(std::move(*blob));
  }
  return FileContent{doc["name"].get<std::string>() + ".sealed", "application/octet-stream",
                     crypto::EncodeSealedFile(chunks)};
}

Result<json> Procedures::Evaluate(const Principal& buyer, std::string_view id,
                                  std::string_view json_text) {
  auto in = ParseObject(json_text, "the evaluation");
  if (!in.ok()) return in.status();
  if (!in->contains("scores") || !(*in)["scores"].is_object())
    return Status::InvalidArgument("scores must be an object {bid: {criterion: score}}", "scores");
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    LIMPIDE_RETURN_IF_ERROR(
        domain::CheckAction(t.c, ConsultationAction::kEvaluate, now, options_.rules));
    const json& scores = (*in)["scores"];
    json ranking = json::array();
    for (const auto& bid : ArrayMember(t.extra, "bids")) {
      const std::string bid_id = bid["id"];
      if (!scores.contains(bid_id) || !scores[bid_id].is_object())
        return Status::InvalidArgument("no scores for bid " + bid_id, "scores." + bid_id);
      int64_t total = 0;  // hundredths of a point
      json detail = json::object();
      for (const auto& criterion : t.c.criteria) {
        const json& s = scores[bid_id];
        const std::string field = "scores." + bid_id + "." + criterion.name;
        if (!s.contains(criterion.name) || !s[criterion.name].is_number_integer())
          return Status::InvalidArgument("an integer score from 0 to 100 is required", field);
        const int64_t v = s[criterion.name].get<int64_t>();
        if (v < 0 || v > 100) return Status::InvalidArgument("scores range from 0 to 100", field);
        total += v * criterion.weight;
        detail[criterion.name] = v;
      }
      for (const auto& [name, _] : scores[bid_id].items()) {
        bool known = false;
        for (const auto& criterion : t.c.criteria) known |= criterion.name == name;
        if (!known)
          return Status::InvalidArgument("no criterion named " + name,
                                         "scores." + bid_id + "." + name);
      }
      ranking.push_back({{"bid", bid_id},
                         {"company", bid["company"]},
                         {"scores", detail},
                         {"total_hundredths", total},
                         {"received", bid["received"]}});
    }
    for (const auto& [bid_id, _] : scores.items()) {
      bool known = false;
      for (const auto& bid : ArrayMember(t.extra, "bids")) known |= bid["id"] == bid_id;
      if (!known) return Status::InvalidArgument("no opened bid " + bid_id, "scores." + bid_id);
    }
    std::stable_sort(ranking.begin(), ranking.end(), [](const json& a, const json& b) {
      if (a["total_hundredths"] != b["total_hundredths"])
        return a["total_hundredths"].get<int64_t>() > b["total_hundredths"].get<int64_t>();
      return a["received"].get<std::string>() < b["received"].get<std::string>();
    });
    for (size_t i = 0; i < ranking.size(); ++i) ranking[i]["rank"] = i + 1;
    auto next = domain::Apply(t.c, ConsultationAction::kEvaluate, now, options_.rules);
    if (!next.ok()) return next.status();
    t.c = std::move(*next);
    t.extra["ranking"] = ranking;
    LIMPIDE_RETURN_IF_ERROR(
        AddEvent(txn, t.c.id, now, "bids.evaluated", &buyer, {{"bids", ranking.size()}}));
    return json{{"ranking", ranking}};
  });
}

Result<json> Procedures::Award(const Principal& buyer, std::string_view id,
                               std::string_view bid_id) {
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    LIMPIDE_RETURN_IF_ERROR(
        domain::CheckAction(t.c, ConsultationAction::kAward, now, options_.rules));
    const json* winner = nullptr;
    for (const auto& r : ArrayMember(t.extra, "ranking"))
      if (r["bid"] == bid_id) winner = &r;
    if (!winner) return Status::InvalidArgument("no evaluated bid " + std::string(bid_id), "bid");
    auto next = domain::Apply(t.c, ConsultationAction::kAward, now, options_.rules);
    if (!next.ok()) return next.status();
    t.c = std::move(*next);
    json award = {{"bid", bid_id},
                  {"company", (*winner)["company"]},
                  {"time", Millis(now)},
                  {"bids", t.extra["ranking"].size()}};
    if (t.c.standstill_ends) award["standstill_ends"] = Millis(*t.c.standstill_ends);
    t.extra["award"] = award;
    // Every bidder, once: those ranked, and those whose bids came too late
    // to be opened. Each is told its own outcome and the winner (public
    // from now on: the ledger entry names it), nothing of the others.
    auto recipients = Recipients(t);
    if (!recipients.ok()) return recipients.status();
    const auto users_of = [&](const std::string& org) {
      auto it = recipients->find(org);
      return it == recipients->end() ? std::vector<std::string>() : it->second;
    };
    const std::string winner_name = (*winner)["company"].value("name", std::string());
    std::set<std::string> told;
    for (const auto& r : t.extra["ranking"]) {
      const bool won = r["bid"] == bid_id;
      const std::string org = r["company"].value("id", "");
      told.insert(org);
      json note = {
          {"tender", t.c.id},
          {"title", t.c.title},
          {"kind", won ? "bid.retained" : "bid.rejected"},
          {"rank", r["rank"]},
          {"total_hundredths", r["total_hundredths"]},
          {"winner", (*winner)["company"]},
          {"message", won ? "Votre offre est retenue."
                          : "Votre offre n'est pas retenue ; l'offre retenue est celle de " +
                                winner_name + "."}};
      if (t.c.standstill_ends) note["standstill_ends"] = Millis(*t.c.standstill_ends);
      LIMPIDE_RETURN_IF_ERROR(Notify(txn, org, users_of(org), now, note));
    }
    auto deposits = AllDeposits(store_, t.c.id);
    if (!deposits.ok()) return deposits.status();
    for (const auto& d : *deposits) {
      const std::string org = d.value("company", json::object()).value("id", "");
      if (d.value("state", "") != "complete" || org.empty() || !told.insert(org).second) continue;
      json note = {{"tender", t.c.id},
                   {"title", t.c.title},
                   {"kind", "bid.not_opened"},
                   {"winner", (*winner)["company"]},
                   {"message",
                    "Votre offre, reçue après la date limite, n'a pas été ouverte ; "
                    "l'offre retenue est celle de " +
                        winner_name + "."}};
      LIMPIDE_RETURN_IF_ERROR(Notify(txn, org, users_of(org), now, note));
    }
    json body = LedgerBody(t.c);
    body["winner"] = (*winner)["company"];
    body["bids"] = t.extra["ranking"].size();
    LIMPIDE_RETURN_IF_ERROR(AppendLedger(txn, t.c, "tender.awarded", body));
    LIMPIDE_RETURN_IF_ERROR(AddEvent(txn, t.c.id, now, "tender.awarded", &buyer, award));
    return PublicView(t);
  });
}

Result<json> Procedures::Sign(const Principal& buyer, std::string_view id,
                              std::string_view json_text) {
  auto in = ParseObject(json_text, "the signature");
  if (!in.ok()) return in.status();
  std::optional<domain::Money> amount;
  if (in->contains("amount")) {
    const json& a = (*in)["amount"];
    auto m = a.is_string()   ? domain::ParseEuros(a.get<std::string>())
             : a.is_number() ? domain::MoneyFromEuros(a.get<double>())
                             : Result<domain::Money>(Status::InvalidArgument("not an amount"));
    if (!m.ok() || m->cents < 0)
      return Status::InvalidArgument("amount must be a decimal amount in euros, e.g. \"125000.50\"",
                                     "amount")
          .WithFrench("le montant est un nombre d'euros, par exemple 125000,50");
    amount = *m;
  } else {
    return Status::InvalidArgument("amount is required (euros, excluding VAT)", "amount")
        .WithFrench("le montant (euros HT) est obligatoire");
  }
  std::optional<int> duration;
  if (in->contains("duration_months")) {
    const json& d = (*in)["duration_months"];
    if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > 1200)
      return Status::InvalidArgument("duration_months must be an integer from 1 to 1200",
                                     "duration_months");
    duration = d.get<int>();
  }
  const Instant now = Now();
  return Change(id, [&](Tender& t, store::WriteTransaction& txn) -> Result<json> {
    LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t.c));
    auto signed_c = domain::Apply(t.c, ConsultationAction::kSign, now, options_.rules);
    if (!signed_c.ok()) return signed_c.status();
    const json& award = t.extra["award"];
    domain::Contract k;
    k.id = t.c.id.size() <= 16 ? t.c.id : t.c.id.substr(t.c.id.size() - 16);
    k.uid = domain::MakeUid(t.c.buyer_id, k.id);
    k.kind = domain::IsConcession(t.c.nature) ? domain::ContractKind::kConcession
                                              : domain::ContractKind::kMarche;
    k.buyer_id = t.c.buyer_id;
    k.buyer_name = t.c.buyer_name;
    k.nature = t.c.nature;
    k.procedure = t.c.procedure;
    k.object = t.c.title;
    k.cpv = t.c.cpv;
    k.place = {t.c.place_code, t.c.place_type, ""};
    k.duration_months = duration;
    k.amount = amount;
    const std::string today = Millis(now).substr(0, 10);
    k.notified_on = *domain::ParseDate(today);
    k.published_on = k.notified_on;
    k.price_form = "Forfaitaire";
    k.holders.push_back(
        {award["company"].value("id", ""), "SIRET", award["company"].value("name", "")});
    k.extra_json = json{{"offresRecues", award.value("bids", 0)}}.dump();
    k.schema_version = "2";
    k.source = "limpide";
    auto outcome = txn.UpsertContract(k);
    if (!outcome.ok()) return outcome.status();
    if (!t.c.test) {
      auto seq = txn.AppendToLedger(ContractEvent(k, *outcome));
      if (!seq.ok()) return seq.status();
    }
    auto published =
        domain::Apply(*signed_c, ConsultationAction::kPublishData, now, options_.rules);
    if (!published.ok()) return published.status();
    t.c = std::move(*published);
    t.extra["contract"] = {
        {"uid", k.uid}, {"amount", domain::FormatEuros(*amount)}, {"signed", Millis(now)}};
    json body = LedgerBody(t.c);
    body["contract"] = k.uid;
    LIMPIDE_RETURN_IF_ERROR(AppendLedger(txn, t.c, "tender.signed", body));
    LIMPIDE_RETURN_IF_ERROR(
        AddEvent(txn, t.c.id, now, "contract.signed", &buyer, {{"contract", k.uid}}));
    return PublicView(t);
  });
}

// ---- History -------------------------------------------------------------------

Result<json> Procedures::Events(const Principal& buyer, std::string_view id) {
  auto t = Load(id);
  if (!t.ok()) return t.status();
  LIMPIDE_RETURN_IF_ERROR(EnsureBuyerOf(buyer, t->c));
  const bool before_deadline = Now() < t->c.deadline;
  json items = json::array();
  store::PageRequest page{"", 1000};
  for (;;) {
    auto got = store_.ListObjects(kEvent, std::string(id) + "/", page);
    if (!got.ok()) return got.status();
    for (const auto& o : got->items) {
      json e = json::parse(o.body, nullptr, false);
      if (e.is_discarded()) continue;
      // Before the deadline, deposits would tell how many bids there are.
      if (before_deadline && e.value("kind", "").starts_with("deposit.")) continue;
      items.push_back(std::move(e));
    }
    if (got->next.empty()) break;
    page.after = got->next;
  }
  return json{{"items", std::move(items)}};
}

Result<json> Procedures::Notifications(const Principal& who) {
  if (who.org_id.empty()) return json{{"items", json::array()}};
  json items = json::array();
  store::PageRequest page{"", 1000};
  for (;;) {
    auto got = store_.ListObjects(kNotification, who.org_id + "/", page);
    if (!got.ok()) return got.status();
    for (const auto& o : got->items) {
      json n = json::parse(o.body, nullptr, false);
      if (!n.is_discarded()) items.push_back(std::move(n));
    }
    if (got->next.empty()) break;
    page.after = got->next;
  }
  return json{{"items", std::move(items)}};
}

}  // namespace limpide::app
