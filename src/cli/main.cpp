// limpide: the platform's single binary. See `limpide --help`.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Limpide: open platform for public procurement"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "limpide 0.1.0");

  limpide::cli::ServeArgs serve;
  auto* s = app.add_subcommand("serve", "Serve the API and the web pages");
  s->add_option("--data-dir", serve.data_dir, "Directory holding limpide.db")
      ->capture_default_str();
  s->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  s->add_option("--seed", serve.seeds, "DECP file imported when the store is empty (repeatable)")
      ->check(CLI::ExistingFile);
  s->add_option("--static-dir", serve.static_dir,
                "Directory of static assets (default: next to the binary)");
  s->add_option("--threads", serve.threads, "I/O threads (0: one per core)")->capture_default_str();
  s->add_option("--rate-limit", serve.rate_limit, "Requests per second per client IP (0: off)")
      ->capture_default_str();
  s->add_option("--burst", serve.burst, "Burst size of the per-client rate limit")
      ->capture_default_str();
  s->add_flag("!--no-access-log", serve.access_log, "Do not log each request to stderr");

  limpide::cli::ImportArgs import;
  auto* i = app.add_subcommand("import", "Import DECP files (1.x JSON, 2.x JSON, 2.x XML)");
  i->add_option("--data-dir", import.data_dir, "Directory holding limpide.db")
      ->capture_default_str();
  i->add_option("files", import.files, "Files to import")->required()->check(CLI::ExistingFile);
  i->add_flag("--json", import.json, "Print the summary as JSON on stdout");
  i->add_option(
      "--rejects", import.rejects,
      "JSON Lines file for rejected records (default: DATA_DIR/rejects/import-TIME.jsonl)");

  CLI11_PARSE(app, argc, argv);
  if (s->parsed()) return limpide::cli::Serve(serve);
  if (i->parsed()) return limpide::cli::Import(import);
  return 2;
}
