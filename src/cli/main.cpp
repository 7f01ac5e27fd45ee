// limpide: the platform's single binary. See `limpide --help`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Limpide: open platform for public procurement"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "limpide 0.1.0");

  limpide::cli::ServeArgs serve;
  auto* s = app.add_subcommand("serve", "Serve the API and the web pages");
  s->add_option("--database", serve.database,
                "Store URL (postgresql://…); default: DATA_DIR/limpide.db")
      ->envname("LIMPIDE_DATABASE");
  s->add_option("--data-dir", serve.data_dir, "Directory holding limpide.db")
      ->capture_default_str();
  s->add_option("--listen", serve.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  s->add_option("--seed", serve.seeds, "DECP file imported when the store is empty (repeatable)")
      ->check(CLI::ExistingFile);
  s->add_option("--demo-tenders", serve.demo_tenders,
                "With --seed, on first start: this many synthetic open consultations drawn "
                "from the seed contracts (a demo)")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  s->add_option("--static-dir", serve.static_dir,
                "Directory of static assets (default: next to the binary)");
  s->add_option("--threads", serve.threads, "I/O threads (0: one per core)")->capture_default_str();
  s->add_option("--rate-limit", serve.rate_limit, "Requests per second per client IP (0: off)")
      ->capture_default_str();
  s->add_option("--burst", serve.burst, "Burst size of the per-client rate limit")
      ->capture_default_str();
  s->add_flag("!--no-access-log", serve.access_log, "Do not log each request to stderr");
  s->add_option("--max-body-mib", serve.max_body_mib,
                "Largest request body in MiB (a DCE document, a deposit chunk)")
      ->check(CLI::Range(2, 1024))
      ->capture_default_str();
  s->add_option("--contract-cache-mib", serve.contract_cache_mib,
                "MiB of rendered contracts (GET /api/v1/contracts/{uid}) kept while the "
                "store does not change; SQLite only (0: none)")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  s->add_option("--deposit-grace", serve.deposit_grace_seconds,
                "Seconds after the deadline within which a deposit whose upload started "
                "before it is accepted (marked so)")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  s->add_option("--smtp", serve.smtp,
                "HOST:PORT of the SMTP relay for alert and procedure e-mails (none: mails stay pending)");
  s->add_flag("--smtp-starttls", serve.smtp_starttls,
              "Speak TLS with the relay (STARTTLS; its certificate must check against the system's "
              "authorities or SSL_CERT_FILE)");
  s->add_option("--smtp-user", serve.smtp_user,
                "User name for the relay's AUTH PLAIN (needs --smtp-starttls and "
                "--smtp-password-file)");
  s->add_option("--smtp-password-file", serve.smtp_password_file,
                "File whose first line is the relay's password (kept off the command line)")
      ->check(CLI::ExistingFile);
  s->add_option("--mail-from", serve.mail_from, "Sender address of alert and procedure e-mails")
      ->capture_default_str();
  s->add_option("--public-url", serve.public_url,
                "Absolute URL of the platform for links in feeds, webhooks and mails "
                "(default: http://HOST:PORT listened on)");
  s->add_option("--alerts-send-timeout-ms", serve.send_timeout_ms,
                "Time a webhook endpoint or the SMTP relay has to answer")
      ->check(CLI::Range(100, 600'000))
      ->capture_default_str();
  s->add_option("--alerts-retry-base-ms", serve.retry_base_ms,
                "Wait after a failed delivery, doubled at each further failure")
      ->check(CLI::Range(10, 86'400'000))
      ->capture_default_str();
  s->add_option("--alerts-max-attempts", serve.max_attempts,
                "Failed attempts after which a delivery is parked")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  s->add_option("--digest-hour", serve.digest_hour,
                "Hour (Europe/Paris) at which daily alert digests are sent")
      ->check(CLI::Range(0, 23))
      ->capture_default_str();
  s->add_option("--bulk-every", serve.bulk_every_seconds,
                "Seconds between checks for bulk files due (docs/bulk.md; 0: never)")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();

  limpide::cli::ImportArgs import;
  auto* i = app.add_subcommand("import", "Import DECP files (1.x JSON, 2.x JSON, 2.x XML)");
  i->add_option("--database", import.database,
                "Store URL (postgresql://…); default: DATA_DIR/limpide.db")
      ->envname("LIMPIDE_DATABASE");
  i->add_option("--data-dir", import.data_dir, "Directory holding limpide.db")
      ->capture_default_str();
  i->add_option("files", import.files, "Files to import")->required()->check(CLI::ExistingFile);
  i->add_flag("--json", import.json, "Print the summary as JSON on stdout");
  i->add_option(
      "--rejects", import.rejects,
      "JSON Lines file for rejected records (default: DATA_DIR/rejects/import-TIME.jsonl)");

  limpide::cli::ExportArgs exp;
  auto* e = app.add_subcommand(
      "export",
      "Export the contracts as DECP 2.x JSON or XML, CSV or OCDS JSON Lines (filters as in the "
      "API)");
  e->add_option("--database", exp.database,
                "Store URL (postgresql://…); default: DATA_DIR/limpide.db")
      ->envname("LIMPIDE_DATABASE");
  e->add_option("--data-dir", exp.data_dir, "Directory holding limpide.db")->capture_default_str();
  e->add_option("--format", exp.format, "decp-json, decp-xml, csv or ocds-jsonl");
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

  limpide::cli::BulkArgs bulk;
  auto* b = app.add_subcommand(
      "bulk", "Cut the bulk open data files due: daily deltas and a full dump (docs/bulk.md)");
  b->add_option("--database", bulk.database,
                "Store URL (postgresql://…); default: DATA_DIR/limpide.db")
      ->envname("LIMPIDE_DATABASE");
  b->add_option("--data-dir", bulk.data_dir, "Directory holding limpide.db; files go to DATA_DIR/bulk")
      ->capture_default_str();
  b->add_option("--day", bulk.day, "Cut the delta of this day (YYYY-MM-DD, over in Europe/Paris)");
  b->add_flag("--full", bulk.full, "Cut a full dump now");

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
  auto* vr = v->add_subcommand(
      "receipt",
      "Check a deposit receipt's signature, and its proof into the ledger (docs/receipt.md)");
  vr->add_option("receipt", verify.files, "RECEIPT.json")->required()->expected(1);
  vr->add_option("--key", verify.key, "Public key (JSON) of the platform")->required();
  auto* vr_proof =
      vr->add_option("--proof", verify.proof, "Receipt proof (JSON): receipts tree and ledger");
  auto* vr_head = vr->add_option("--head", verify.head, "Signed tree head (JSON) for the proof");
  vr_proof->needs(vr_head);
  vr_head->needs(vr_proof);

  limpide::cli::SealArgs seal;
  auto* sl =
      app.add_subcommand("seal", "Seal documents to a consultation's public key (FILE.sealed)");
  sl->add_option("--public-key", seal.public_key, "The consultation's X25519 public key, base64")
      ->required();
  sl->add_option("--output", seal.output_dir, "Directory for the sealed files (default: beside)");
  sl->add_option("files", seal.files, "Documents to seal")->required();

  limpide::cli::OpenArgs open_args;
  auto* op = app.add_subcommand("open", "Open sealed documents with the buyer's secret key");
  op->add_option("--secret-key-file", open_args.secret_key_file, "Secret key file (limpide keygen)")
      ->required();
  op->add_option("--output", open_args.output_dir,
                 "Directory for the opened files (default: beside)");
  op->add_option("files", open_args.files, "FILE.sealed to open")->required();

  limpide::cli::KeygenArgs keygen;
  auto* kg = app.add_subcommand(
      "keygen", "Create an X25519 opening key pair: secret key to a file, public key printed");
  kg->add_option("--secret-key-file", keygen.secret_key_file, "New file for the secret key (0600)")
      ->required();

  limpide::cli::MigrateArgs migrate;
  auto* m = app.add_subcommand("migrate", "Apply pending schema migrations and print the version");
  m->add_option("--database", migrate.database,
                "Store URL (postgresql://…); default: DATA_DIR/limpide.db")
      ->envname("LIMPIDE_DATABASE");
  m->add_option("--data-dir", migrate.data_dir, "Directory holding limpide.db")
      ->capture_default_str();

  limpide::cli::CopyArgs copy;
  auto* cp = app.add_subcommand(
      "copy", "Copy a whole platform into an empty store, verified by counts and ledger root");
  cp->add_option("--from", copy.from, "Source store: sqlite:PATH or postgresql://…")->required();
  cp->add_option("--to", copy.to, "Destination store, empty: sqlite:PATH or postgresql://…")
      ->required();
  cp->add_flag("--json", copy.json, "Print the summary as JSON on stdout");

  limpide::cli::ReindexArgs reindex;
  auto* r = app.add_subcommand("reindex", "Rebuild the search index from the ledger");
  r->add_option("--database", reindex.database,
                "Store URL (postgresql://…); default: DATA_DIR/limpide.db")
      ->envname("LIMPIDE_DATABASE");
  r->add_option("--data-dir", reindex.data_dir, "Directory holding limpide.db")
      ->capture_default_str();

  limpide::cli::GenArgs gen;
  auto* g = app.add_subcommand(
      "gen", "Write synthetic contracts and open consultations drawn from real DECP data");
  g->add_option("--database", gen.database,
                "Store URL (postgresql://…); default: DATA_DIR/limpide.db")
      ->envname("LIMPIDE_DATABASE");
  g->add_option("--data-dir", gen.data_dir, "Directory holding limpide.db")->capture_default_str();
  g->add_option("--contracts", gen.contracts, "Contracts to write")->capture_default_str();
  g->add_option("--tenders", gen.tenders, "Open consultations to publish")->capture_default_str();
  g->add_option("--seed", gen.seed, "Same seed, same data")->capture_default_str();
  g->add_option("--from", gen.from,
                "DECP file to learn the distributions from (repeatable; default: the real 2019 "
                "files of the shared data)")
      ->check(CLI::ExistingFile);

  limpide::cli::AccountAddArgs account;
  auto* acc = app.add_subcommand("account", "Manage user accounts (docs/accounts.md)");
  acc->require_subcommand(1);
  auto* acc_add = acc->add_subcommand(
      "add", "Create a user (and its organization); password on stdin or --password-file");
  acc_add
      ->add_option("--database", account.database,
                   "Store URL (postgresql://…); default: DATA_DIR/limpide.db")
      ->envname("LIMPIDE_DATABASE");
  acc_add->add_option("--data-dir", account.data_dir, "Directory holding limpide.db")
      ->capture_default_str();
  acc_add->add_option("--email", account.email, "E-mail address (the login)")->required();
  acc_add->add_option("--name", account.name, "Full name")->required();
  acc_add->add_option("--org", account.org, "SIRET of the organization (none for an admin)");
  acc_add->add_option("--org-name", account.org_name, "Name of the organization, when new");
  acc_add->add_option("--role", account.role, "buyer_agent, company_rep or admin")->required();
  acc_add->add_option("--password-file", account.password_file,
                      "File whose first line is the password (default: stdin)");

  limpide::cli::TokenCreateArgs token;
  auto* tok = app.add_subcommand("token", "Manage API tokens (docs/accounts.md)");
  tok->require_subcommand(1);
  auto* tok_create = tok->add_subcommand("create", "Create an API token, printed once");
  tok_create
      ->add_option("--database", token.database,
                   "Store URL (postgresql://…); default: DATA_DIR/limpide.db")
      ->envname("LIMPIDE_DATABASE");
  tok_create->add_option("--data-dir", token.data_dir, "Directory holding limpide.db")
      ->capture_default_str();
  tok_create->add_option("--email", token.email, "E-mail address of the user")->required();
  tok_create->add_option("--scopes", token.scopes, "Comma-separated: tenders,deposits,admin,read")
      ->required();
  tok_create->add_option("--label", token.label, "What the token is for");
  tok_create->add_option("--expires", token.expires, "Expiry, ISO 8601 (2027-01-01T00:00:00Z)");

  // `limpide tender …`: the procedure through the HTTP API (docs/cli.md).
  limpide::cli::TenderArgs tender;
  auto* td = app.add_subcommand(
      "tender", "Run a consultation through the platform's API with a token (docs/cli.md)");
  td->require_subcommand(1);
  std::vector<std::pair<CLI::App*, std::string>> tender_commands;
  const auto tender_command = [&](const std::string& name, const std::string& help) {
    auto* c = td->add_subcommand(name, help);
    tender_commands.emplace_back(c, name);
    c->add_option("--server", tender.server, "http://HOST:PORT of the platform")
        ->envname("LIMPIDE_SERVER");
    // No envname display of the value: the token is never printed, not even in --help.
    c->add_option("--token", tender.token, "API token (default: $LIMPIDE_TOKEN)");
    c->add_option("--token-file", tender.token_file, "File whose first line is the API token");
    c->add_flag("--json", tender.json, "Print the API's JSON as is");
    c->add_option("--timeout", tender.timeout_seconds, "Seconds for each request")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    return c;
  };
  const auto id_arg = [&](CLI::App* c) {
    c->add_option("id", tender.id, "Consultation id")->required();
  };
  {
    auto* c = tender_command("list", "List consultations (drafts only to their buyer)");
    c->add_option("--after", tender.after, "Cursor from the previous page");
    c->add_option("--limit", tender.limit, "Consultations per page");
    c->add_flag("--test", tender.test, "Test consultations too");
    id_arg(tender_command("show", "Show a consultation"));
    c = tender_command("create", "Create a draft from a JSON file in the API's consultation form");
    c->add_option("file", tender.file, "Consultation JSON (-: stdin)")->required();
    c->add_flag("--publish", tender.publish, "Publish it at once (needs --secret-key-file)");
    c->add_option("--secret-key-file", tender.secret_key_file,
                  "With --publish: new file for the opening secret key (0600)");
    c = tender_command("update", "Replace a draft's fields from a JSON file");
    id_arg(c);
    c->add_option("file", tender.file, "Consultation JSON (-: stdin)")->required();
    c = tender_command("publish", "Publish a draft; the opening secret key goes to a new file");
    id_arg(c);
    c->add_option("--secret-key-file", tender.secret_key_file,
                  "New file for the opening secret key (0600, never replaced)")
        ->required();
    c = tender_command("amend", "Amend a published consultation from a JSON file");
    id_arg(c);
    c->add_option("file", tender.file, "The amended consultation JSON (-: stdin)")->required();
    c->add_option("--summary", tender.text, "What changed, published with the amendment")
        ->required();
    c = tender_command("upload", "Add a DCE document");
    id_arg(c);
    c->add_option("file", tender.files, "The document")->required()->expected(1);
    c->add_option("--name", tender.name, "Its name (default: the file's)");
    c->add_option("--type", tender.type, "Its media type (default: from the extension)");
    c = tender_command("download", "Download a DCE document");
    id_arg(c);
    c->add_option("sha256", tender.target, "The document's SHA-256")->required();
    c->add_option("--output,-o", tender.output, "File to write (-: stdout; default: its name)");
    id_arg(tender_command("questions", "Answered questions (and your pending ones)"));
    c = tender_command("ask", "Ask a question (company)");
    id_arg(c);
    c->add_option("text", tender.text, "The question")->required();
    c = tender_command("answer", "Answer a question publicly (buyer)");
    id_arg(c);
    c->add_option("question", tender.target, "Question id")->required();
    c->add_option("text", tender.text, "The answer")->required();
    c = tender_command("deposit",
                       "Seal documents to the consultation's key here and deposit them in "
                       "chunks; saves the signed receipt");
    id_arg(c);
    c->add_option("files", tender.files, "Documents of the bid")->required();
    c->add_option("--receipt", tender.receipt, "Where the receipt goes (default: receipt-DEPOSIT.json)");
    c->add_option("--resume", tender.resume, "A started deposit to finish (its id)");
    c->add_flag("--plaintext", tender.plaintext,
                "Send plaintext for the server to seal on receipt (default: sealed here)");
    c = tender_command("deposits", "Your deposits on a consultation (company)");
    id_arg(c);
    c->add_option("deposit", tender.target, "One deposit, with its chunks received");
    c = tender_command("withdraw", "Withdraw a deposit before the deadline (company)");
    id_arg(c);
    c->add_option("deposit", tender.target, "Deposit id")->required();
    c = tender_command("proof",
                       "After the deadline: the receipt, its proof and the tree head, for "
                       "limpide verify receipt");
    id_arg(c);
    c->add_option("deposit", tender.target, "Deposit id")->required();
    c->add_option("--output", tender.output, "Directory for receipt.json, proof.json, head.json");
    c = tender_command("open",
                       "Open the bids after the deadline and decrypt their documents here");
    id_arg(c);
    c->add_option("--secret-key-file", tender.secret_key_file, "The opening secret key file")
        ->required();
    c->add_option("--output", tender.output, "Directory for the documents (default: bids-ID)");
    c->add_flag("--include-late", tender.include_late, "Open late deposits too");
    id_arg(tender_command("bids", "The opened bids and the ranking (buyer)"));
    c = tender_command("score", "Score the bids from a JSON file {scores: {BID: {CRITERION: 0..100}}}");
    id_arg(c);
    c->add_option("file", tender.file, "Scores JSON (-: stdin)")->required();
    c = tender_command("award", "Award the consultation to a bid");
    id_arg(c);
    c->add_option("bid", tender.target, "Bid id")->required();
    c = tender_command("sign", "Sign the contract and publish its essential data");
    id_arg(c);
    c->add_option("--amount", tender.amount, "Amount in euros, e.g. 48000.00")->required();
    c->add_option("--duration-months", tender.duration_months, "Duration in months");
    for (const char* end : {"cancel", "unsuccessful"}) {
      c = tender_command(end, std::string(end) == "cancel" ? "End without follow-up (sans suite)"
                                                           : "Declare unsuccessful (infructueuse)");
      id_arg(c);
      c->add_option("--reason", tender.text, "The published reason")->required();
    }
    id_arg(tender_command("events", "The consultation's history (buyer)"));
    tender_command("notifications", "Your notifications");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    // `limpide verify` keeps 1 for a failed check: its usage errors are 2.
    // So do seal, open and keygen.
    const std::string_view command = argc > 1 ? argv[1] : "";
    const bool two =
        command == "verify" || command == "seal" || command == "open" || command == "keygen" ||
        command == "copy" || command == "tender";
    return code != 0 && two ? 2 : code;
  }
  if (s->parsed()) return limpide::cli::Serve(serve);
  if (i->parsed()) return limpide::cli::Import(import);
  if (v->parsed()) {
    verify.what = vd->parsed()   ? "dump"
                  : vi->parsed() ? "inclusion"
                  : vr->parsed() ? "receipt"
                                 : "consistency";
    return limpide::cli::Verify(verify);
  }
  if (sl->parsed()) return limpide::cli::Seal(seal);
  if (op->parsed()) return limpide::cli::Open(open_args);
  if (kg->parsed()) return limpide::cli::Keygen(keygen);
  if (e->parsed()) return limpide::cli::Export(exp);
  if (b->parsed()) return limpide::cli::Bulk(bulk);
  if (r->parsed()) return limpide::cli::Reindex(reindex);
  if (g->parsed()) return limpide::cli::Gen(gen);
  if (m->parsed()) return limpide::cli::Migrate(migrate);
  if (cp->parsed()) return limpide::cli::Copy(copy);
  if (acc_add->parsed()) return limpide::cli::AccountAdd(account);
  if (tok_create->parsed()) return limpide::cli::TokenCreate(token);
  for (const auto& [command, name] : tender_commands) {
    if (!command->parsed()) continue;
    tender.what = name;
    if (tender.token.empty() && tender.token_file.empty()) {
      if (const char* env = std::getenv("LIMPIDE_TOKEN")) tender.token = env;
    }
    return limpide::cli::TenderCommand(tender);
  }
  return 2;
}
