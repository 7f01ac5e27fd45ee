#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "alerts/alerts.h"
#include "alerts/send.h"
#include "api/api.h"
#include "api/bulk.h"
#include "app/bulk.h"
#include "app/catalogue.h"
#include "app/generator.h"
#include "app/importer.h"
#include "app/ledger.h"
#include "app/notification_mail.h"
#include "app/procedure.h"
#include "app/scheduler.h"
#include "cli/commands.h"
#include "crypto/crypto.h"
#include "http/router.h"
#include "http/server.h"
#include "search/follower.h"
#include "web/pages.h"

namespace limpide::cli {
namespace {

bool SplitListen(const std::string& listen, std::string& host, uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const char* b = listen.data() + colon + 1;
  const char* e = listen.data() + listen.size();
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(b, e, value);
  if (ec != std::errc() || ptr != e || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

std::string DefaultStaticDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "static";
  return (exe.parent_path() / "static").string();
}

}  // namespace

int Serve(const ServeArgs& args) {
  http::ServerOptions options;
  if (!SplitListen(args.listen, options.host, options.port)) {
    std::fprintf(stderr, "limpide serve: --listen must be HOST:PORT, got '%s'\n",
                 args.listen.c_str());
    return 2;
  }
  options.threads = args.threads;
  options.rate_per_second = args.rate_limit;
  options.burst = args.burst;
  options.access_log = args.access_log;
  options.max_body_bytes = static_cast<size_t>(args.max_body_mib) << 20;

  // The demo files go into a new store as a first load (store/first_load.h),
  // or into an existing store that holds no contract yet.
  std::error_code ec;
  app::ImportOptions import_options;
  if (!args.seeds.empty()) {
    auto dir = std::filesystem::path(args.data_dir) / "rejects";
    std::filesystem::create_directories(dir, ec);
    import_options.rejects_path = (dir / "demo-import.jsonl").string();
  }
  bool seeded = false;  // the demo files were imported now (first start)
  auto report_seeding = [&](const Result<app::ImportReport>& report) {
    if (!report.ok()) {
      std::fprintf(stderr, "limpide serve: demo import failed: %s\n",
                   report.status().ToString().c_str());
      return false;
    }
    std::cerr << app::ImportReportText(*report);
    seeded = true;
    return true;
  };
  if (!args.seeds.empty() && IsFirstLoad(args.data_dir, args.database)) {
    std::fprintf(stderr, "limpide serve: new store, importing %zu demo file(s)\n",
                 args.seeds.size());
    if (!report_seeding(ImportFirstLoad(args.data_dir, args.seeds, import_options))) return 1;
  }

  auto store = OpenDataDir(args.data_dir, args.database, "serve");
  if (!store) return 1;
  app::Catalogue catalogue(*store);

  if (!args.seeds.empty() && !seeded) {
    auto counts = catalogue.CountContracts({});
    if (!counts.ok()) {
      std::fprintf(stderr, "limpide serve: %s\n", counts.status().ToString().c_str());
      return 1;
    }
    if (counts->contracts == 0) {
      std::fprintf(stderr, "limpide serve: empty store, importing %zu demo file(s)\n",
                   args.seeds.size());
      app::Importer importer(*store);
      if (!report_seeding(importer.Import(args.seeds, import_options))) return 1;
    }
  }

  auto key = crypto::LoadOrCreateSigningKey(LedgerKeyPath(args.data_dir));
  if (!key.ok()) {
    std::fprintf(stderr, "limpide serve: ledger signing key: %s\n",
                 key.status().ToString().c_str());
    return 1;
  }
  app::LedgerService ledger(*store, *key);
  app::LedgerWatcher watcher(*store, std::chrono::milliseconds(100));

  // The search index follows the ledger on its own thread; searches answer
  // meanwhile and say how far it is (docs/search.md).
  auto search_index = search::Index::Open(SearchDir(args.data_dir));
  if (!search_index.ok()) {
    std::fprintf(stderr, "limpide serve: %s\n", search_index.status().ToString().c_str());
    return 1;
  }
  // It is woken by the watcher when the ledger grows (at once after a local
  // write, within its poll period after another process's), not by a timer.
  search::FollowerOptions follow;
  follow.poll = std::chrono::milliseconds(0);
  follow.on_error = [](const Status& st) {
    std::fprintf(stderr, "limpide serve: search index: %s\n", st.ToString().c_str());
  };
  search::Follower follower(*store, **search_index, follow);
  follower.Start();
  watcher.Listen([&follower](uint64_t) { follower.Poke(); });
  // The watcher's thread stops before the follower goes, on every return path.
  struct StopWatcher {
    app::LedgerWatcher& w;
    ~StopWatcher() { w.Stop(); }
  } stop_watcher{watcher};

  app::Accounts accounts(*store);
  app::ProcedureOptions procedure_options;
  procedure_options.rules.deposit_grace_micros = int64_t{args.deposit_grace_seconds} * 1'000'000;
  procedure_options.max_dce_document_bytes = static_cast<int64_t>(options.max_body_bytes);
  app::Procedures procedures(*store, ledger, procedure_options);
  // Consultations and deposits stored before store schema 6 get their
  // organizations listed, once (the buyer's and company's pages read them
  // through that index).
  if (auto indexed = procedures.IndexOrganizations(); !indexed.ok()) {
    std::fprintf(stderr, "limpide serve: indexing consultations by organization: %s\n",
                 indexed.status().ToString().c_str());
    return 1;
  }
  if (seeded && args.demo_tenders > 0) {
    // Open consultations to browse, search and answer from the first minute:
    // synthetic, drawn from the demo contracts (app/generator.h), and saying so.
    auto model = app::ContractModel::FromFiles(args.seeds);
    app::GenerateOptions demo;
    demo.tenders = static_cast<uint64_t>(args.demo_tenders);
    demo.description =
        "Consultation de démonstration, générée à partir des données essentielles réelles "
        "(objet, acheteur, code CPV, lieu) : elle ne correspond à aucun besoin réel.";
    auto made = model.ok() ? app::Generate(*store, procedures, **model, demo)
                           : Result<app::GenerateReport>(model.status());
    // A demo that cannot be drawn (too few seed contracts) is not a reason
    // to refuse to serve what was imported.
    if (!made.ok()) {
      std::fprintf(stderr, "limpide serve: no demo consultations: %s\n",
                   made.status().ToString().c_str());
    } else {
      std::fprintf(stderr, "limpide serve: %llu demo consultations published (synthetic)\n",
                   static_cast<unsigned long long>(made->tenders));
    }
  }
  // Scheduled work runs on one node at a time among those sharing the store
  // (a lease per job, app/scheduler.h). Stopped by its destructor on every
  // return path, before the services it calls.
  app::SchedulerOptions schedule;
  schedule.on_error = [](const std::string& job, const Status& st) {
    std::fprintf(stderr, "limpide serve: scheduled job %s: %s\n", job.c_str(),
                 st.ToString().c_str());
  };
  app::Scheduler scheduler(*store, schedule);
  // Records the closing of consultations at their deadline (the receipts
  // tree goes into the ledger). Idempotent.
  scheduler.Add("close-due-consultations", std::chrono::seconds(1), [&procedures, &watcher] {
    auto closed = procedures.CloseDue();
    if (!closed.ok()) return closed.status();
    if (*closed > 0) watcher.Poke();
    return Status::Ok();
  });

  // Saved searches and alerts (docs/alerts.md): matched against each
  // publication of the ledger, delivered by feeds, webhooks and mail.
  alerts::AlertsOptions alert_options;
  if (!args.smtp.empty()) {
    auto smtp = alerts::ParseHostPort(args.smtp);
    if (!smtp.ok()) {
      std::fprintf(stderr, "limpide serve: --smtp: %s\n", smtp.status().message().c_str());
      return 2;
    }
    alert_options.smtp.host = smtp->first;
    alert_options.smtp.port = smtp->second;
    alert_options.smtp.starttls = args.smtp_starttls;
  }
  if (!args.smtp_user.empty()) {
    // Checked here rather than at the first mail: a relay that would refuse
    // every mail is a configuration error.
    if (args.smtp.empty() || !args.smtp_starttls || args.smtp_password_file.empty()) {
      std::fprintf(stderr,
                   "limpide serve: --smtp-user needs --smtp, --smtp-starttls (the password "
                   "must not cross the network in clear) and --smtp-password-file\n");
      return 2;
    }
    auto password = ReadPassword(args.smtp_password_file);
    if (!password.ok()) {
      std::fprintf(stderr, "limpide serve: --smtp-password-file: %s\n",
                   password.status().message().c_str());
      return 2;
    }
    alert_options.smtp.user = args.smtp_user;
    alert_options.smtp.password = std::move(*password);
  }
  alert_options.mail_from = args.mail_from;
  alert_options.send_timeout = std::chrono::milliseconds(args.send_timeout_ms);
  alert_options.retry_base = std::chrono::milliseconds(args.retry_base_ms);
  alert_options.max_attempts = args.max_attempts;
  alert_options.digest_hour = args.digest_hour;
  alerts::Alerts alerts(*store, alert_options);

  // The procedure's notifications by mail (docs/tenders.md): queued in the
  // transaction that notifies, sent through the same relay, sender address,
  // timeout and backoff as the alerts' mails, on a scheduler of its own so
  // that a relay that hangs never delays the closing at the deadline.
  // Without --smtp they stay queued until a relay is configured.
  app::NotificationMailerOptions mail_options;
  mail_options.retry_base = alert_options.retry_base;
  mail_options.retry_max = alert_options.retry_max;
  if (!alert_options.smtp.host.empty()) {
    mail_options.send = [alert_options](const app::OutgoingMail& m) {
      return alerts::SendMail(alert_options.smtp,
                              alerts::Mail{alert_options.mail_from, m.to, m.subject, m.body},
                              alert_options.send_timeout);
    };
  }
  app::NotificationMailer mailer(*store, accounts, mail_options);
  app::Scheduler mail_scheduler(*store, schedule);
  if (mail_options.send) {
    mail_scheduler.Add(
        "procedure-mails", std::chrono::milliseconds(500),
        [&mailer] { return mailer.RunDue().status(); },
        // Longer than a run: the budget, then one mail's timeout.
        2 * (mail_options.budget + alert_options.send_timeout));
  }

  // Bulk open data (docs/bulk.md): the files due are cut under a lease too,
  // on a scheduler of their own, so that a long cut never delays the deadline
  // closing or the alerts. The first check waits one period: a server started
  // for a moment (tests, a restart) does not spend its first minutes cutting.
  app::BulkOptions bulk_options;
  bulk_options.ocid_prefix = OcidPrefixFromEnv();
  app::BulkPublisher bulk(*store, BulkDir(args.data_dir), bulk_options);
  app::Scheduler bulk_scheduler(*store, schedule);
  if (args.bulk_every_seconds > 0) {
    const std::chrono::seconds every{args.bulk_every_seconds};
    bulk_scheduler.Add(
        "bulk-files",
        every,
        [&bulk, first = std::chrono::steady_clock::now() + every] {
          if (std::chrono::steady_clock::now() < first) return Status::Ok();
          auto report = bulk.RunDue(app::SystemNow());
          if (!report.ok()) return report.status();
          for (const auto& set : report->cut)
            std::fprintf(stderr, "limpide serve: bulk files cut: %s\n", set.dir.c_str());
          return Status::Ok();
        },
        2 * every + std::chrono::seconds(60));
  }

  http::Router router;
  api::RegisterAlertsApi(router, alerts, accounts);
  api::RegisterApi(router, catalogue,
                   {.contract_cache_bytes = static_cast<size_t>(args.contract_cache_mib) << 20});
  api::RegisterAccountsApi(router, accounts);
  api::RegisterTendersApi(router, procedures, accounts);
  web::RegisterTendersPages(router, procedures, accounts);
  web::RegisterLoginPage(router, accounts);
  api::RegisterLedgerApi(router, ledger, &watcher);
  api::RegisterSearchApi(router, **search_index, *store);
  api::RegisterBulkApi(router, BulkDir(args.data_dir));
  web::RegisterBulkPage(router, BulkDir(args.data_dir));
  web::RegisterSearchPage(router, **search_index, *store);
  web::RegisterWeb(
      router, catalogue,
      web::WebOptions{args.static_dir.empty() ? DefaultStaticDir() : args.static_dir, &ledger});

  // A request that may have written pokes the watcher once answered, so that
  // projections see a published consultation within milliseconds.
  auto server = http::Server::Start(options, [&router, &watcher](const http::Request& r) {
    http::Response response = router.Handle(r);
    if (r.method != "GET" && r.method != "HEAD") watcher.Poke();
    return response;
  });
  if (!server.ok()) {
    std::fprintf(stderr, "limpide serve: %s\n", server.status().ToString().c_str());
    return 1;
  }
  (*server)->HandleSignals();
  const std::string public_url =
      !args.public_url.empty() ? args.public_url
                               : "http://" + options.host + ":" + std::to_string((*server)->port());
  alerts.SetPublicUrl(public_url);
  mailer.SetPublicUrl(public_url);
  // Scheduled work of the alerts (matching new publications, deliveries due,
  // daily digests), under the same lease as the other jobs so one node does
  // it. RunDue returns at once: deliveries run on their own threads.
  // Expired login sessions do not pile up (Accounts::PurgeExpiredSessions).
  scheduler.Add("purge-sessions", std::chrono::hours(1),
                [&accounts] { return accounts.PurgeExpiredSessions().status(); });
  // The records of mails sent or parked 90 days ago (docs/tenders.md).
  scheduler.Add("purge-mails", std::chrono::hours(6),
                [&mailer] { return mailer.PurgeFinished().status(); });
  scheduler.Add("alerts", std::chrono::milliseconds(500),
                [&alerts] { return alerts.RunDue(app::SystemNow()); });
  scheduler.Start();
  bulk_scheduler.Start();
  mail_scheduler.Start();
  // One parseable line that tests and scripts wait for.
  std::printf("limpide: listening on http://%s:%u/\n", options.host.c_str(), (*server)->port());
  std::fflush(stdout);
  (*server)->Wait();
  watcher.Stop();  // answers the long polls still waiting, before the server goes
  follower.Stop();
  bulk.Cancel();  // a cut in progress stops and leaves no file
  bulk_scheduler.Stop();
  mail_scheduler.Stop();
  scheduler.Stop();  // gives the leases up: another node takes the jobs over at once
  alerts.Drain();
  std::fprintf(stderr, "limpide serve: stopped\n");
  return 0;
}

}  // namespace limpide::cli
