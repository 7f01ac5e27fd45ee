// The dematerialised procedure, from draft to the contract's essential data
// (docs/tenders.md): consultations and their documents, questions, sealed
// deposits with signed receipts, opening, evaluation, award and signature.
// Every public step is a ledger entry written in the same transaction as the
// state it describes; nothing about deposits is public before the deadline.
//
// State lives in the store's objects (kinds "tender", "deposit",
// "tender-event", "notification") and blobs (documents, sealed chunks).
// Thread-safe: every change is one write transaction that re-reads what it
// changes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/accounts.h"
#include "app/ledger.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "domain/consultation.h"
#include "store/store.h"

namespace limpide::app {

struct ProcedureOptions {
  domain::ProcedureRules rules = domain::DefaultRules();
  // The clock (tests inject one); empty: the system clock.
  std::function<domain::Instant()> now;
  // Size limit of one deposited document when the draft sets none.
  int64_t default_max_document_bytes = int64_t{200} << 20;
  // Largest DCE document a buyer may upload.
  int64_t max_dce_document_bytes = int64_t{200} << 20;
};

// A declared document of a deposit, before its chunks arrive.
struct DocumentDeclaration {
  std::string name;
  uint64_t size = 0;   // bytes of plaintext
  bool sealed = true;  // chunks arrive sealed (true) or in plaintext, sealed on receipt
};

// A downloadable file.
struct FileContent {
  std::string name;
  std::string type;  // media type
  std::string bytes;
};

class Procedures {
 public:
  // Receipts are signed with the ledger's key (published at /api/v1/ledger/key);
  // `ledger` also gives the proofs that anchor them.
  Procedures(store::Store& store, LedgerService& ledger, ProcedureOptions options = {});

  domain::Instant Now() const;
  const domain::ProcedureRules& rules() const { return options_.rules; }

  // ---- Consultations (JSON forms: docs/tenders.md) ----
  // A new draft of the buyer's organization from the posted consultation JSON.
  Result<nlohmann::json> CreateDraft(const Principal& buyer, std::string_view json);
  // Replaces a draft's fields.
  Result<nlohmann::json> UpdateDraft(const Principal& buyer, std::string_view id,
                                     std::string_view json);
  // Publishes: checks, creates the opening key pair and returns
  // {"tender": …, "opening_key": {"public_key", "secret_key"}}; the secret key
  // is given this once and never stored.
  Result<nlohmann::json> Publish(const Principal& buyer, std::string_view id);
  // Creates and publishes many consultations in one transaction (`limpide
  // gen`: synthetic data at scale): each draft is checked as CreateDraft and
  // Publish check it, under the id given (a fresh one when empty). The
  // opening secret keys are thrown away: these consultations can receive
  // deposits but their bids can never be opened. Returns the ids; any error
  // (a bad draft, an id in use) writes nothing.
  struct NewConsultation {
    Principal buyer;
    std::string json;
    std::string id;
  };
  Result<std::vector<std::string>> PublishMany(const std::vector<NewConsultation>& drafts);
  // An amendment of a published consultation: the full edited JSON and a summary.
  Result<nlohmann::json> Amend(const Principal& buyer, std::string_view id, std::string_view json,
                               std::string summary);
  Result<nlohmann::json> Cancel(const Principal& buyer, std::string_view id, std::string reason);
  Result<nlohmann::json> DeclareUnsuccessful(const Principal& buyer, std::string_view id,
                                             std::string reason);
  // The public form (drafts only to their buyer: not_found for anyone else).
  Result<nlohmann::json> Get(const Principal* who, std::string_view id);
  // Public consultations (not drafts, not test ones unless `include_test`),
  // in id order (creation order); the buyer's own drafts and test ones too
  // when `who` is one. {"items", "next"}: `next` (the last id shown, opaque
  // to callers) resumes after the page, null at the end. Reads only the
  // page, through an index by visibility (built on the first call over a
  // store that predates it).
  Result<nlohmann::json> List(const Principal* who, const store::PageRequest& page,
                              bool include_test);

