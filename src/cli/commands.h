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

// The store of a data directory: <dir>/limpide.db (created with the directory).
std::string StoreUrl(const std::string& data_dir);

// Creates `data_dir` if needed and opens its store; on failure prints
// "limpide COMMAND: reason" on stderr and returns nullptr.
std::unique_ptr<store::Store> OpenDataDir(const std::string& data_dir, const char* command);

}  // namespace limpide::cli
