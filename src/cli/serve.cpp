#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stop_token>
#include <thread>

#include "api/api.h"
#include "api/bulk.h"
#include "app/bulk.h"
#include "app/catalogue.h"
#include "app/importer.h"
#include "app/ledger.h"
#include "app/procedure.h"
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

  auto store = OpenDataDir(args.data_dir, args.database, "serve");
  if (!store) return 1;
  std::error_code ec;
  app::Catalogue catalogue(*store);

  if (!args.seeds.empty()) {
    auto counts = catalogue.CountContracts({});
    if (!counts.ok()) {
      std::fprintf(stderr, "limpide serve: %s\n", counts.status().ToString().c_str());
      return 1;
    }
    if (counts->contracts == 0) {
      std::fprintf(stderr, "limpide serve: empty store, importing %zu demo file(s)\n",
                   args.seeds.size());
      auto dir = std::filesystem::path(args.data_dir) / "rejects";
      std::filesystem::create_directories(dir, ec);
      app::ImportOptions import_options;
      import_options.rejects_path = (dir / "demo-import.jsonl").string();
      app::Importer importer(*store);
      auto report = importer.Import(args.seeds, import_options);
      if (!report.ok()) {
        std::fprintf(stderr, "limpide serve: demo import failed: %s\n",
                     report.status().ToString().c_str());
        return 1;
      }
      std::cerr << app::ImportReportText(*report);
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
  search::FollowerOptions follow;
  follow.on_error = [](const Status& st) {
    std::fprintf(stderr, "limpide serve: search index: %s\n", st.ToString().c_str());
  };
  search::Follower follower(*store, **search_index, follow);
  follower.Start();

  app::Accounts accounts(*store);
  app::ProcedureOptions procedure_options;
  procedure_options.rules.deposit_grace_micros = int64_t{args.deposit_grace_seconds} * 1'000'000;
  procedure_options.max_dce_document_bytes = static_cast<int64_t>(options.max_body_bytes);
  app::Procedures procedures(*store, ledger, procedure_options);
  // Records the closing of consultations at their deadline (the receipts
  // tree goes into the ledger). Idempotent: several nodes may run it.
  // Stopped and joined by its destructor, on every return path.
  std::jthread closer([&procedures, &watcher](const std::stop_token& token) {
    while (!token.stop_requested()) {
      auto closed = procedures.CloseDue();
      if (!closed.ok()) {
        std::fprintf(stderr, "limpide serve: closing at the deadline: %s\n",
                     closed.status().ToString().c_str());
      } else if (*closed > 0) {
        watcher.Poke();
      }
      for (int i = 0; i < 10 && !token.stop_requested(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  // Bulk open data (docs/bulk.md): the files due are cut on this thread.
  // Every node may run it (a set is renamed into place once); the lease of
  // scheduled jobs, once there, goes around RunDue so that one node does the work.
  app::BulkOptions bulk_options;
  bulk_options.ocid_prefix = OcidPrefixFromEnv();
  app::BulkPublisher bulk(*store, BulkDir(args.data_dir), bulk_options);
  std::jthread bulk_cutter([&bulk, every = args.bulk_every_seconds](const std::stop_token& token) {
    if (every <= 0) return;
    // The first check waits one period too: a server started for a moment
    // (tests, a restart) does not spend its first minutes cutting files.
    for (int i = 0; i < every * 10 && !token.stop_requested(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    while (!token.stop_requested()) {
      const domain::Instant now{std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count()};
      auto report = bulk.RunDue(now);
      if (!report.ok()) {
        std::fprintf(stderr, "limpide serve: bulk files: %s\n", report.status().ToString().c_str());
      } else {
        for (const auto& set : report->cut)
          std::fprintf(stderr, "limpide serve: bulk files cut: %s\n", set.dir.c_str());
      }
      for (int i = 0; i < every * 10 && !token.stop_requested(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  http::Router router;
  api::RegisterApi(router, catalogue);
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

  auto server =
      http::Server::Start(options, [&router](const http::Request& r) { return router.Handle(r); });
  if (!server.ok()) {
    std::fprintf(stderr, "limpide serve: %s\n", server.status().ToString().c_str());
    return 1;
  }
  (*server)->HandleSignals();
  // One parseable line that tests and scripts wait for.
  std::printf("limpide: listening on http://%s:%u/\n", options.host.c_str(), (*server)->port());
  std::fflush(stdout);
  (*server)->Wait();
  watcher.Stop();  // answers the long polls still waiting, before the server goes
  follower.Stop();
  closer.request_stop();
  bulk.Cancel();  // a cut in progress stops and leaves no file
  bulk_cutter.request_stop();
  std::fprintf(stderr, "limpide serve: stopped\n");
  return 0;
}

}  // namespace limpide::cli
