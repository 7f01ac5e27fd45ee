// One function per `limpide` subcommand; main.cpp wires them to CLI11.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace limpide::cli {

struct ServeArgs {
  std::string data_dir = "var/data";
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> seeds;  // imported on first start (empty store)
  std::string static_dir;          // Pico CSS etc.; default: <binary dir>/static
  int threads = 0;
  double rate_limit = 50;
  double burst = 200;
  bool access_log = true;
};
int Serve(const ServeArgs& args);

struct ImportArgs {
  std::string data_dir = "var/data";
  std::vector<std::string> files;
  bool json = false;
  std::string rejects;  // default: <data-dir>/rejects/import-<UTC time>.jsonl
};
int Import(const ImportArgs& args);

struct ExportArgs {
  std::string data_dir = "var/data";
  std::string format;  // decp-json, decp-xml, csv
  std::string output;  // empty or "-": stdout; else FILE and FILE.sha256
  // Filters, as the API's (docs/api.md); empty: no filter.
  std::string buyer, supplier, cpv, procedure, nature, notified_from, notified_to, amount_min,
      amount_max, q;
};
// Exit 0 (records DECP 2.x cannot hold are reported on stderr), 1 when the
// store or the output fails, 2 for bad arguments.
int Export(const ExportArgs& args);

// The Ed25519 key that signs the ledger's tree heads: <dir>/ledger.key
// (created on first use, mode 0600).
std::string LedgerKeyPath(const std::string& data_dir);

// `limpide verify dump|inclusion|consistency`: offline checks of the ledger's files
// (docs/ledger.md). Prints each check; exit 0 all held, 1 one failed (named), 2 usage or a
// file that cannot be read.
struct VerifyArgs {
  std::string what;                // "dump", "inclusion" or "consistency"
  std::vector<std::string> files;  // DUMP | PROOF | FIRST_HEAD SECOND_HEAD PROOF
  std::string head;                // --head (dump: optional, with --key; inclusion: required)
  std::string key;                 // --key
};
int Verify(const VerifyArgs& args);

// The store of a data directory: <dir>/limpide.db (created with the directory).
std::string StoreUrl(const std::string& data_dir);

// Creates `data_dir` if needed and opens its store; on failure prints
// "limpide COMMAND: reason" on stderr and returns nullptr.
std::unique_ptr<store::Store> OpenDataDir(const std::string& data_dir, const char* command);

}  // namespace limpide::cli
