// `limpide verify`: prints the reports of ledger/verify.h, one check a line.
#include "ledger/verify.h"

#include <cstdio>

#include "cli/commands.h"

namespace limpide::cli {

int Verify(const VerifyArgs& args) {
  ledger::VerifyReport report;
  if (args.what == "dump" && args.files.size() == 1) {
    report = ledger::VerifyDumpFile(args.files[0], args.head, args.key);
  } else if (args.what == "inclusion" && args.files.size() == 1) {
    report = ledger::VerifyInclusionFiles(args.files[0], args.head, args.key);
  } else if (args.what == "consistency" && args.files.size() == 3) {
    report = ledger::VerifyConsistencyFiles(args.files[0], args.files[1], args.files[2], args.key);
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
