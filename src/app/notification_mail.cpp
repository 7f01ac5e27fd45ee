#include "app/notification_mail.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace limpide::app {

using domain::Instant;
using nlohmann::json;

namespace {

constexpr std::string_view kMail = "mail";
constexpr std::string_view kMailDue = "mail-due";

std::string Millis(Instant t) { return domain::FormatInstantMillis(t); }
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::string DueKey(Instant next_try, const std::string& mail_id) {
  return Millis(next_try) + "/" + mail_id;
}

// The subject's words for each kind of notification (app/procedure.cpp).
std::string KindLabel(const std::string& kind) {
  if (kind == "tender.amended") return "modification de la consultation";
  if (kind == "tender.question_answered") return "réponse à une question";
  if (kind == "tender.document_added") return "nouveau document";
  if (kind == "tender.cancelled") return "procédure déclarée sans suite";
  if (kind == "tender.unsuccessful") return "procédure déclarée infructueuse";
  if (kind == "bid.retained") return "votre offre est retenue";
  if (kind == "bid.rejected" || kind == "bid.not_opened") return "résultat de la consultation";
  return "information sur la consultation";
}

std::string ParisText(const std::string& instant) {
  auto t = domain::ParseInstant(instant);
  return t.ok() ? domain::FormatInstantParis(*t) + " (heure de Paris)" : instant;
}

}  // namespace

Status QueueNotificationMails(store::WriteTransaction& txn, const std::string& notification_id,
                              const std::string& org, const std::vector<std::string>& users,
                              const json& notification, Instant now) {
  std::set<std::string> seen;
  for (const auto& user : users) {
    if (user.empty() || !seen.insert(user).second) continue;
    const std::string id = notification_id + "/" + user;
    const json mail = {{"org", org},
                       {"user", user},
                       {"notification", notification},
                       {"state", "pending"},
                       {"attempts", 0},
                       {"created", Millis(now)},
                       {"nextTry", Millis(now)}};
    LIMPIDE_RETURN_IF_ERROR(txn.PutObject(kMail, id, Dump(mail), 0).status());
    LIMPIDE_RETURN_IF_ERROR(txn.PutObject(kMailDue, DueKey(now, id), "{}", 0).status());
  }
  return Status::Ok();
}

OutgoingMail ComposeNotificationMail(const json& n, const std::string& public_url) {
  const std::string title = Str(n, "title");
  const std::string tender = Str(n, "tender");
  OutgoingMail mail;
  std::string label = KindLabel(Str(n, "kind"));
  label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  mail.subject = "[Limpide] " + label + " : " + title;
  std::string text = "Consultation « " + title + " »\n\n";
  if (!Str(n, "question").empty()) {
    text += "L'acheteur a publié une réponse à une question.\n\nQuestion : " + Str(n, "question") +
            "\n\nRéponse : " + Str(n, "answer") + "\n";
  } else {
    text += Str(n, "message") + "\n";
  }
  if (auto rank = n.find("rank"); rank != n.end() && rank->is_number_integer())
    text += "\nRang de votre offre : " + std::to_string(rank->get<int64_t>()) + "\n";
  if (!Str(n, "standstill_ends").empty())
    text += "\nLe marché ne sera pas signé avant la fin du délai de suspension : " +
            ParisText(Str(n, "standstill_ends")) + ".\n";
  text += "\nLa consultation : " + public_url + "/consultations/" + tender + "\n";
  text += "Vos consultations et notifications : " + public_url + "/mes-consultations\n\n";
  text +=
      "Vous recevez ce message parce que votre entreprise a pris part à cette consultation "
      "(téléchargement du dossier, question ou dépôt).\n";
  mail.body = std::move(text);
  return mail;
}

NotificationMailer::NotificationMailer(store::Store& store, const Accounts& accounts,
                                       NotificationMailerOptions options)
    : store_(store), accounts_(accounts), options_(std::move(options)) {}

Instant NotificationMailer::Now() const { return options_.now ? options_.now() : SystemNow(); }

std::string NotificationMailer::PublicUrl() const {
  std::lock_guard lock(url_mu_);
  return options_.public_url;
}

void NotificationMailer::SetPublicUrl(std::string url) {
  std::lock_guard lock(url_mu_);
  options_.public_url = std::move(url);
}

Result<int> NotificationMailer::PurgeFinished() {
  const Instant now = Now();
  const int64_t keep_us =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.keep_finished).count();
  const Instant before{now.micros - keep_us};
  int purged = 0;
  store::PageRequest page{"", 500};
  for (;;) {
    auto got = store_.ListObjects(kMail, "", page);
    if (!got.ok()) return got.status();
    std::vector<const store::StoredObject*> old;
    for (const auto& o : got->items) {
      const json m = json::parse(o.body, nullptr, false);
      if (!m.is_object()) continue;
      const std::string state = Str(m, "state");
      // A parked mail was never sent: its end is its last attempt.
      const std::string ended = state == "sent"     ? Str(m, "sent")
                                : state == "parked" ? Str(m, "lastAttempt")
                                                    : "";
      if (ended.empty()) continue;
      auto at = domain::ParseInstant(ended);
      if (at.ok() && at->micros < before.micros) old.push_back(&o);
    }
    if (!old.empty()) {
      auto txn = store_.BeginWrite();
      if (!txn.ok()) return txn.status();
      for (const auto* o : old) {
        Status st = (*txn)->DeleteObject(kMail, o->id);
        if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
      }
      LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
      purged += static_cast<int>(old.size());
    }
    if (got->next.empty()) return purged;
    page.after = got->next;
  }
}

