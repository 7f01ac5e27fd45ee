// `limpide tender …`: the procedure of docs/tenders.md from the command line,
// through the platform's HTTP API with an API token (docs/cli.md), so that the
// API decides every authorization and a script can run from any machine.
// Documents are sealed here, chunk by chunk, before they leave the machine;
// bids are opened here with the buyer's secret key file.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "crypto/crypto.h"
#include "http/uri.h"

namespace limpide::cli {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Exit codes (docs/cli.md).
constexpr int kRefused = 1;      // the API refused (4xx): its problem on stderr
constexpr int kUsage = 2;        // bad arguments, a local file that cannot be read or written
constexpr int kUnreachable = 3;  // the server cannot be reached, timed out or failed (5xx)

// One command's context: the API, where to print, how.
class Command {
 public:
  Command(const TenderArgs& args, ApiClient api) : args_(args), api_(std::move(api)) {}

  const TenderArgs& args() const { return args_; }
  const ApiClient& api() const { return api_; }

  // Prints "limpide tender WHAT: message" on stderr; returns the exit code of `s`.
  int Fail(const Status& s) const {
    std::fflush(stdout);
    std::fprintf(stderr, "limpide tender %s: %s\n", args_.what.c_str(), s.message().c_str());
    switch (s.code()) {
      case ErrorCode::kUnavailable:
      case ErrorCode::kInternal:
        return kUnreachable;
      case ErrorCode::kFailedPrecondition:  // a local file in the way
        return kUsage;
      default:
        return local_ ? kUsage : kRefused;
    }
  }
  // The next failure is about local input (exit 2), not the API.
  int FailLocal(const Status& s) {
    local_ = true;
    return Fail(s);
  }

  // Calls the API; prints the JSON as is with --json, else `text(json)`.
  int Show(const std::string& method, const std::string& path, std::string body,
           const std::function<void(const json&)>& text) const {
    auto r = api_.CallJson(method, path, std::move(body));
    if (!r.ok()) return Fail(r.status());
    return Print(*r, text);
  }
  int Print(const std::string& raw, const std::function<void(const json&)>& text) const {
    if (args_.json) {
      std::printf("%s\n", raw.c_str());
      return 0;
    }
    const json j = json::parse(raw, nullptr, false);
    if (j.is_discarded()) {
      std::printf("%s\n", raw.c_str());
      return 0;
    }
    text(j);
    return 0;
  }

 private:
  const TenderArgs& args_;
  ApiClient api_;
  bool local_ = false;
};

// A member as text: strings as they are, a coded value ({code, label}) by its code.
std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_object() && it->contains("code") && (*it)["code"].is_string())
    return (*it)["code"].get<std::string>();
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The file name of a Content-Disposition header: filename*=UTF-8''… (RFC 5987) when
// present, else filename="…"; empty when neither is there.
std::string DispositionName(const std::string& cd) {
  if (const size_t at = cd.find("filename*=UTF-8''"); at != std::string::npos) {
    std::string out;
    for (size_t i = at + 17; i < cd.size() && cd[i] != ';' && cd[i] != ' '; ++i) {
      const auto hex = [](char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                      : -1;
      };
      if (cd[i] == '%' && i + 2 < cd.size() && hex(cd[i + 1]) >= 0 && hex(cd[i + 2]) >= 0) {
        out.push_back(static_cast<char>(hex(cd[i + 1]) * 16 + hex(cd[i + 2])));
        i += 2;
      } else {
        out.push_back(cd[i]);
      }
    }
    if (!out.empty()) return out;
  }
  if (const size_t at = cd.find("filename=\""); at != std::string::npos) {
    const size_t end = cd.find('"', at + 10);
    if (end != std::string::npos) return cd.substr(at + 10, end - at - 10);
  }
  return "";
}

std::string Tender(const std::string& id) { return "/api/v1/tenders/" + Escape(id); }

Result<std::string> ReadAll(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path);
  text << in.rdbuf();
  if (in.bad()) return Status::InvalidArgument("cannot read " + path);
  return text.str();
}

