// `limpide export`: the stored contracts as DECP 2.x JSON or XML, CSV or OCDS JSON Lines, to
// a file (with FILE.sha256 beside it) or to stdout. Records that DECP 2.x
// cannot hold are reported on stderr with their reasons.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "app/catalogue.h"
#include "app/exporter.h"
#include "cli/commands.h"
#include "crypto/crypto.h"

namespace limpide::cli {
namespace {

// Exit codes: 0 done (some records may have been skipped, as reported),
// 1 the store or the output failed, 2 bad arguments.
constexpr int kFailed = 1;
constexpr int kUsage = 2;

// "parameter 'notified_from': not a date" -> "--notified-from: not a date".
std::string OptionMessage(const Status& s) {
  std::string option = "--" + s.field();
  for (char& c : option) {
    if (c == '_') c = '-';
  }
  std::string message = s.message();
  const std::string prefix = "parameter '" + s.field() + "': ";
  if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
  return option + ": " + message;
}

// Writes the pieces to a FILE*, hashing them when asked.
class Output {
 public:
  Output(std::FILE* file, bool hash) : file_(file) {
    if (hash) hash_ = std::make_unique<crypto::Sha256Stream>();
  }

  Status Write(std::string_view piece) {
    if (std::fwrite(piece.data(), 1, piece.size(), file_) != piece.size()) {
      return Status::Unavailable("write failed");
    }
    if (hash_) hash_->Update(piece);
    return Status::Ok();
  }

  // Lower-case hex digest of everything written.
  std::string HexDigest() {
    if (!hash_) return {};
    const crypto::Hash h = hash_->Final();
    return crypto::ToHex(h);
  }

 private:
  std::FILE* file_;
  std::unique_ptr<crypto::Sha256Stream> hash_;
};

}  // namespace

int Export(const ExportArgs& args) {
  if (args.format.empty()) {
    std::fprintf(stderr, "limpide export: --format is required (decp-json, decp-xml, csv or ocds-jsonl)\n");
    return kUsage;
  }
  const auto format = app::ParseExportFormat(args.format);
  if (!format) {
    std::fprintf(stderr,
                 "limpide export: --format: unknown format '%s' (expected decp-json, decp-xml, "
                 "csv or ocds-jsonl)\n",
                 args.format.c_str());
    return kUsage;
  }
  app::Params params = {{"buyer", args.buyer},
                        {"supplier", args.supplier},
                        {"cpv", args.cpv},
                        {"procedure", args.procedure},
                        {"nature", args.nature},
                        {"notified_from", args.notified_from},
                        {"notified_to", args.notified_to},
                        {"amount_min", args.amount_min},
                        {"amount_max", args.amount_max},
                        {"q", args.q}};
  auto query = app::ParseContractQuery(params, /*strict=*/true);
  if (!query.ok()) {
    std::fprintf(stderr, "limpide export: %s\n", OptionMessage(query.status()).c_str());
    return kUsage;
  }
  auto store = OpenExistingDataDir(args.data_dir, args.database, "export");
  std::error_code ec;
  if (!store) return kFailed;

  // The file is written under a temporary name and renamed once complete, so
  // that FILE never holds a partial export.
  const bool to_file = !args.output.empty() && args.output != "-";
  const std::string part = args.output + ".part";
  std::FILE* file = stdout;
  if (to_file) {
    file = std::fopen(part.c_str(), "wb");
    if (file == nullptr) {
      std::fprintf(stderr, "limpide export: cannot write %s: %s\n", part.c_str(),
                   std::strerror(errno));
      return kFailed;
    }
  }
  Output output(file, to_file);

  app::ExportOptions options;
  options.ocid_prefix = OcidPrefixFromEnv();
  options.on_issues = [](const app::RecordIssues& r) {
    std::fprintf(stderr, "limpide export: %s\n", app::RecordIssuesText(r).c_str());
  };
  app::Exporter exporter(*store, *format, query->filter, options);
  Status status = exporter.Run([&output](std::string_view piece) { return output.Write(piece); });
  if (status.ok() && std::fflush(file) != 0) status = Status::Unavailable("write failed");
  if (to_file && std::fclose(file) != 0 && status.ok())
    status = Status::Unavailable("write failed");
  if (!status.ok()) {
    if (to_file) std::filesystem::remove(part, ec);
    std::fprintf(stderr, "limpide export: %s%s\n", to_file ? (args.output + ": ").c_str() : "",
                 status.ToString().c_str());
    return kFailed;
  }

  if (to_file) {
    std::filesystem::rename(part, args.output, ec);
    if (ec) {
      std::fprintf(stderr, "limpide export: cannot rename %s to %s: %s\n", part.c_str(),
                   args.output.c_str(), ec.message().c_str());
      return kFailed;
    }
    // sha256sum's format: "HASH  NAME", the name relative to the checksum
    // file so that `sha256sum -c FILE.sha256` works in its directory.
    const std::string sum_path = args.output + ".sha256";
    const std::string line =
        output.HexDigest() + "  " + std::filesystem::path(args.output).filename().string() + "\n";
    std::FILE* sum = std::fopen(sum_path.c_str(), "wb");
    if (sum == nullptr || std::fwrite(line.data(), 1, line.size(), sum) != line.size() ||
        std::fclose(sum) != 0) {
      std::fprintf(stderr, "limpide export: cannot write %s\n", sum_path.c_str());
      return kFailed;
    }
  }
  std::string summary = app::ExportReportText(exporter.report(), *format);
  if (to_file)
    summary += "written to " + args.output + " (checksum in " + args.output + ".sha256)\n";
  std::fprintf(stderr, "%s", summary.c_str());
  return 0;
}

}  // namespace limpide::cli
