// Saved searches and alerts (docs/alerts.md): companies save searches; each
// consultation the ledger publishes ("tender.published", and
// "tender.amended" for the searches it makes match) is matched against
// all of them at once (alerts/matcher.h), and the matches are delivered by an
// Atom feed per search, signed webhooks and e-mail (at once or in a daily
// digest with a "closing within 7 days" section).
//
// Everything is stored as objects of the Store, so it runs on SQLite and
// PostgreSQL alike:
//   "alert"          id "al_…"             the saved search and its settings
//   "user-alert"     id "<user>/<alert>"   → {} : the alerts of a user
//   "alert-meta"     id "generation"        version grows at every change of a search
//   "alert-change"   id "<generation>"      {"alert"}: which search that change was
//                                           (19 digits), applied one by one to the matcher
//   "alert-seen"     id "<alert>/<tender>"  {"seq"}: this search was alerted of this
//                                           consultation (amendments alert it no more)
//   "alert-cursor"   id "matcher"           {"position"}: ledger entries matched
//   "alert-match"    id "<alert>/<rseq>"    a match with its reason (rseq: newest first)
//   "alert-delivery" id "<alert>/<channel>/<rseq>"  state, attempts, next try
//   "alert-outbox"   id "<alert>/<channel>" {"pending": [delivery ids]}, and
//                    "<alert>/digest" {"last_sent"}
//
// Matching follows the ledger with a stored cursor, in the same transaction
// as the matches it records: restart-safe, and a match is recorded (and
// delivered) once. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "alerts/send.h"
#include "app/accounts.h"
#include "base/result.h"
#include "domain/time.h"
#include "store/store.h"

namespace limpide::alerts {

struct AlertsOptions {
  // The clock; empty: the system clock. RunDue takes `now` explicitly.
  std::function<domain::Instant()> now;
  // Absolute URL of the platform, without a trailing slash, for the links of
  // feeds, webhooks and mails ("http://localhost:8080").
  std::string public_url = "http://localhost:8080";
  // SMTP relay for e-mail alerts (send.h); empty host: mails stay pending.
  SmtpRelay smtp;
  std::string mail_from = "alertes@limpide.invalid";
  // Every network exchange (connect, send, answer) must end within this.
  std::chrono::milliseconds send_timeout{5000};
  // Retries: after the k-th failure, wait min(retry_base · 2^(k-1),
  // retry_max); after max_attempts failures the delivery is parked.
  std::chrono::milliseconds retry_base{30'000};
  std::chrono::milliseconds retry_max{6 * 3600 * 1000};
  int max_attempts = 8;
  // Daily digests leave at this hour, Europe/Paris.
  int digest_hour = 7;
  // Deliveries run on their own threads, one endpoint (alert and channel) at
  // a time each, at most this many at once.
  int max_parallel = 16;
  // The change log of saved searches keeps this many last changes: a node
  // whose matcher is further behind reads every search again (docs/alerts.md).
  int64_t change_log_keep = 10'000;
};

class Alerts {
 public:
  // `store` must outlive this object.
  Alerts(store::Store& store, AlertsOptions options = {});
  ~Alerts();  // waits for the deliveries in flight (bounded by send_timeout)
  Alerts(const Alerts&) = delete;
  Alerts& operator=(const Alerts&) = delete;

  // ---- The owner's API (JSON forms: docs/alerts.md). Company users only;
  // another user's alert is not_found. ----
  // Saves a search; the answer holds the feed URL and the webhook secret,
  // shown this once.
  Result<nlohmann::json> Create(const app::Principal& who, const nlohmann::json& body);
  Result<nlohmann::json> List(const app::Principal& who, const store::PageRequest& page);
  Result<nlohmann::json> Get(const app::Principal& who, std::string_view id);
  // Replaces the criteria and settings. A new webhook URL gets a new secret
  // (in the answer).
  Result<nlohmann::json> Replace(const app::Principal& who, std::string_view id,
                                 const nlohmann::json& body);
  Status Delete(const app::Principal& who, std::string_view id);
  // A new feed key (the old URL stops working); the answer holds the URL.
  Result<nlohmann::json> RotateFeedKey(const app::Principal& who, std::string_view id);
  // The matches, newest first, each with its reason.
  Result<nlohmann::json> Matches(const app::Principal& who, std::string_view id,
                                 const store::PageRequest& page);
  // Webhook and e-mail deliveries with their state, newest first.
  Result<nlohmann::json> Deliveries(const app::Principal& who, std::string_view id,
                                    const store::PageRequest& page);

  // The Atom 1.0 feed of an alert, for a feed reader that presents the key
  // of the feed URL. not_found for an unknown alert or a wrong key alike.
  Result<std::string> Feed(std::string_view id, std::string_view key);

  // Replaces AlertsOptions::public_url (once the server knows its port).
  void SetPublicUrl(std::string url);

  // ---- Scheduled work ----
  // Matches the ledger entries after the stored cursor; returns the position
  // reached.
  Result<uint64_t> CatchUp();
  // Everything due at `now`: CatchUp, then starts the deliveries whose next
  // try has come and the daily digests whose hour has come, each endpoint on
  // its own thread (a hanging one holds nobody else). Returns at once; call
  // it every second or so (limpide serve does).
  Status RunDue(domain::Instant now);
  // Waits until no delivery is in flight (tests, shutdown).
  void Drain();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace limpide::alerts