// A JSON file (or stdin for "-"), checked to be JSON before it is sent.
Result<json> ReadJsonFile(const std::string& path) {
  auto text = ReadAll(path);
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return Status::InvalidArgument(path + ": not JSON");
  return j;
}

Status WriteBytes(const fs::path& path, std::string_view bytes) {
  return WriteAtomically(path, [&](std::ostream& out) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return out ? Status::Ok() : Status::Unavailable("cannot write " + path.string());
  });
}

// A document name as a file name: no directory, nothing hidden.
std::string SafeFileName(std::string name) {
  for (char& c : name) {
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "document";
  if (name[0] == '.') name[0] = '_';
  return name;
}

// ---- Reads ----

void PrintTenderLine(const json& t) {
  std::printf("%s  %-16s  %s  %s\n", Str(t, "id").c_str(), Str(t, "state").c_str(),
              Str(t, "deadline").c_str(), Str(t, "title").c_str());
}

void PrintTender(const json& t) {
  std::printf("id: %s\ntitle: %s\n", Str(t, "id").c_str(), Str(t, "title").c_str());
  std::printf("state: %s\n", Str(t, "state").c_str());
  if (t.contains("buyer") && t["buyer"].is_object())
    std::printf("buyer: %s (%s)\n", Str(t["buyer"], "name").c_str(), Str(t["buyer"], "id").c_str());
  for (const char* k :
       {"reference", "procedure", "nature", "cpv", "deadline", "opening_public_key"}) {
    if (const std::string v = Str(t, k); !v.empty()) std::printf("%s: %s\n", k, v.c_str());
  }
  if (t.contains("documents") && t["documents"].is_array()) {
    for (const auto& d : t["documents"])
      std::printf("document: %s  %s bytes  sha256 %s\n", Str(d, "name").c_str(),
                  Str(d, "size").c_str(), Str(d, "sha256").c_str());
  }
  if (const std::string v = Str(t, "end_reason"); !v.empty())
    std::printf("end reason: %s\n", v.c_str());
}

// A list in the API's envelope ({"data", "links"}); the cursor of the next
// page is the `after` of links.next.
void PrintItems(const json& j, const std::function<void(const json&)>& line) {
  if (j.contains("data") && j["data"].is_array()) {
    for (const auto& item : j["data"]) line(item);
  }
  const std::string next = j.contains("links") ? Str(j["links"], "next") : std::string();
  if (const size_t at = next.find("after="); at != std::string::npos) {
    const std::string raw = next.substr(at + 6, next.find('&', at) - (at + 6));
    std::string after;
    if (http::internal::PercentDecode(raw, false, after))
      std::printf("more: --after %s\n", after.c_str());
  }
}

int List(Command& c) {
  std::string query;
  const auto add = [&](const std::string& k, const std::string& v) {
    query += (query.empty() ? "?" : "&") + k + "=" + Escape(v);
  };
  if (!c.args().after.empty()) add("after", c.args().after);
  if (c.args().limit > 0) add("limit", std::to_string(c.args().limit));
  if (c.args().test) add("test", "1");
  return c.Show("GET", "/api/v1/tenders" + query, {},
                [](const json& j) { PrintItems(j, PrintTenderLine); });
}

// ---- Buyer ----

// Writes the secret key of a publication's answer to `path` (0600, never
// replaced) and removes it from `answer`. The key exists nowhere else: if the
// file cannot be written it goes to stderr, the last place left.
Status KeepSecretKey(json& answer, const std::string& path) {
  const std::string secret = Str(answer.value("opening_key", json::object()), "secret_key");
  if (secret.empty()) return Status::Internal("the publication's answer holds no secret key");
  answer["opening_key"].erase("secret_key");
  auto key = crypto::KeyFromBase64(secret);
  Status s = key.ok() ? crypto::WriteBoxSecretKeyFile(path, crypto::BoxKeyPairFromSecretKey(*key))
                      : key.status();
  if (!s.ok()) {
    std::fprintf(stderr,
                 "limpide tender publish: %s; the opening secret key, which exists nowhere "
                 "else, is:\n%s\n",
                 s.message().c_str(), secret.c_str());
  }
  return s;
}

int Publish(Command& c, const std::string& id) {
  auto r = c.api().CallJson("POST", Tender(id) + "/publish");
  if (!r.ok()) return c.Fail(r.status());
  json answer = json::parse(*r, nullptr, false);
  if (answer.is_discarded()) return c.Fail(Status::Internal("the answer is not JSON"));
  if (Status s = KeepSecretKey(answer, c.args().secret_key_file); !s.ok()) return kUsage;
  if (c.args().json) {
    std::printf("%s\n", answer.dump().c_str());
    return 0;
  }
  const json& t = answer["tender"];
  std::printf("%s published\nopening public key: %s\nsecret key written to %s\n",
              Str(t, "id").c_str(), Str(answer["opening_key"], "public_key").c_str(),
              c.args().secret_key_file.c_str());
  return 0;
}

// Publication needs a place for the secret key that is free, checked before
// the key is made.
Status CheckKeyFileFree(const TenderArgs& args) {
  if (args.secret_key_file.empty())
    return Status::InvalidArgument(
        "--secret-key-file is required: the opening secret key is "
        "given once, at publication");
  std::error_code ec;
  if (fs::exists(args.secret_key_file, ec))
    return Status::InvalidArgument(args.secret_key_file +
                                   " exists: the secret key file is "
                                   "never replaced");
  return Status::Ok();
}

int Create(Command& c) {
  auto body = ReadJsonFile(c.args().file);
  if (!body.ok()) return c.FailLocal(body.status());
  if (c.args().publish) {
    if (Status s = CheckKeyFileFree(c.args()); !s.ok()) return c.FailLocal(s);
  }
  auto r = c.api().CallJson("POST", "/api/v1/tenders", body->dump());
  if (!r.ok()) return c.Fail(r.status());
  if (!c.args().publish) {
    return c.Print(*r, [](const json& t) {
      std::printf("%s created (%s)\n", Str(t, "id").c_str(), Str(t, "state").c_str());
    });
  }
  const std::string id = Str(json::parse(*r, nullptr, false), "id");
  const int published = Publish(c, id);
  if (published != 0)
    std::fprintf(stderr, "limpide tender create: the draft %s was created, not published\n",
                 id.c_str());
  return published;
}

int Upload(Command& c) {
  const std::string& file = c.args().files.at(0);
  auto bytes = ReadAll(file);
  if (!bytes.ok()) return c.FailLocal(bytes.status());
  const std::string name =
      c.args().name.empty() ? fs::path(file).filename().string() : c.args().name;
  std::string type = c.args().type;
  if (type.empty()) {
    static const std::pair<const char*, const char*> kTypes[] = {
        {".pdf", "application/pdf"},
        {".zip", "application/zip"},
        {".txt", "text/plain"},
        {".odt", "application/vnd.oasis.opendocument.text"},
        {".ods", "application/vnd.oasis.opendocument.spreadsheet"},
        {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {".json", "application/json"},
        {".xml", "application/xml"},
        {".csv", "text/csv"}};
    std::string ext = fs::path(name).extension().string();
    for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    type = "application/octet-stream";
    for (const auto& [e, t] : kTypes) {
      if (ext == e) type = t;
    }
  }
  auto r = c.api().CallJson("POST", Tender(c.args().id) + "/documents?name=" + Escape(name),
                            std::move(*bytes), type);
  if (!r.ok()) return c.Fail(r.status());
  return c.Print(*r, [](const json& d) {
    std::printf("%s added: %s bytes, sha256 %s\n", Str(d, "name").c_str(), Str(d, "size").c_str(),
                Str(d, "sha256").c_str());
  });
}

int Download(Command& c) {
  auto r = c.api().Call("GET", Tender(c.args().id) + "/documents/" + Escape(c.args().target));
  if (!r.ok()) return c.Fail(r.status());
  if (r->status >= 400) return c.Fail(ProblemStatus(*r));
  std::string out = c.args().output;
  if (out.empty()) {
    // The name the server gives (Content-Disposition), else the hash.
    out = c.args().target;
    if (const auto* cd = r->Header("Content-Disposition")) {
      if (std::string name = DispositionName(*cd); !name.empty()) out = SafeFileName(name);
    }
  }
  if (out == "-") {
    std::fwrite(r->body.data(), 1, r->body.size(), stdout);
    return 0;
  }
  if (Status s = WriteBytes(out, r->body); !s.ok()) return c.FailLocal(s);
  if (!c.args().json) std::printf("%s: %zu bytes\n", out.c_str(), r->body.size());
  return 0;
}

void PrintQuestion(const json& q) {
  std::printf("%s  %s\n  Q: %s\n", Str(q, "id").c_str(), Str(q, "asked").c_str(),
              Str(q, "text").c_str());
  if (const std::string a = Str(q, "answer"); !a.empty()) std::printf("  R: %s\n", a.c_str());
}

// ---- Opening ----

int Open(Command& c) {
  auto key = crypto::ReadBoxSecretKeyFile(c.args().secret_key_file);
  if (!key.ok()) return c.FailLocal(key.status());
  const json body = {{"secret_key", crypto::KeyToBase64(key->secret_key)},
                     {"include_late", c.args().include_late}};
  const std::string path = Tender(c.args().id);
  auto opened = c.api().CallJson("POST", path + "/opening", body.dump());
  std::string raw;
  if (opened.ok()) {
    raw = std::move(*opened);
  } else {
    // Opened already (a second run): the bids are there to download again.
    auto bids = opened.status().code() == ErrorCode::kConflict
                    ? c.api().CallJson("GET", path + "/bids")
                    : Result<std::string>(opened.status());
    if (!bids.ok()) return c.Fail(opened.status());
    raw = std::move(*bids);
  }
  const json result = json::parse(raw, nullptr, false);
  if (!result.is_object() || !result.contains("bids") || !result["bids"].is_array())
    return c.Fail(Status::Internal("the answer holds no bids"));
  const fs::path dir =
      c.args().output.empty() ? fs::path("bids-" + c.args().id) : fs::path(c.args().output);
  int failures = 0;
  std::string report;
  for (const auto& bid : result["bids"]) {
    const std::string bid_id = Str(bid, "id");
    const json company = bid.value("company", json::object());
    report += "bid " + bid_id + "  " + Str(company, "name") + " (" + Str(company, "id") +
              ")  received " + Str(bid, "received") + "  " + Str(bid, "timing") + "\n";
    const json docs = bid.value("documents", json::array());
    for (size_t n = 0; n < docs.size(); ++n) {
      const json& doc = docs[n];
      const fs::path out = dir / SafeFileName(bid_id) / SafeFileName(Str(doc, "name"));
      Status s;
      auto file =
          c.api().Call("GET", path + "/bids/" + Escape(bid_id) + "/documents/" + std::to_string(n));
      if (!file.ok()) return c.Fail(file.status());
      if (file->status >= 400) {
        s = ProblemStatus(*file);
      } else if (crypto::ToHex(crypto::Sha256(file->body)) != Str(doc, "sha256")) {
        s = Status::InvalidArgument("the sealed file's SHA-256 is not the receipt's");
      } else {
        auto chunks = crypto::DecodeSealedFile(file->body);
        auto plain = chunks.ok() ? crypto::OpenDocument(*key, *chunks)
                                 : Result<std::string>(chunks.status());
        if (!plain.ok()) {
          s = plain.status();
        } else if (doc.contains("plaintext_sha256") &&
                   crypto::ToHex(crypto::Sha256(*plain)) != Str(doc, "plaintext_sha256")) {
          s = Status::InvalidArgument("the plaintext's SHA-256 is not the one found at opening");
        } else {
          std::error_code ec;
          fs::create_directories(out.parent_path(), ec);
          s = WriteBytes(out, *plain);
        }
      }
      if (s.ok()) {
        report += "  " + out.string() + "  " + Str(doc, "size") + " bytes\n";
      } else {
        ++failures;
        report += "  " + Str(doc, "name") + ": NOT OPENED: " + s.message() + "\n";
        std::fprintf(stderr, "limpide tender open: bid %s, %s: %s\n", bid_id.c_str(),
                     Str(doc, "name").c_str(), s.message().c_str());
      }
    }
  }
  if (c.args().json) {
    std::printf("%s\n", raw.c_str());
  } else {
    std::printf("%zu bid(s) opened into %s\n%s", result["bids"].size(), dir.c_str(),
                report.c_str());
    if (result.contains("late_deposits"))
      std::printf("late deposits: %s (opened only with --include-late)\n",
                  Str(result, "late_deposits").c_str());
  }
  return failures == 0 ? 0 : kRefused;
}

void PrintRanking(const json& j) {
  for (const auto& r : j.value("ranking", json::array())) {
    const json company = r.value("company", json::object());
    std::printf("%s. bid %s  %s (%s)  %s/100\n", Str(r, "rank").c_str(), Str(r, "bid").c_str(),
                Str(company, "name").c_str(), Str(company, "id").c_str(),
                r.contains("total_hundredths") && r["total_hundredths"].is_number()
                    ? (std::to_string(r["total_hundredths"].get<int64_t>() / 100) + "." +
                       std::to_string(r["total_hundredths"].get<int64_t>() % 100 / 10) +
                       std::to_string(r["total_hundredths"].get<int64_t>() % 10))
                          .c_str()
                    : "?");
  }
}

// ---- Deposits ----

// What the deposit of one local file sends.
struct LocalDocument {
  std::string path;
  std::string name;
  uint64_t size = 0;
};

// Sends one request again when the network or the server failed (not when the API refused).
template <typename Fn>
auto Retrying(Fn&& fn) {
  auto r = fn();
  for (int attempt = 1; attempt < 4 && !r.ok() && r.status().code() == ErrorCode::kUnavailable;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500 << (attempt - 1)));
    r = fn();
  }
  return r;
}

