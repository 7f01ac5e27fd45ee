// The procedure's notifications by e-mail (docs/tenders.md, "Notifications by
// e-mail"). Each notification of a company (app/procedure.h: amendments,
// answers, new documents, the award, the end of a procedure) is queued, in
// the transaction that writes it, as one mail per user of that company who
// took part in the consultation; a scheduled job sends the mails due after
// that transaction has committed, through a sender given by the caller
// (`limpide serve`: the alerts' SMTP sender, alerts/send.h), and retries those
// that fail. A mail is never dropped: it stays pending, retried with a
// growing wait, until the relay takes it.
//
// Objects of the Store:
//   "mail"     id "<notification id>/<user id>"  {"org","user","notification",
//              "state": "pending"|"sent"|"parked","attempts","created",
//              "nextTry"?,"sent"?,"lastAttempt"?,"lastError"?}; parked: the
//              user is gone or has no address, nothing to retry. Deleted
//              once sent or parked for keep_finished (PurgeFinished).
//   "mail-due" id "<nextTry>/<mail id>" → {}: the pending mails by next try,
//              so that a run reads the due ones only.
//
// Sending is at least once: a crash between the relay's acceptance and the
// commit that records it sends that mail again.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/accounts.h"
#include "base/result.h"
#include "domain/time.h"
#include "store/store.h"

namespace limpide::app {

// One mail as the sender gets it.
struct OutgoingMail {
  std::string to;       // the account's e-mail address
  std::string subject;  // UTF-8
  std::string body;     // UTF-8 plain text, lines separated by '\n'
};

// Queues inside `txn` the mail of the notification `notification_id` (its
// stored body `notification`: tender, title, kind, message…) to each user of
// `users` (duplicates and empty ids skipped), due at once.
Status QueueNotificationMails(store::WriteTransaction& txn, const std::string& notification_id,
                              const std::string& org, const std::vector<std::string>& users,
                              const nlohmann::json& notification, domain::Instant now);

// The mail of a notification: subject and text in French, with the link to
// the consultation under `public_url`. Says nothing the notification does not.
OutgoingMail ComposeNotificationMail(const nlohmann::json& notification,
                                     const std::string& public_url);

struct NotificationMailerOptions {
  // Sends one mail; ok once the relay accepted it. Must be set.
  std::function<Status(const OutgoingMail&)> send;
  // Absolute URL of the platform, without a trailing slash.
  std::string public_url = "http://localhost:8080";
  // The clock; empty: the system clock.
  std::function<domain::Instant()> now;
  // After the k-th failure a mail waits min(retry_base · 2^(k-1), retry_max).
  std::chrono::milliseconds retry_base{30'000};
  std::chrono::milliseconds retry_max{6 * 3600 * 1000};
  // A run starts no new mail once this has passed (it stays shorter than the
  // scheduler's lease).
  std::chrono::milliseconds budget{10'000};
  // How long the record of a sent or parked mail is kept (PurgeFinished):
  // who was mailed what is personal data, and the notification itself stays.
  std::chrono::hours keep_finished{24 * 90};
};

class NotificationMailer {
 public:
  // `store` and `accounts` must outlive this object.
  NotificationMailer(store::Store& store, const Accounts& accounts,
                     NotificationMailerOptions options);

  // Sends the mails whose next try has come, earliest first, until none is
  // due, the budget is spent or one fails (the relay is down or refuses: the
  // others wait for the next run rather than time out one after another).
  // Returns how many were sent. Run it from one thread at a time (a
  // scheduled job, app/scheduler.h).
  Result<int> RunDue();
  // Deletes the records of the mails sent or parked more than keep_finished
  // ago (pending ones stay, whatever their age). Returns how many. Reads
  // every mail record: run it seldom (limpide serve: every 6 hours).
  Result<int> PurgeFinished();
  // Replaces the public URL (once the server knows its port).
  void SetPublicUrl(std::string url);

 private:
  domain::Instant Now() const;
  std::string PublicUrl() const;
  enum class Outcome { kSent, kSkipped, kFailed };
  // Sends the mail `id` listed under `due_key` if it is still pending there
  // (a key left behind is dropped: kSkipped); records the outcome.
  Result<Outcome> SendOne(const std::string& due_key, const std::string& id, domain::Instant now);

  store::Store& store_;
  const Accounts& accounts_;
  NotificationMailerOptions options_;
  mutable std::mutex url_mu_;
};

}  // namespace limpide::app
