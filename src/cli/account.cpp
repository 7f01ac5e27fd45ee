// `limpide account add` and `limpide token create`: accounts and API tokens
// from the command line, for the first admin and for scripts
// (docs/accounts.md). Whoever can run them on the data directory has every
// right, as with the database file itself.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "app/accounts.h"
#include "cli/commands.h"

namespace limpide::cli {
namespace {

// Exit code of a failed service call: 2 for bad input, 1 otherwise.
int Fail(const char* command, const Status& status) {
  std::fprintf(stderr, "limpide %s: %s\n", command, status.ToString().c_str());
  return status.code() == ErrorCode::kInvalidArgument ? 2 : 1;
}

std::vector<std::string> SplitComma(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? comma : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

void StripNewline(std::string& line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
}

}  // namespace

Result<std::string> ReadPassword(const std::string& path) {
  std::string line;
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) return Status::Unavailable("cannot read " + path);
    std::getline(in, line);
    StripNewline(line);
    return line;
  }
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "Password: ");
    std::fflush(stderr);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  StripNewline(line);
  return line;
}

int AccountAdd(const AccountAddArgs& args) {
  const auto role = app::UserRoleFromCode(args.role);
  if (!role) {
    std::fprintf(stderr, "limpide account add: --role must be buyer_agent, company_rep or admin\n");
    return 2;
  }
  auto password = ReadPassword(args.password_file);
  if (!password.ok()) return Fail("account add", password.status());
  auto store = OpenDataDir(args.data_dir, args.database, "account add");
  if (!store) return 1;
  app::Accounts accounts(*store);
  auto user = accounts.CreateUser(
      app::NewUser{args.email, args.name, *password, args.org, args.org_name, *role});
  if (!user.ok()) return Fail("account add", user.status());
  std::printf("created %s %s (%s)", user->user_id.c_str(), user->email.c_str(),
              std::string(app::Code(user->role)).c_str());
  if (!user->org_id.empty()) std::printf(" in %s %s", user->org_id.c_str(), user->org_name.c_str());
  std::printf("\n");
  return 0;
}

int TokenCreate(const TokenCreateArgs& args) {
  std::optional<domain::Instant> expires;
  if (!args.expires.empty()) {
    auto t = domain::ParseInstant(args.expires);
    if (!t.ok()) {
      std::fprintf(stderr, "limpide token create: --expires: %s\n", t.status().message().c_str());
      return 2;
    }
    expires = *t;
  }
  auto store = OpenDataDir(args.data_dir, args.database, "token create");
  if (!store) return 1;
  app::Accounts accounts(*store);
  auto user = accounts.FindUserByEmail(args.email);
  if (!user.ok()) return Fail("token create", user.status());
  auto token = accounts.CreateToken(*user, SplitComma(args.scopes), args.label, expires);
  if (!token.ok()) {
    // The CLI acts with every right of the user's role: a refused scope is
    // one that role never holds.
    return Fail("token create",
                token.status().code() == ErrorCode::kPermissionDenied
                    ? Status::InvalidArgument(token.status().message() + " (role " +
                                              std::string(app::Code(user->role)) + ")")
                    : token.status());
  }
  // The token alone on stdout, for scripts; it is shown only this once.
  std::printf("%s\n", token->token.c_str());
  std::string scopes;
  for (const auto& s : token->scopes) scopes += (scopes.empty() ? "" : ",") + s;
  std::fprintf(stderr, "limpide token create: token %s for %s, scopes %s%s%s (shown once)\n",
               token->id.c_str(), user->email.c_str(), scopes.c_str(),
               token->expires ? ", expires " : "",
               token->expires ? domain::FormatInstantMillis(*token->expires).c_str() : "");
  return 0;
}

}  // namespace limpide::cli
