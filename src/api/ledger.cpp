// GET /api/v1/ledger/… and /api/v1/feed (docs/ledger.md, docs/sync.md).
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "http/problem.h"
#include "ledger/tree_head.h"

namespace limpide::api {
namespace {

using nlohmann::json;

constexpr int kMaxWaitSeconds = 60;

// Rejects parameters other than `allowed` (a typo must not be ignored).
Status CheckParams(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : req.query) {
    bool known = false;
    for (auto a : allowed) known = known || name == a;
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Status::InvalidArgument(
          "unknown parameter '" + name + "'; accepted: " + (list.empty() ? "none" : list), name);
    }
  }
  return Status::Ok();
}

// A non-negative integer parameter; `fallback` when absent or empty.
Result<uint64_t> Count(const http::Request& req, std::string_view name, uint64_t fallback) {
  const std::string* raw = req.Query(name);
  if (!raw || raw->empty()) return fallback;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || v > (uint64_t{1} << 62)) {
    return Status::InvalidArgument(
        std::string(name) + " must be a non-negative integer, got '" + *raw + "'",
        std::string(name));
  }
  return v;
}

json HashList(const std::vector<crypto::Hash>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(crypto::ToHex(h));
  return out;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The feed page as {"data":[entries…],"head":…,"links":…,"next":…,"position":…}.
http::Response FeedResponse(const app::FeedPage& page, const http::Request& req, int limit) {
  std::string body = R"({"data":[)";
  for (size_t i = 0; i < page.items.size(); ++i) {
    if (i) body.push_back(',');
    body += page.items[i].entry;  // canonical JSON object
  }
  json links = {{"self", req.target}, {"next", NextPageUrl(req, page.next)}};
  body += R"(],"head":)" + std::to_string(page.head);
  body += R"(,"limit":)" + std::to_string(limit);
  body += R"(,"links":)" + Dump(links);
  body += R"(,"next":")" + page.next + '"';
  body += R"(,"position":)" + std::to_string(page.position);
  body += R"(,"synced":)" + std::string(page.position >= page.head ? "true" : "false");
  body.push_back('}');
  http::Response r = http::Json(200, std::move(body));
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

}  // namespace