  // The consultations of the buyer's organization, drafts and test ones
  // included, newest id first: {"items", "next"} (cursor or null). Reads only
  // that organization's consultations (Store::ListObjectsOf).
  Result<nlohmann::json> BuyerTenders(const Principal& buyer, const store::PageRequest& page);
  // The consultations a company has taken part in, newest id first: it
  // downloaded the DCE, asked a question or deposited. Each item is the
  // public form plus {"mine": {"downloaded", "asked", "deposits"}} (its own
  // deposits, withdrawn ones included); {"items", "next"}. Reads only the
  // company's consultations and deposits (Store::ListObjectsOf).
  Result<nlohmann::json> CompanyTenders(const Principal& company, const store::PageRequest& page);
  // Indexes consultations and deposits stored before their bodies listed
  // their organizations ("orgs", store schema 6), once per store: a marker
  // object records that it was done. Returns how many objects were
  // rewritten. `limpide serve` runs it at start.
  Result<int> IndexOrganizations();

  // ---- Consultation documents (DCE) ----
  Result<nlohmann::json> AddDocument(const Principal& buyer, std::string_view id, std::string name,
                                     std::string type, std::string_view bytes);
  // Free and anonymous; each download is an event of the consultation, with
  // the downloader's organization when known.
  Result<FileContent> DownloadDocument(const Principal* who, std::string_view id,
                                       std::string_view sha256_hex);

  // ---- Questions and answers ----
  Result<nlohmann::json> Ask(const Principal& company, std::string_view id, std::string text);
  // Answers publicly; notifies every company that downloaded the DCE, asked
  // or deposited (NotifyTakingPart).
  Result<nlohmann::json> Answer(const Principal& buyer, std::string_view id,
                                std::string_view question_id, std::string text);
  // Answered questions for everyone; the asking company sees its own pending ones.
  Result<nlohmann::json> Questions(const Principal* who, std::string_view id);

  // ---- Deposits ----
  Result<nlohmann::json> StartDeposit(const Principal& company, std::string_view id,
                                      const std::vector<DocumentDeclaration>& documents);
  // Chunk `chunk` (0-based) of document `document` (0-based): sealed bytes, or
  // plaintext sealed here before anything is stored. Idempotent for a chunk
  // already received with the same bytes (a resumed upload).
  Result<nlohmann::json> PutChunk(const Principal& company, std::string_view id,
                                  std::string_view deposit_id, size_t document, size_t chunk,
                                  std::string_view bytes);
  // Completes the deposit and returns the signed receipt (ledger/receipt.h).
  Result<nlohmann::json> CompleteDeposit(const Principal& company, std::string_view id,
                                         std::string_view deposit_id);
  // A deposit of one document of less than 1 MiB in one request and one
  // transaction: `bytes` is its one sealed chunk (`sealed`) or its plaintext.
  // Returns the signed receipt, as CompleteDeposit.
  Result<nlohmann::json> DepositInOneRequest(const Principal& company, std::string_view id,
                                             std::string name, bool sealed, std::string_view bytes);
  Result<nlohmann::json> Withdraw(const Principal& company, std::string_view id,
                                  std::string_view deposit_id);
  // The company's own deposits (state, chunks received, receipt).
  Result<nlohmann::json> Deposits(const Principal& company, std::string_view id);
  Result<nlohmann::json> Deposit(const Principal& company, std::string_view id,
                                 std::string_view deposit_id);
  // After the deadline: the proofs that anchor the receipt in the ledger.
  Result<nlohmann::json> ReceiptProof(const Principal& company, std::string_view id,
                                      std::string_view deposit_id);