int Deposit(Command& c) {
  const TenderArgs& a = c.args();
  std::vector<LocalDocument> docs;
  for (const std::string& file : a.files) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec || !fs::is_regular_file(file, ec))
      return c.FailLocal(Status::InvalidArgument("cannot read " + file));
    docs.push_back({file, fs::path(file).filename().string(), size});
  }
  const std::string path = Tender(a.id);
  auto tender_raw = c.api().CallJson("GET", path);
  if (!tender_raw.ok()) return c.Fail(tender_raw.status());
  const json tender = json::parse(*tender_raw, nullptr, false);
  auto public_key = crypto::KeyFromBase64(Str(tender, "opening_public_key"));
  if (!a.plaintext && !public_key.ok())
    return c.Fail(Status::Conflict(a.id + " has no opening key: it is not published"));

  // Start, or find the deposit to resume.
  std::string started;
  if (a.resume.empty()) {
    json decl = json::array();
    for (const auto& d : docs)
      decl.push_back({{"name", d.name}, {"size", d.size}, {"sealed", !a.plaintext}});
    auto r = c.api().CallJson("POST", path + "/deposits", json{{"documents", decl}}.dump());
    if (!r.ok()) return c.Fail(r.status());
    started = std::move(*r);
  } else {
    auto r = c.api().CallJson("GET", path + "/deposits/" + Escape(a.resume));
    if (!r.ok()) return c.Fail(r.status());
    started = std::move(*r);
  }
  const json deposit = json::parse(started, nullptr, false);
  const std::string deposit_id = Str(deposit, "id");
  const json declared = deposit.value("documents", json::array());
  if (declared.size() != docs.size())
    return c.FailLocal(Status::InvalidArgument("deposit " + deposit_id + " holds " +
                                               std::to_string(declared.size()) +
                                               " document(s), not " + std::to_string(docs.size())));
  for (size_t i = 0; i < docs.size(); ++i) {
    if (Str(declared[i], "name") != docs[i].name ||
        declared[i].value("size", uint64_t{0}) != docs[i].size ||
        declared[i].value("sealed_by_server", false) != a.plaintext)
      return c.FailLocal(Status::InvalidArgument(
          "deposit " + deposit_id + ": document " + std::to_string(i) + " is " +
          Str(declared[i], "name") + " of " + Str(declared[i], "size") + " bytes" +
          (declared[i].value("sealed_by_server", false) ? " (plaintext)" : "") + ", not " +
          docs[i].path + " of " + std::to_string(docs[i].size) + " bytes"));
  }
  if (a.resume.empty())
    std::fprintf(stderr, "limpide tender deposit: deposit %s started (resume with --resume %s)\n",
                 deposit_id.c_str(), deposit_id.c_str());

  // The chunks the server lacks, sealed here one at a time: plaintext never leaves in clear.
  uint64_t sent = 0;
  uint64_t there = 0;
  if (deposit.value("state", "") != "complete") {
    for (size_t i = 0; i < docs.size(); ++i) {
      std::ifstream in(docs[i].path, std::ios::binary);
      if (!in) return c.FailLocal(Status::InvalidArgument("cannot read " + docs[i].path));
      const json chunks = declared[i].value("chunks", json::array());
      const uint64_t count = crypto::SealedChunkCount(docs[i].size);
      for (uint64_t k = 0; k < count; ++k) {
        if (k < chunks.size() && chunks[k].is_string()) {
          ++there;
          continue;
        }
        const uint64_t offset = k * crypto::kSealChunkBytes;
        std::string slice(std::min<uint64_t>(crypto::kSealChunkBytes, docs[i].size - offset), '\0');
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(slice.data(), static_cast<std::streamsize>(slice.size()));
        if (!in) return c.FailLocal(Status::InvalidArgument(docs[i].path + " changed while sent"));
        const std::string body = a.plaintext ? slice : crypto::SealTo(*public_key, slice);
        auto put = Retrying([&] {
          return c.api().CallJson("PUT",
                                  path + "/deposits/" + Escape(deposit_id) + "/documents/" +
                                      std::to_string(i) + "/chunks/" + std::to_string(k),
                                  body, "application/octet-stream");
        });
        if (!put.ok()) {
          c.Fail(put.status());
          std::fprintf(stderr, "limpide tender deposit: resume with --resume %s\n",
                       deposit_id.c_str());
          return put.status().code() == ErrorCode::kUnavailable ? kUnreachable : kRefused;
        }
        ++sent;
      }
    }
  }
  auto done = Retrying([&] {
    return c.api().CallJson("POST", path + "/deposits/" + Escape(deposit_id) + "/complete");
  });
  if (!done.ok()) return c.Fail(done.status());
  const std::string receipt_path =
      a.receipt.empty() ? "receipt-" + SafeFileName(deposit_id) + ".json" : a.receipt;
  if (Status s = WriteBytes(receipt_path, *done); !s.ok()) {
    c.FailLocal(s);
    std::fprintf(stderr, "limpide tender deposit: the receipt is:\n%s\n", done->c_str());
    return kUsage;
  }
  return c.Print(*done, [&](const json& doc) {
    const json r = doc.value("receipt", json::object());
    const char* timing = r.value("late", false)    ? "late"
                         : r.value("grace", false) ? "in the grace period"
                                                   : "on time";
    std::printf(
        "deposit %s complete: %zu document(s), %ju chunk(s) sent, %ju already there\n"
        "received %s (%s)\nreceipt: %s\n",
        deposit_id.c_str(), docs.size(), static_cast<uintmax_t>(sent),
        static_cast<uintmax_t>(there), Str(r, "received").c_str(), timing, receipt_path.c_str());
  });
}

