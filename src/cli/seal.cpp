// `limpide seal`, `open` and `keygen`: sealed documents from the command line, chunk by chunk in
// constant memory (format in docs/receipt.md).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "cli/commands.h"
#include "crypto/crypto.h"

namespace limpide::cli {
namespace {

// Exit codes, as `limpide verify`: 0 done, 1 a file could not be sealed or opened (named),
// 2 bad arguments or a key that cannot be used.
constexpr int kFailed = 1;
constexpr int kUsage = 2;

namespace fs = std::filesystem;

constexpr std::string_view kSealedSuffix = ".sealed";

// Where the output for `input` goes: in `output_dir` when given, else beside the input.
fs::path OutputPath(const std::string& output_dir, const fs::path& input, const std::string& name) {
  return output_dir.empty() ? input.parent_path() / name : fs::path(output_dir) / name;
}

}  // namespace

Status WriteAtomically(const fs::path& path, const std::function<Status(std::ostream&)>& write) {
  const fs::path temp = path.string() + ".tmp." + std::to_string(::getpid());
  Status s;
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Unavailable("cannot create " + temp.string());
    s = write(out);
    if (s.ok()) {
      out.close();
      if (!out) s = Status::Unavailable("cannot write " + temp.string());
    }
  }
  std::error_code ec;
  if (s.ok()) {
    fs::rename(temp, path, ec);
    if (ec) s = Status::Unavailable("cannot rename " + temp.string() + ": " + ec.message());
  }
  if (!s.ok()) fs::remove(temp, ec);
  return s;
}

int Seal(const SealArgs& args) {
  auto key = crypto::KeyFromBase64(args.public_key);
  if (!key.ok()) {
    std::fprintf(stderr, "limpide seal: --public-key: %s\n", key.status().message().c_str());
    return kUsage;
  }
  int status = 0;
  for (const std::string& file : args.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "limpide seal: cannot read %s\n", file.c_str());
      status = kUsage;
      continue;
    }
    const fs::path input(file);
    const fs::path output =
        OutputPath(args.output_dir, input, input.filename().string() + std::string(kSealedSuffix));
    Status s = WriteAtomically(
        output, [&](std::ostream& out) { return crypto::SealStream(*key, in, out); });
    if (!s.ok()) {
      std::fprintf(stderr, "limpide seal: %s: %s\n", file.c_str(), s.message().c_str());
      if (status == 0) status = kFailed;
      continue;
    }
    std::error_code ec;
    const uintmax_t size = fs::file_size(input, ec);
    std::printf("%s: %ju bytes sealed in %ju chunk(s)\n", output.c_str(), ec ? 0 : size,
                static_cast<uintmax_t>(crypto::SealedChunkCount(ec ? 0 : size)));
  }
  return status;
}

int Open(const OpenArgs& args) {
  auto key = crypto::ReadBoxSecretKeyFile(args.secret_key_file);
  if (!key.ok()) {
    std::fprintf(stderr, "limpide open: %s\n", key.status().message().c_str());
    return kUsage;
  }
  int status = 0;
  for (const std::string& file : args.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "limpide open: cannot read %s\n", file.c_str());
      status = kUsage;
      continue;
    }
    const fs::path input(file);
    std::string name = input.filename().string();
    if (name.size() > kSealedSuffix.size() && name.ends_with(kSealedSuffix)) {
      name.resize(name.size() - kSealedSuffix.size());
    } else {
      name += ".opened";
    }
    const fs::path output = OutputPath(args.output_dir, input, name);
    Status s = WriteAtomically(
        output, [&](std::ostream& out) { return crypto::OpenStream(*key, in, out); });
    if (!s.ok()) {
      std::fprintf(stderr, "limpide open: %s: %s\n", file.c_str(), s.message().c_str());
      if (status == 0) status = kFailed;
      continue;
    }
    std::printf("%s: opened\n", output.c_str());
  }
  return status;
}

int Keygen(const KeygenArgs& args) {
  const crypto::BoxKeyPair key = crypto::NewBoxKeyPair();
  Status s = crypto::WriteBoxSecretKeyFile(args.secret_key_file, key);
  if (!s.ok()) {
    std::fprintf(stderr, "limpide keygen: %s\n", s.message().c_str());
    return kFailed;
  }
  std::printf("%s\n", crypto::KeyToBase64(key.public_key).c_str());
  return 0;
}

}  // namespace limpide::cli
