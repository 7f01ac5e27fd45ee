// limpide: the platform's single binary. See `limpide --help`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string_view>

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

  limpide::cli::ExportArgs exp;
  auto* e = app.add_subcommand(
      "export", "Export the contracts as DECP 2.x JSON or XML, or CSV (filters as in the API)");
  e->add_option("--data-dir", exp.data_dir, "Directory holding limpide.db")->capture_default_str();
  e->add_option("--format", exp.format, "decp-json, decp-xml or csv");
  e->add_option("--output,-o", exp.output, "File to write, with FILE.sha256 (default: stdout)");
  e->add_option("--buyer", exp.buyer, "SIRET of the buyer");
  e->add_option("--supplier", exp.supplier, "Identifier of a holder");
  e->add_option("--cpv", exp.cpv, "CPV prefix (2 to 8 digits)");
  e->add_option("--procedure", exp.procedure, "Procedure code (appel_offres_ouvert, ...)");
  e->add_option("--nature", exp.nature, "Nature code (marche, accord_cadre, ...)");
  e->add_option("--notified-from", exp.notified_from, "Notified on or after YYYY-MM-DD");
  e->add_option("--notified-to", exp.notified_to, "Notified on or before YYYY-MM-DD");
  e->add_option("--amount-min", exp.amount_min, "Amount at least this many euros");
  e->add_option("--amount-max", exp.amount_max, "Amount at most this many euros");
  e->add_option("--q", exp.q, "Words that must all appear in the object");

  limpide::cli::VerifyArgs verify;
  auto* v = app.add_subcommand("verify", "Verify the transparency ledger offline (docs/ledger.md)");
  v->require_subcommand(1);
  auto* vd = v->add_subcommand("dump", "Recompute every hash of a ledger dump (JSON Lines)");
  vd->add_option("dump", verify.files, "DUMP.jsonl")->required()->expected(1);
  auto* vd_head =
      vd->add_option("--head", verify.head, "Signed tree head (JSON) to check it against");
  auto* vd_key = vd->add_option("--key", verify.key, "Public key (JSON) that signed the head");
  vd_head->needs(vd_key);
  vd_key->needs(vd_head);
  auto* vi = v->add_subcommand("inclusion", "Check an inclusion proof against a signed tree head");
  vi->add_option("proof", verify.files, "PROOF.json")->required()->expected(1);
  vi->add_option("--head", verify.head, "Signed tree head (JSON)")->required();
  vi->add_option("--key", verify.key, "Public key (JSON)")->required();
  auto* vc = v->add_subcommand("consistency", "Check that a tree head extends an older one");
  vc->add_option("files", verify.files, "FIRST_HEAD.json SECOND_HEAD.json PROOF.json")
      ->required()
      ->expected(3);
  vc->add_option("--key", verify.key, "Public key (JSON)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    // `limpide verify` keeps 1 for a failed check: its usage errors are 2.
    return code != 0 && argc > 1 && std::string_view(argv[1]) == "verify" ? 2 : code;
  }
  if (s->parsed()) return limpide::cli::Serve(serve);
  if (i->parsed()) return limpide::cli::Import(import);
  if (v->parsed()) {
    verify.what = vd->parsed() ? "dump" : vi->parsed() ? "inclusion" : "consistency";
    return limpide::cli::Verify(verify);
  }
  if (e->parsed()) return limpide::cli::Export(exp);
  return 2;
}