void PrintDeposit(const json& d) {
  std::printf("%s  %s  %s", Str(d, "id").c_str(), Str(d, "state").c_str(),
              Str(d, "received").empty() ? Str(d, "started").c_str() : Str(d, "received").c_str());
  for (const auto& doc : d.value("documents", json::array()))
    std::printf("  %s (%s/%s chunks)", Str(doc, "name").c_str(),
                Str(doc, "chunks_received").c_str(), Str(doc, "chunk_count").c_str());
  std::printf("\n");
}

int Proof(Command& c) {
  auto r = c.api().CallJson(
      "GET", Tender(c.args().id) + "/deposits/" + Escape(c.args().target) + "/proof");
  if (!r.ok()) return c.Fail(r.status());
  const json j = json::parse(*r, nullptr, false);
  const fs::path dir = c.args().output.empty() ? fs::path(".") : fs::path(c.args().output);
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (const char* part : {"receipt", "proof", "head"}) {
    if (!j.contains(part)) return c.Fail(Status::Internal(std::string("no ") + part));
    Status s = WriteBytes(dir / (std::string(part) + ".json"), j[part].dump());
    if (!s.ok()) return c.FailLocal(s);
  }
  if (c.args().json) {
    std::printf("%s\n", r->c_str());
  } else {
    std::printf(
        "%s/receipt.json, proof.json, head.json written; check with\n"
        "limpide verify receipt %s/receipt.json --key KEY.json --proof %s/proof.json "
        "--head %s/head.json\n",
        dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str());
  }
  return 0;
}

