#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <utility>

#include "app/copy.h"
#include "cli/commands.h"

namespace limpide::cli {
namespace {

// The path of a "sqlite:PATH" URL, or "" for any other URL.
std::string SqlitePathOf(std::string_view url) {
  if (!url.starts_with("sqlite:")) return {};
  std::string path(url.substr(7));
  if (path.starts_with("//")) path.erase(0, 2);
  return path;
}

bool KnownScheme(std::string_view url) {
  return url.starts_with("sqlite:") || url.starts_with("postgresql://") ||
         url.starts_with("postgres://");
}

// A progress line on stderr, only when stderr is a terminal, at most ten a second.
void DrawProgress(std::string_view what, int64_t done) {
  static auto last = std::chrono::steady_clock::time_point{};
  const auto now = std::chrono::steady_clock::now();
  if (now - last < std::chrono::milliseconds(100)) return;
  last = now;
  std::fprintf(stderr, "\r\033[Kcopying %.*s: %lld", static_cast<int>(what.size()), what.data(),
               static_cast<long long>(done));
}

}  // namespace

int Copy(const CopyArgs& args) {
  constexpr const char* kCmd = "limpide copy";
  for (const auto& [flag, url] : {std::pair{"--from", &args.from}, std::pair{"--to", &args.to}}) {
    if (!KnownScheme(*url)) {
      std::fprintf(stderr, "%s: %s must be sqlite:PATH or postgresql://…, got '%s'\n", kCmd, flag,
                   url->c_str());
      return 2;
    }
  }
  if (args.from == args.to) {
    std::fprintf(stderr, "%s: --from and --to name the same store\n", kCmd);
    return 2;
  }
  // Opening a SQLite store creates it: a source that does not exist is a mistake.
  if (const std::string path = SqlitePathOf(args.from);
      !path.empty() && !std::filesystem::exists(path)) {
    std::fprintf(stderr, "%s: --from: no SQLite store at %s\n", kCmd, path.c_str());
    return 2;
  }
  auto from = store::OpenStore(args.from);
  if (!from.ok()) {
    std::fprintf(stderr, "%s: --from: %s\n", kCmd, from.status().ToString().c_str());
    return from.status().code() == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  auto to = store::OpenStore(args.to);
  if (!to.ok()) {
    std::fprintf(stderr, "%s: --to: %s\n", kCmd, to.status().ToString().c_str());
    return to.status().code() == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  app::CopyOptions options;
  const bool tty = isatty(STDERR_FILENO);
  if (tty) options.progress = DrawProgress;
  auto report = app::CopyStore(**from, **to, options);
  if (tty) std::fputs("\r\033[K", stderr);
  if (!report.ok()) {
    std::fprintf(stderr, "%s: %s\n", kCmd, report.status().ToString().c_str());
    return 1;
  }
  if (args.json) {
    std::cout << app::CopyReportJson(*report) << "\n";
  } else {
    std::cout << app::CopyReportText(*report);
  }
  return 0;
}

}  // namespace limpide::cli