  // ---- After the deadline ----
  // Records the closing of every published consultation whose deadline has
  // passed: the receipts tree's root goes into the ledger. Returns how many
  // were closed. Safe to run from several threads or processes. Reads only
  // the due ones, from an index by deadline (built on the first run over a
  // store that predates it).
  Result<int> CloseDue();
  // Opens the bids with the buyer's secret key (base64): the last complete
  // deposit of each company before the deadline (or in the grace period);
  // late ones only when `include_late`.
  Result<nlohmann::json> OpenBids(const Principal& buyer, std::string_view id,
                                  std::string_view secret_key_b64, bool include_late);
  Result<nlohmann::json> Bids(const Principal& buyer, std::string_view id);
  // A bid's document as its sealed file (crypto::EncodeSealedFile), to open with the secret key.
  Result<FileContent> BidDocument(const Principal& buyer, std::string_view id,
                                  std::string_view bid_id, size_t document);
  // Scores per bid and criterion (0..100): {"scores": {bid: {criterion: n}}}.
  Result<nlohmann::json> Evaluate(const Principal& buyer, std::string_view id,
                                  std::string_view json);
  Result<nlohmann::json> Award(const Principal& buyer, std::string_view id,
                               std::string_view bid_id);
  // {"amount": "123.45", "duration_months": 12}: signs, writes the contract
  // (DECP essential data, with the number of bids received) and publishes it.
  Result<nlohmann::json> Sign(const Principal& buyer, std::string_view id, std::string_view json);

  // The consultation's history, for its buyer. Deposit events appear only once
  // the deadline has passed (before, they would tell how many bids there are).
  Result<nlohmann::json> Events(const Principal& buyer, std::string_view id);
  Result<nlohmann::json> Notifications(const Principal& who);

 private:
  struct Tender;
  // Runs `change` on the stored consultation `id` inside one write transaction
  // and stores the result (when `change` returns ok). Relaxed (not durable)
  // when it acknowledges nothing lasting (store::Store::BeginRelaxedWrite).
  Result<nlohmann::json> Change(
      std::string_view id,
      const std::function<Result<nlohmann::json>(Tender&, store::WriteTransaction&)>& change,
      bool durable = true);
  static Result<Tender> ReadTender(Result<store::StoredObject> obj, std::string_view id);
  Result<Tender> Load(std::string_view id);
  // The consultations listed under `org` (newest id first) that `shown`
  // turns into an item (nullopt: skipped), a page of them.
  Result<nlohmann::json> OrganizationTenders(
      const std::string& org, const store::PageRequest& page,
      const std::function<Result<std::optional<nlohmann::json>>(const Tender&)>& shown);
  // The companies that took part in the consultation (downloaded its
  // documents, asked or deposited), each once, with the users to mail: those
  // who acted for it (downloaded signed in, asked, deposited).
  Result<std::map<std::string, std::vector<std::string>>> Recipients(const Tender& t);
  // Notifies each of Recipients(t) inside `txn`, in the application and by
  // mail (app/notification_mail.h): {tender, title, kind, message} and `more`.
  Status NotifyTakingPart(store::WriteTransaction& txn, const Tender& t, domain::Instant now,
                          std::string_view kind, const std::string& message,
                          const nlohmann::json& more = nlohmann::json::object());
  // Lists `org` among the consultation's organizations inside `txn` (a
  // company's first deposit), so that CompanyTenders finds it, and `user`
  // among its contacts.
  Status JoinTender(store::WriteTransaction& txn, std::string_view id, const std::string& org,
                    const std::string& user);
  Result<int> CloseOne(std::string_view id);
  // Builds the index of consultations by deadline when the store lacks it.
  Status EnsureDueIndex();
  // Builds the index of the public listing when the store lacks it.
  Status EnsureListIndex();
  // Completes the deposit `d` (JSON, every chunk received) at `now`: each
  // document's hash from its sealed chunks (`add_chunk` gives the chunk of
  // this hash to the hasher), the signed receipt, the timing.
  Status Receive(
      const Tender& t, const Principal& company, nlohmann::json& d, domain::Instant now,
      const std::function<Status(const crypto::Hash&, crypto::SealedFileHasher&)>& add_chunk);
  nlohmann::json PublicView(const Tender& t) const;

  store::Store& store_;
  LedgerService& ledger_;
  ProcedureOptions options_;
  std::atomic<bool> due_index_built_{false};
  std::atomic<bool> list_index_built_{false};
};

}  // namespace limpide::app