Result<int> NotificationMailer::RunDue() {
  if (!options_.send) return Status::FailedPrecondition("no mail sender");
  const auto started = std::chrono::steady_clock::now();
  const Instant now = Now();
  const std::string now_text = Millis(now);
  int sent = 0;
  store::PageRequest page{"", 100};
  for (;;) {
    auto got = store_.ListObjects(kMailDue, "", page);
    if (!got.ok()) return got.status();
    for (const auto& o : got->items) {
      const size_t slash = o.id.find('/');
      if (slash == std::string::npos) continue;
      // Keys come in order of next try: the first one ahead ends the run.
      if (o.id.compare(0, slash, now_text) > 0) return sent;
      if (std::chrono::steady_clock::now() - started > options_.budget) return sent;
      auto outcome = SendOne(o.id, o.id.substr(slash + 1), now);
      if (!outcome.ok()) return outcome.status();
      if (*outcome == Outcome::kFailed) return sent;
      if (*outcome == Outcome::kSent) ++sent;
    }
    if (got->next.empty()) return sent;
    page.after = got->next;
  }
}

Result<NotificationMailer::Outcome> NotificationMailer::SendOne(const std::string& due_key,
                                                                const std::string& id,
                                                                Instant now) {
  const auto drop_key = [&]() -> Result<Outcome> {
    auto txn = store_.BeginWrite();
    if (!txn.ok()) return txn.status();
    Status st = (*txn)->DeleteObject(kMailDue, due_key);
    if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
    LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
    return Outcome::kSkipped;
  };
  auto obj = store_.GetObject(kMail, id);
  if (!obj.ok() && obj.status().code() != ErrorCode::kNotFound) return obj.status();
  json m = obj.ok() ? json::parse(obj->body, nullptr, false) : json();
  if (!obj.ok() || !m.is_object() || Str(m, "state") != "pending") return drop_key();
  auto next_try = domain::ParseInstant(Str(m, "nextTry"));
  if (!next_try.ok() || DueKey(*next_try, id) != due_key) return drop_key();

  Status sent = Status::Ok();
  bool park = false;
  auto user = accounts_.FindUser(Str(m, "user"));
  if (!user.ok() && user.status().code() != ErrorCode::kNotFound) return user.status();
  if (!user.ok() || user->email.empty()) {
    sent = Status::FailedPrecondition(user.ok() ? "the user has no e-mail address"
                                                : "the user no longer exists");
    park = true;
  } else {
    OutgoingMail mail =
        ComposeNotificationMail(m.value("notification", json::object()), PublicUrl());
    mail.to = user->email;
    sent = options_.send(mail);
  }

  const int attempts = m.value("attempts", 0) + 1;
  m["attempts"] = attempts;
  m["lastAttempt"] = Millis(now);
  std::string new_key;
  if (sent.ok()) {
    m["state"] = "sent";
    m["sent"] = Millis(now);
    m.erase("nextTry");
    m.erase("lastError");
  } else if (park) {
    m["state"] = "parked";
    m["lastError"] = sent.message();
    m.erase("nextTry");
  } else {
    auto wait = options_.retry_base * (int64_t{1} << std::min(attempts - 1, 30));
    wait = std::min<std::chrono::milliseconds>(wait, options_.retry_max);
    const Instant next{now.micros + wait.count() * 1000};
    m["lastError"] = sent.message();
    m["nextTry"] = Millis(next);
    new_key = DueKey(next, id);
  }
  auto txn = store_.BeginWrite();
  if (!txn.ok()) return txn.status();
  auto put = (*txn)->PutObject(kMail, id, Dump(m), obj->version);
  // Another run recorded this mail meanwhile: its outcome stands.
  if (!put.ok() && put.status().code() == ErrorCode::kConflict) return Outcome::kSkipped;
  if (!put.ok()) return put.status();
  Status st = (*txn)->DeleteObject(kMailDue, due_key);
  if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
  if (!new_key.empty()) {
    auto due = (*txn)->PutObject(kMailDue, new_key, "{}", 0);
    if (!due.ok() && due.status().code() != ErrorCode::kConflict) return due.status();
  }
  LIMPIDE_RETURN_IF_ERROR((*txn)->Commit());
  if (sent.ok()) return Outcome::kSent;
  return park ? Outcome::kSkipped : Outcome::kFailed;
}

}  // namespace limpide::app