void RegisterLedgerApi(http::Router& router, app::LedgerService& ledger,
                       app::LedgerWatcher* watcher) {
  app::LedgerService* l = &ledger;

  router.Add("GET", "/api/v1/ledger/key", [l](const http::Request& req) {
    if (Status st = CheckParams(req, {}); !st.ok()) return http::Problem(st, req.target);
    return http::Json(200, Dump(ledger::PublicKeyJson(l->key().public_key)));
  });

  router.Add("GET", "/api/v1/ledger/head", [l](const http::Request& req) {
    if (Status st = CheckParams(req, {}); !st.ok()) return http::Problem(st, req.target);
    auto head = l->Head();
    if (!head.ok()) return http::Problem(head.status(), req.target);
    http::Response r = http::Json(200, Dump(ledger::TreeHeadJson(*head, l->key_id())));
    r.SetHeader("Cache-Control", "no-store");
    return r;
  });

  router.Add("GET", "/api/v1/ledger/entries", [l](const http::Request& req) {
    if (Status st = CheckParams(req, {"start", "end"}); !st.ok())
      return http::Problem(st, req.target);
    auto size = l->store().LedgerSize();
    if (!size.ok()) return http::Problem(size.status(), req.target);
    auto start = Count(req, "start", 0);
    if (!start.ok()) return http::Problem(start.status(), req.target);
    auto end = Count(req, "end", std::min(*size, *start + 100));
    if (!end.ok()) return http::Problem(end.status(), req.target);
    auto entries = l->Entries(*start, *end);
    if (!entries.ok()) return http::Problem(entries.status(), req.target);
    std::string body = R"({"end":)" + std::to_string(*end) + R"(,"entries":[)";
    for (size_t i = 0; i < entries->size(); ++i) {
      const auto& e = (*entries)[i];
      if (i) body.push_back(',');
      body += R"({"entry":)" + e.entry + R"(,"leaf_hash":")" + crypto::ToHex(e.leaf_hash) + "\"}";
    }
    body +=
        R"(],"start":)" + std::to_string(*start) + R"(,"tree_size":)" + std::to_string(*size) + "}";
    return http::Json(200, std::move(body));
  });

  router.Add("GET", "/api/v1/ledger/proof/inclusion", [l](const http::Request& req) {
    if (Status st = CheckParams(req, {"leaf_index", "tree_size"}); !st.ok())
      return http::Problem(st, req.target);
    if (!req.Query("leaf_index")) {
      return http::Problem(Status::InvalidArgument("leaf_index is required", "leaf_index"),
                           req.target);
    }
    auto index = Count(req, "leaf_index", 0);
    if (!index.ok()) return http::Problem(index.status(), req.target);
    auto size = Count(req, "tree_size", 0);
    if (!size.ok()) return http::Problem(size.status(), req.target);
    auto proof = l->InclusionProof(*index, *size);
    if (!proof.ok()) return http::Problem(proof.status(), req.target);
    auto entry = l->Entries(*index, *index + 1);
    if (!entry.ok()) return http::Problem(entry.status(), req.target);
    std::string body = R"({"audit_path":)" + Dump(HashList(proof->path)) + R"(,"entry":)" +
                       entry->at(0).entry + R"(,"leaf_hash":")" + crypto::ToHex(proof->leaf_hash) +
                       R"(","leaf_index":)" + std::to_string(proof->index) + R"(,"tree_size":)" +
                       std::to_string(proof->size) + "}";
    return http::Json(200, std::move(body));
  });

  router.Add("GET", "/api/v1/ledger/proof/consistency", [l](const http::Request& req) {
    if (Status st = CheckParams(req, {"first", "second"}); !st.ok())
      return http::Problem(st, req.target);
    for (const char* name : {"first", "second"}) {
      if (!req.Query(name)) {
        return http::Problem(Status::InvalidArgument(std::string(name) + " is required", name),
                             req.target);
      }
    }
    auto first = Count(req, "first", 0);
    if (!first.ok()) return http::Problem(first.status(), req.target);
    auto second = Count(req, "second", 0);
    if (!second.ok()) return http::Problem(second.status(), req.target);
    auto proof = l->ConsistencyProof(*first, *second);
    if (!proof.ok()) return http::Problem(proof.status(), req.target);
    const json body = {
        {"first", *first}, {"second", *second}, {"consistency_path", HashList(*proof)}};
    return http::Json(200, Dump(body));
  });

  router.Add("GET", "/api/v1/ledger/dump", [l](const http::Request& req) {
    if (Status st = CheckParams(req, {"tree_size"}); !st.ok()) return http::Problem(st, req.target);
    auto current = l->store().LedgerSize();
    if (!current.ok()) return http::Problem(current.status(), req.target);
    auto size = Count(req, "tree_size", *current);
    if (!size.ok()) return http::Problem(size.status(), req.target);
    if (*size > *current) {
      return http::Problem(Status::InvalidArgument("tree_size " + std::to_string(*size) +
                                                       " is beyond the ledger, which holds " +
                                                       std::to_string(*current) + " entries",
                                                   "tree_size"),
                           req.target);
    }
    http::Response r;
    r.SetHeader("Content-Type", "application/jsonl; charset=utf-8");
    r.SetHeader("Content-Disposition",
                "attachment; filename=\"limpide-ledger-" + std::to_string(*size) + ".jsonl\"");
    r.stream = l->Dump(*size);
    return r;
  });

  router.Add("GET", "/api/v1/feed/head", [l](const http::Request& req) {
    if (Status st = CheckParams(req, {}); !st.ok()) return http::Problem(st, req.target);
    auto size = l->store().LedgerSize();
    if (!size.ok()) return http::Problem(size.status(), req.target);
    auto cursor = l->CursorAt(*size);
    if (!cursor.ok()) return http::Problem(cursor.status(), req.target);
    http::Response r = http::Json(200, Dump(json{{"position", *size}, {"cursor", *cursor}}));
    r.SetHeader("Cache-Control", "no-store");
    return r;
  });

  router.Add("GET", "/api/v1/feed", [l, watcher](const http::Request& req) {
    if (Status st = CheckParams(req, {"after", "limit", "wait"}); !st.ok())
      return http::Problem(st, req.target);
    auto limit = Count(req, "limit", 100);
    if (!limit.ok()) return http::Problem(limit.status(), req.target);
    if (*limit < 1 || *limit > app::kMaxLedgerPage) {
      return http::Problem(
          Status::InvalidArgument(
              "limit must be between 1 and " + std::to_string(app::kMaxLedgerPage), "limit"),
          req.target);
    }
    auto wait = Count(req, "wait", 0);
    if (!wait.ok()) return http::Problem(wait.status(), req.target);
    if (*wait > kMaxWaitSeconds) {
      return http::Problem(
          Status::InvalidArgument(
              "wait must be at most " + std::to_string(kMaxWaitSeconds) + " seconds", "wait"),
          req.target);
    }
    const std::string after = req.Query("after") ? *req.Query("after") : std::string();
    const int n = static_cast<int>(*limit);
    auto page = l->Feed(after, n);
    if (!page.ok()) return http::Problem(page.status(), req.target);
    if (!page->items.empty() || *wait == 0 || !watcher) return FeedResponse(*page, req, n);
    // Long poll: answer when the ledger grows past this position, or at the
    // deadline with an empty page.
    http::Response r;
    const uint64_t position = page->position;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*wait);
    r.defer = [l, watcher, req, after, n, position,
               deadline](std::function<void(http::Response)> resume) {
      watcher->Wait(position, deadline, [l, req, after, n, resume] {
        auto again = l->Feed(after, n);
        resume(again.ok() ? FeedResponse(*again, req, n)
                          : http::Problem(again.status(), req.target));
      });
    };
    return r;
  });
}

}  // namespace limpide::api