// The API token: --token, LIMPIDE_TOKEN, or the first line of --token-file.
Result<std::string> Token(const TenderArgs& args) {
  if (!args.token_file.empty()) {
    auto text = ReadAll(args.token_file);
    if (!text.ok()) return text.status();
    std::string t = text->substr(0, text->find_first_of("\r\n"));
    return t;
  }
  return args.token;
}

}  // namespace

int TenderCommand(const TenderArgs& args) {
  auto token = Token(args);
  if (!token.ok()) {
    std::fprintf(stderr, "limpide tender %s: --token-file: %s\n", args.what.c_str(),
                 token.status().message().c_str());
    return kUsage;
  }
  if (args.server.empty()) {
    std::fprintf(stderr, "limpide tender %s: --server or LIMPIDE_SERVER is required\n",
                 args.what.c_str());
    return kUsage;
  }
  if (auto url = http::ParseHttpUrl(args.server); !url.ok()) {
    std::fprintf(stderr, "limpide tender %s: --server: %s\n", args.what.c_str(),
                 url.status().message().c_str());
    return kUsage;
  }
  Command c(args, ApiClient(args.server, *token, std::chrono::seconds(args.timeout_seconds)));
  const std::string& w = args.what;
  const std::string path = Tender(args.id);
  const auto json_body = [&](const json& j) { return j.dump(); };
  if (w == "list") return List(c);
  if (w == "show") return c.Show("GET", path, {}, PrintTender);
  if (w == "create") return Create(c);
  if (w == "update") {
    auto body = ReadJsonFile(args.file);
    if (!body.ok()) return c.FailLocal(body.status());
    return c.Show("PUT", path, body->dump(), [](const json& t) {
      std::printf("%s updated (%s)\n", Str(t, "id").c_str(), Str(t, "state").c_str());
    });
  }
  if (w == "publish") {
    if (Status s = CheckKeyFileFree(args); !s.ok()) return c.FailLocal(s);
    return Publish(c, args.id);
  }
  if (w == "amend") {
    auto consultation = ReadJsonFile(args.file);
    if (!consultation.ok()) return c.FailLocal(consultation.status());
    return c.Show(
        "POST", path + "/amendments",
        json_body({{"consultation", *consultation}, {"summary", args.text}}), [](const json& t) {
          const json amendments = t.value("amendments", json::array());
          std::printf("%s amended (amendment %zu)\n", Str(t, "id").c_str(), amendments.size());
        });
  }
  if (w == "upload") return Upload(c);
  if (w == "download") return Download(c);
  if (w == "questions")
    return c.Show("GET", path + "/questions", {},
                  [](const json& j) { PrintItems(j, PrintQuestion); });
  if (w == "ask")
    return c.Show("POST", path + "/questions", json_body({{"text", args.text}}),
                  [](const json& q) { std::printf("question %s asked\n", Str(q, "id").c_str()); });
  if (w == "answer")
    return c.Show("POST", path + "/questions/" + Escape(args.target) + "/answer",
                  json_body({{"text", args.text}}),
                  [&](const json&) { std::printf("question %s answered\n", args.target.c_str()); });
  if (w == "deposit") return Deposit(c);
  if (w == "deposits") {
    if (!args.target.empty())
      return c.Show("GET", path + "/deposits/" + Escape(args.target), {}, PrintDeposit);
    return c.Show("GET", path + "/deposits", {},
                  [](const json& j) { PrintItems(j, PrintDeposit); });
  }
  if (w == "withdraw")
    return c.Show("DELETE", path + "/deposits/" + Escape(args.target), {}, [&](const json& d) {
      std::printf("deposit %s %s\n", args.target.c_str(), Str(d, "state").c_str());
    });
  if (w == "proof") return Proof(c);
  if (w == "open") return Open(c);
  if (w == "bids")
    return c.Show("GET", path + "/bids", {}, [](const json& j) {
      for (const auto& b : j.value("bids", json::array())) {
        const json company = b.value("company", json::object());
        std::printf("bid %s  %s (%s)  received %s  %s\n", Str(b, "id").c_str(),
                    Str(company, "name").c_str(), Str(company, "id").c_str(),
                    Str(b, "received").c_str(), b.value("opened", false) ? "opened" : "NOT OPENED");
      }
      PrintRanking(j);
    });
  if (w == "score") {
    auto body = ReadJsonFile(args.file);
    if (!body.ok()) return c.FailLocal(body.status());
    return c.Show("POST", path + "/evaluation", body->dump(), PrintRanking);
  }
  if (w == "award")
    return c.Show("POST", path + "/award", json_body({{"bid", args.target}}), [&](const json& t) {
      std::printf("%s awarded to bid %s (%s)\n", Str(t, "id").c_str(), args.target.c_str(),
                  Str(t, "state").c_str());
    });
  if (w == "sign") {
    json body = {{"amount", args.amount}};
    if (args.duration_months > 0) body["duration_months"] = args.duration_months;
    return c.Show("POST", path + "/signature", body.dump(), [](const json& t) {
      std::printf("%s signed (%s); contract %s\n", Str(t, "id").c_str(), Str(t, "state").c_str(),
                  t.contains("contract") ? Str(t["contract"], "uid").c_str() : "");
    });
  }
  if (w == "cancel" || w == "unsuccessful")
    return c.Show("POST", path + "/" + w, json_body({{"reason", args.text}}), [&](const json& t) {
      std::printf("%s %s\n", Str(t, "id").c_str(),
                  t.contains("state") ? Str(t["state"], "code").c_str() : w.c_str());
    });
  if (w == "events")
    return c.Show("GET", path + "/events", {}, [](const json& j) {
      PrintItems(j, [](const json& e) {
        std::printf("%s  %s\n", Str(e, "time").c_str(), Str(e, "kind").c_str());
      });
    });
  if (w == "notifications")
    return c.Show("GET", "/api/v1/me/notifications", {}, [](const json& j) {
      PrintItems(j, [](const json& n) {
        std::printf("%s  %s  %s\n", Str(n, "time").c_str(), Str(n, "kind").c_str(),
                    Str(n, "tender").c_str());
      });
    });
  std::fprintf(stderr, "limpide tender: see limpide tender --help\n");
  return kUsage;
}

}  // namespace limpide::cli
