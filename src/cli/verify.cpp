// `limpide verify`: prints the reports of ledger/verify.h and ledger/receipt.h, one check a line.
#include "ledger/verify.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "ledger/receipt.h"

namespace limpide::cli {
namespace {

using Outcome = ledger::VerifyReport::Outcome;

// The text of `path`, or nothing with the report ended as unusable.
std::optional<std::string> ReadText(const std::string& path, ledger::VerifyReport* report) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    report->outcome = Outcome::kUnusable;
    report->problem = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return text.str();
}

// The JSON of `path`, or nothing with the report ended: unusable when the file cannot be read,
// else `not_json` (the key must be a key; a head or proof that is not JSON is a failed check).
std::optional<nlohmann::json> ReadJson(const std::string& path, Outcome not_json,
                                       ledger::VerifyReport* report) {
  auto text = ReadText(path, report);
  if (!text) return std::nullopt;
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception&) {
    report->outcome = not_json;
    report->problem = path + ": not JSON";
    return std::nullopt;
  }
}

// `limpide verify receipt`: reads the files, then ledger::VerifyReceiptDoc.
ledger::VerifyReport VerifyReceiptFiles(const VerifyArgs& args) {
  ledger::VerifyReport report;
  auto receipt = ReadText(args.files[0], &report);
  if (!receipt) return report;
  auto key = ReadJson(args.key, Outcome::kUnusable, &report);
  if (!key) return report;
  if (args.proof.empty()) return ledger::VerifyReceiptDoc(*receipt, *key);
  auto proof = ReadJson(args.proof, Outcome::kFailed, &report);
  if (!proof) return report;
  auto head = ReadJson(args.head, Outcome::kFailed, &report);
  if (!head) return report;
  return ledger::VerifyReceiptDoc(*receipt, *key, &*proof, &*head);
}

}  // namespace

int Verify(const VerifyArgs& args) {
  ledger::VerifyReport report;
  if (args.what == "dump" && args.files.size() == 1) {
    report = ledger::VerifyDumpFile(args.files[0], args.head, args.key);
  } else if (args.what == "inclusion" && args.files.size() == 1) {
    report = ledger::VerifyInclusionFiles(args.files[0], args.head, args.key);
  } else if (args.what == "consistency" && args.files.size() == 3) {
    report = ledger::VerifyConsistencyFiles(args.files[0], args.files[1], args.files[2], args.key);
  } else if (args.what == "receipt" && args.files.size() == 1 &&
             args.proof.empty() == args.head.empty()) {
    report = VerifyReceiptFiles(args);
  } else {
    std::fprintf(stderr, "limpide verify: see limpide verify --help\n");
    return 2;
  }
  for (const std::string& line : report.Lines()) {
    if (line.rfind("error ", 0) == 0) {
      std::fflush(stdout);
      std::fprintf(stderr, "limpide verify: %s\n", line.c_str() + 6);
    } else {
      std::printf("%s\n", line.c_str());
    }
  }
  return report.ExitCode();
}

}  // namespace limpide::cli
