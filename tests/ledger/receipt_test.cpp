// Receipts: the documented bytes, signing and every kind of tampering, the receipts tree against
// a computation by hand, and the whole chain that `limpide verify receipt` checks.
#include "ledger/receipt.h"

#include <gtest/gtest.h>

#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/tree_head.h"

namespace limpide::ledger {
namespace {

using nlohmann::json;

// The key of the worked example in docs/receipt.md: the Ed25519 seed of 32 bytes 0x2a.
crypto::SigningKey ExampleKey() {
  std::array<uint8_t, 32> seed;
  seed.fill(42);
  return crypto::SigningKeyFromSeed(seed);
}

crypto::SigningKey OtherKey() {
  std::array<uint8_t, 32> seed;
  seed.fill(7);
  return crypto::SigningKeyFromSeed(seed);
}

// The receipt of the worked example in docs/receipt.md.
Receipt ExampleReceipt() {
  Receipt r;
  r.id = "R-2026-000123";
  r.consultation_id = "T-2026-00042";
  r.consultation_title = "Entretien des espaces verts";
  r.consultation_object = "Entretien des parcs et jardins de la ville — lot n°2 : tonte";
  r.buyer_id = "21690123100011";
  r.buyer_name = "Ville de Lyon";
  r.depositor_id = "44306184100047";
  r.depositor_name = "Jardins & Paysages \"Rhône\"";
  r.upload_started = "2026-12-15T11:59:58.250Z";
  r.received = "2026-12-15T11:59:59.731Z";
  ReceiptDocument memo;
  memo.name = "mémoire-technique.pdf";
  memo.size = 1500000;
  memo.sha256 = crypto::Sha256("sealed file 1");
  memo.chunk_sha256 = {crypto::Sha256("chunk 1.1"), crypto::Sha256("chunk 1.2")};
  ReceiptDocument prices;
  prices.name = "bordereau-prix.xlsx";
  prices.size = 48213;
  prices.sha256 = crypto::Sha256("sealed file 2");
  prices.chunk_sha256 = {crypto::Sha256("chunk 2.1")};
  r.documents = {memo, prices};
  return r;
}

// Computed once from the code, then checked independently as docs/receipt.md shows: Python's
// json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) gives the same bytes,
// sha256sum the leaf hash, and `openssl pkeyutl -verify` accepts the signature.
constexpr std::string_view kExampleBytes =
    R"({"buyer":{"id":"21690123100011","name":"Ville de Lyon"},"consultation":{"id":"T-2026-00042",)"
    R"("object":"Entretien des parcs et jardins de la ville — lot n°2 : tonte","title":"Entretien )"
    R"(des espaces verts"},"depositor":{"id":"44306184100047","name":"Jardins & Paysages \"Rhône\""},)"
    R"("documents":[{"chunk_sha256":["a3cecdffcc8e6125eaceaf39e19eaa024c328349e19432bab3a0dc8e857e749f",)"
    R"("20d44ab00ff98458353eda468a561f8d82d7f5c0a4529a8c1699610cc403a616"],"name":"mémoire-technique.)"
    R"(pdf","sha256":"12fbd5a716d462ce7b6f71f2776a304671c597fc2df57c83047e84a57d0f0fb5","size":)"
    R"(1500000},{"chunk_sha256":["9c92ec0817ae717b3bcd85bbdd3f262ea8ebe6ff39f08d132d6b4c6613360633"],)"
    R"("name":"bordereau-prix.xlsx","sha256":"833cefb068c853b1a987710db19a0cf430f7b0eee62e2f000cc8ec6)"
    R"(2ac2940ef","size":48213}],"format":"limpide-receipt/1","grace":false,"id":"R-2026-000123",)"
    R"("late":false,"received":"2026-12-15T11:59:59.731Z","sealed_by_server":false,"upload_started":)"
    R"("2026-12-15T11:59:58.250Z"})";
constexpr std::string_view kExampleLeafHash =
    "d6e9bce51f72dc22b3d6d9b35746f1e545cbf454e8469451e911936a6542e7a5";
constexpr std::string_view kExampleSignature =
    "Bq45bSe4Dx5Wbz1fFLj2+05mgWizbDRslukdD3kPGGM1mA3Y3pblR/r16V3CEiDeGIkOzB9EcVVuxJ9bdk0ICQ==";
constexpr std::string_view kExamplePublicKey = "GX9rI+FshTLGq8g4+s1ep4m+DHaykgM0A5v6iz02jWE=";

std::string Encoded(const Receipt& r) {
  auto bytes = EncodeReceipt(r);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::string();
}

std::string Signed(const Receipt& r, const crypto::SigningKey& key = ExampleKey()) {
  auto s = SignedReceiptJson(r, key);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : std::string();
}

std::string VerifyError(std::string_view text, const crypto::SigningKey& key = ExampleKey()) {
  auto r = VerifySignedReceipt(text, key.public_key);
  return r.ok() ? std::string("ok") : r.status().message();
}

std::string CheckError(const Receipt& r) {
  Status s = CheckReceipt(r);
  return s.ok() ? std::string("ok") : s.message();
}

TEST(Receipt, EncodesToTheDocumentedBytesAndLeafHash) {
  const std::string bytes = Encoded(ExampleReceipt());
  EXPECT_EQ(bytes, kExampleBytes);
  EXPECT_EQ(crypto::ToHex(*ReceiptLeafHash(ExampleReceipt())), kExampleLeafHash);
  EXPECT_EQ(crypto::ToHex(LeafHash(bytes)), kExampleLeafHash);
  EXPECT_EQ(bytes.size(), 959u);
  EXPECT_EQ(crypto::KeyToBase64(ExampleKey().public_key), kExamplePublicKey);
}

TEST(Receipt, JsonRoundTrips) {
  const Receipt r = ExampleReceipt();
  auto back = ReceiptFromJson(ReceiptToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
  Receipt flags = r;
  flags.grace = true;
  flags.sealed_by_server = true;
  EXPECT_EQ(*ReceiptFromJson(ReceiptToJson(flags)), flags);
}

TEST(Receipt, SignedFormIsCanonicalAndVerifies) {
  const std::string text = Signed(ExampleReceipt());
  const json j = json::parse(text);
  EXPECT_EQ(*CanonicalJson(j), text);
  EXPECT_EQ(j["key_id"], crypto::ToHex(crypto::KeyId(ExampleKey().public_key)));
  EXPECT_EQ(j["signature"], kExampleSignature);  // Ed25519 is deterministic
  auto back = VerifySignedReceipt(text, ExampleKey().public_key);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, ExampleReceipt());
}

TEST(Receipt, AnyFormattingOfTheSameContentVerifies) {
  const json j = json::parse(Signed(ExampleReceipt()));
  EXPECT_EQ(VerifyError(j.dump(2)), "ok");
  EXPECT_EQ(VerifyError(j.dump(-1, ' ', true)), "ok");  // \u escapes for non-ASCII
}

TEST(Receipt, ATamperedReceiptIsRefusedNamingTheSignature) {
  const json good = json::parse(Signed(ExampleReceipt()));
  const std::string mismatch =
      "/signature: does not match the receipt (the receipt was changed, or another key signed)";
  auto tampered = [&](auto change) {
    json j = good;
    change(j);
    return VerifyError(j.dump());
  };
  EXPECT_EQ(tampered([](json& j) { j["receipt"]["received"] = "2026-12-15T11:59:59.732Z"; }),
            mismatch);
  EXPECT_EQ(tampered([](json& j) { j["receipt"]["late"] = true; }), mismatch);
  EXPECT_EQ(tampered([](json& j) { j["receipt"]["depositor"]["id"] = "44306184100048"; }),
            mismatch);
  EXPECT_EQ(tampered([](json& j) { j["receipt"]["documents"][0]["size"] = 1500001; }), mismatch);
  EXPECT_EQ(tampered([](json& j) {
              j["receipt"]["documents"][1]["sha256"] = crypto::ToHex(crypto::Sha256("other"));
            }),
            mismatch);
  EXPECT_EQ(tampered([](json& j) { j["receipt"]["documents"].erase(1); }), mismatch);
  EXPECT_EQ(tampered([](json& j) { j["receipt"]["extra"] = 1; }), mismatch);
  // A flipped bit of the signature.
  EXPECT_EQ(tampered([](json& j) {
              std::string sig = *crypto::Base64Decode(j["signature"].get<std::string>());
              sig[10] = static_cast<char>(sig[10] ^ 1);
              j["signature"] = crypto::Base64Encode(sig);
            }),
            mismatch);
}

TEST(Receipt, AnotherKeyOrAMalformedEnvelopeIsNamed) {
  const std::string text = Signed(ExampleReceipt());
  EXPECT_NE(VerifyError(text, OtherKey()).find("/key_id: the receipt names key "),
            std::string::npos);
  // Signed by another key that the envelope claims to be ours.
  json forged = json::parse(Signed(ExampleReceipt(), OtherKey()));
  forged["key_id"] = crypto::ToHex(crypto::KeyId(ExampleKey().public_key));
  EXPECT_NE(VerifyError(forged.dump()).find("/signature: does not match"), std::string::npos);

  const json good = json::parse(text);
  EXPECT_EQ(VerifyError(text.substr(0, text.size() - 1)).rfind("the signed receipt is not JSON", 0),
            0u);
  EXPECT_EQ(VerifyError("[]"), "/: must be an object, not array");
  json j = good;
  j.erase("signature");
  EXPECT_EQ(VerifyError(j.dump()), "/signature: missing");
  j = good;
  j["comment"] = "x";
  EXPECT_EQ(VerifyError(j.dump()), "/comment: unknown member");
  j = good;
  j["signature"] = crypto::Base64Encode(std::string(63, 'x'));
  EXPECT_EQ(VerifyError(j.dump()), "/signature: must be the base64 of a 64-byte Ed25519 signature");
  j = good;
  j["key_id"] = "abc";
  EXPECT_NE(VerifyError(j.dump()).find("/key_id: "), std::string::npos);
  j = good;
  j["receipt"] = "x";
  EXPECT_EQ(VerifyError(j.dump()), "/receipt: must be an object");
}

TEST(Receipt, ASignedReceiptWithBadContentIsNamed) {
  // Signed as it is (the platform's bug, or a forged key): content checks still apply.
  const crypto::SigningKey key = ExampleKey();
  auto sign_raw = [&](const json& receipt) {
    const std::string bytes = *CanonicalJson(receipt);
    return json{{"key_id", crypto::ToHex(crypto::KeyId(key.public_key))},
                {"receipt", receipt},
                {"signature", crypto::Base64Encode(crypto::Sign(key, bytes))}}
        .dump();
  };
  json r = ReceiptToJson(ExampleReceipt());
  EXPECT_EQ(VerifyError(sign_raw(r)), "ok");
  r["format"] = "limpide-receipt/2";
  EXPECT_EQ(VerifyError(sign_raw(r)),
            "/receipt/format: is \"limpide-receipt/2\", not \"limpide-receipt/1\"");
  r = ReceiptToJson(ExampleReceipt());
  r["documents"][0]["chunk_sha256"].erase(1);
  EXPECT_EQ(VerifyError(sign_raw(r)),
            "/receipt/documents/0/chunk_sha256: has 1 hashes; a document of 1500000 bytes is "
            "sealed in 2 chunks");
}

TEST(ReceiptFromJson, IsStrictAndNamesTheMember) {
  auto error = [](const json& j) {
    auto r = ReceiptFromJson(j);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  const json good = ReceiptToJson(ExampleReceipt());
  json j = good;
  j.erase("format");
  EXPECT_EQ(error(j), "/format: missing");
  j = good;
  j["late"] = "no";
  EXPECT_EQ(error(j), "/late: must be true or false");
  j = good;
  j["buyer"]["siret"] = "x";
  EXPECT_EQ(error(j), "/buyer/siret: unknown member");
  j = good;
  j["consultation"].erase("object");
  EXPECT_EQ(error(j), "/consultation/object: missing");
  j = good;
  j["documents"][1]["size"] = -1;
  EXPECT_EQ(error(j), "/documents/1/size: must be an integer between 0 and 2^53 - 1");
  j = good;
  j["documents"][1]["size"] = 1.5;
  EXPECT_EQ(error(j), "/documents/1/size: must be an integer between 0 and 2^53 - 1");
  j = good;
  j["documents"][0]["chunk_sha256"][1] = "zz";
  EXPECT_EQ(error(j).rfind("/documents/0/chunk_sha256/1: ", 0), 0u);
  j = good;
  j["documents"] = json::object();
  EXPECT_EQ(error(j), "/documents: must be an array");
  j = good;
  j["id"] = 5;
  EXPECT_EQ(error(j), "/id: must be a string");
}

TEST(CheckReceipt, NamesTheFieldAtFault) {
  EXPECT_EQ(CheckError(ExampleReceipt()), "ok");
  Receipt r = ExampleReceipt();
  r.id.clear();
  EXPECT_EQ(CheckError(r), "/id: is empty");
  r = ExampleReceipt();
  r.consultation_object.clear();
  EXPECT_EQ(CheckError(r), "/consultation/object: is empty");
  r = ExampleReceipt();
  r.depositor_id = "4430618410004";
  EXPECT_EQ(CheckError(r), "/depositor/id: must be a SIRET (14 digits), got \"4430618410004\"");
  r = ExampleReceipt();
  r.received = "2026-12-15T11:59:59Z";
  EXPECT_EQ(CheckError(r).rfind("/received: time must be UTC", 0), 0u);
  r = ExampleReceipt();
  r.upload_started = "2026-02-30T11:59:58.250Z";
  EXPECT_EQ(CheckError(r).rfind("/upload_started: time \"2026-02-30", 0), 0u);
  r = ExampleReceipt();
  r.received = "2026-12-15T11:59:58.249Z";
  EXPECT_EQ(CheckError(r), "/received: is before upload_started (2026-12-15T11:59:58.250Z)");
  r.received = r.upload_started;
  EXPECT_EQ(CheckError(r), "ok");
  r = ExampleReceipt();
  r.late = r.grace = true;
  EXPECT_EQ(CheckError(r), "/grace: a deposit accepted in the grace period is not late");
  r = ExampleReceipt();
  r.documents.clear();
  EXPECT_EQ(CheckError(r), "/documents: a deposit holds at least one document");
  r = ExampleReceipt();
  r.documents[1].name.clear();
  EXPECT_EQ(CheckError(r), "/documents/1/name: is empty");
  r = ExampleReceipt();
  r.documents[1].size = uint64_t{1} << 53;
  EXPECT_EQ(CheckError(r), "/documents/1/size: is above 2^53 - 1");
  r = ExampleReceipt();
  r.documents[0].size = 2 * crypto::kSealChunkBytes;  // 3 chunks, 2 hashes
  EXPECT_EQ(CheckError(r),
            "/documents/0/chunk_sha256: has 2 hashes; a document of 2097152 bytes is sealed in 3 "
            "chunks");
}

TEST(EncodeReceipt, RefusesAStringThatIsNotUtf8) {
  Receipt r = ExampleReceipt();
  r.documents[0].name = "m\xe9moire.pdf";  // Latin-1
  auto bytes = EncodeReceipt(r);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("UTF-8"), std::string::npos) << bytes.status().message();
  EXPECT_FALSE(SignedReceiptJson(r, ExampleKey()).ok());
  EXPECT_FALSE(ReceiptLeafHash(r).ok());
}

// ---- The receipts tree ----

Hash Node(const Hash& l, const Hash& r) {
  std::string input(1, '\x01');
  input.append(reinterpret_cast<const char*>(l.data()), 32);
  input.append(reinterpret_cast<const char*>(r.data()), 32);
  return crypto::Sha256(input);
}

TEST(ReceiptsTree, RootAndProofsMatchAComputationByHand) {
  // Three leaves whose sorted order differs from the order given.
  Hash a{}, b{}, c{};
  a.fill(0x03);
  b.fill(0x01);
  c.fill(0x02);
  const std::vector<Hash> given = {a, b, c};
  EXPECT_EQ(ReceiptsTreeLeaves(given), (std::vector<Hash>{b, c, a}));
  // Sorted: b, c, a. MTH = node(node(b, c), a).
  const Hash root = Node(Node(b, c), a);
  EXPECT_EQ(ReceiptsRoot(given), root);
  EXPECT_EQ(ReceiptsRoot({c, a, b}), root);  // the order of arrival does not matter

  auto pb = ReceiptsInclusionProof(given, b);
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(pb->leaf_index, 0u);
  EXPECT_EQ(pb->tree_size, 3u);
  EXPECT_EQ(pb->audit_path, (std::vector<Hash>{c, a}));
  auto pa = ReceiptsInclusionProof(given, a);
  ASSERT_TRUE(pa.ok());
  EXPECT_EQ(pa->leaf_index, 2u);
  EXPECT_EQ(pa->audit_path, (std::vector<Hash>{Node(b, c)}));
  for (const Hash& leaf : given) {
    auto p = ReceiptsInclusionProof(given, leaf);
    ASSERT_TRUE(p.ok());
    EXPECT_FALSE(p->entry.has_value());
    EXPECT_TRUE(VerifyInclusion(leaf, p->leaf_index, p->tree_size, p->audit_path, root).ok());
    EXPECT_FALSE(VerifyInclusion(leaf, p->leaf_index, p->tree_size, p->audit_path, a).ok());
  }
  Hash d{};
  d.fill(0x04);
  EXPECT_EQ(ReceiptsInclusionProof(given, d).status().code(), ErrorCode::kNotFound);
}

TEST(ReceiptsTree, EmptyAndSingleTrees) {
  EXPECT_EQ(ReceiptsRoot({}), EmptyRoot());
  EXPECT_EQ(ReceiptsInclusionProof({}, EmptyRoot()).status().code(), ErrorCode::kNotFound);
  const Hash leaf = *ReceiptLeafHash(ExampleReceipt());
  EXPECT_EQ(ReceiptsRoot({leaf}), leaf);
  auto p = ReceiptsInclusionProof({leaf}, leaf);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->audit_path.empty());
}

TEST(ReceiptsTree, EveryLeafOfLargerTreesProves) {
  for (size_t n : {2u, 5u, 8u, 13u}) {
    std::vector<Hash> leaves;
    for (size_t i = 0; i < n; ++i) leaves.push_back(crypto::Sha256("receipt " + std::to_string(i)));
    const Hash root = ReceiptsRoot(leaves);
    EXPECT_EQ(root, RootOf(ReceiptsTreeLeaves(leaves)));
    for (const Hash& leaf : leaves) {
      auto p = ReceiptsInclusionProof(leaves, leaf);
      ASSERT_TRUE(p.ok());
      EXPECT_TRUE(VerifyInclusion(leaf, p->leaf_index, n, p->audit_path, root).ok()) << n;
    }
  }
}

TEST(DepositsSealed, BodyRoundTripsThroughAnEntry) {
  DepositsSealed d{"T-2026-00042", crypto::Sha256("root"), 3};
  const json body = DepositsSealedBody(d);
  EXPECT_EQ(*CanonicalJson(body), R"({"receipts":3,"receipts_root":")" +
                                      crypto::ToHex(d.receipts_root) +
                                      R"(","tender":"T-2026-00042"})");
  Entry e{12, "2026-12-15T12:00:00.000Z", std::string(kDepositsSealedKind), "T-2026-00042", body};
  auto back = DepositsSealedFromEntry(e);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->tender, d.tender);
  EXPECT_EQ(back->receipts_root, d.receipts_root);
  EXPECT_EQ(back->receipts, 3u);

  auto error = [](const Entry& x) {
    auto r = DepositsSealedFromEntry(x);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  Entry wrong = e;
  wrong.kind = "tender.opened";
  EXPECT_EQ(error(wrong), "the entry is of kind \"tender.opened\", not \"tender.deposits_sealed\"");
  wrong = e;
  wrong.subject = "T-2026-00043";
  EXPECT_EQ(error(wrong),
            "/body/tender: is \"T-2026-00042\" but the entry's subject is \"T-2026-00043\"");
  wrong = e;
  wrong.body["bidders"] = 2;
  EXPECT_EQ(error(wrong), "/body/bidders: unknown member");
  wrong = e;
  wrong.body.erase("receipts");
  EXPECT_EQ(error(wrong), "/body/receipts: missing");
}

// ---- The whole chain ----

// A ledger of 6 entries whose entry 4 seals the receipts tree of T-2026-00042 (3 receipts, the
// example among them), a signed head over it, and the example's receipt proof.
struct Chain {
  std::string receipt;  // the signed receipt
  json key, head, proof;
  std::vector<Hash> receipt_leaves;
  std::vector<Entry> entries;
};

Chain MakeChain() {
  Chain c;
  const crypto::SigningKey key = ExampleKey();
  c.receipt = Signed(ExampleReceipt());
  Receipt second = ExampleReceipt();
  second.id = "R-2026-000124";
  second.depositor_id = "55204944776279";
  Receipt third = ExampleReceipt();
  third.id = "R-2026-000125";
  third.late = true;
  const Hash leaf = *ReceiptLeafHash(ExampleReceipt());
  c.receipt_leaves = {*ReceiptLeafHash(second), leaf, *ReceiptLeafHash(third)};
  const Hash receipts_root = ReceiptsRoot(c.receipt_leaves);

  std::vector<Hash> ledger_leaves;
  for (uint64_t seq = 0; seq < 6; ++seq) {
    Entry e;
    e.seq = seq;
    e.time = "2026-12-15T12:00:0" + std::to_string(seq) + ".000Z";
    if (seq == 4) {
      e.kind = std::string(kDepositsSealedKind);
      e.subject = "T-2026-00042";
      e.body = DepositsSealedBody({"T-2026-00042", receipts_root, 3});
    } else {
      e.kind = "contract.created";
      e.subject = "C-" + std::to_string(seq);
      e.body = {{"n", seq}};
    }
    ledger_leaves.push_back(LeafHash(*EncodeEntry(e)));
    c.entries.push_back(e);
  }
  const TreeHead head = SignTreeHead(6, RootOf(ledger_leaves), 1765800000000, key);
  c.head = TreeHeadJson(head, crypto::KeyId(key.public_key));
  c.key = PublicKeyJson(key.public_key);

  ReceiptProofDoc doc;
  doc.receipts_tree = *ReceiptsInclusionProof(c.receipt_leaves, leaf);
  doc.ledger.leaf_index = 4;
  doc.ledger.tree_size = 6;
  doc.ledger.leaf_hash = ledger_leaves[4];
  doc.ledger.audit_path = InclusionProofOf(ledger_leaves, 4);
  doc.ledger.entry = EntryToJson(c.entries[4]);
  c.proof = ReceiptProofToJson(doc);
  return c;
}

std::string Outcome(const VerifyReport& report) {
  switch (report.outcome) {
    case VerifyReport::Outcome::kOk:
      return "ok";
    case VerifyReport::Outcome::kFailed:
      return "FAIL " + report.problem;
    case VerifyReport::Outcome::kUnusable:
      return "error " + report.problem;
  }
  return "?";
}

TEST(VerifyReceiptDoc, ChecksTheSignatureAlone) {
  const Chain c = MakeChain();
  const VerifyReport report = VerifyReceiptDoc(c.receipt, c.key);
  EXPECT_EQ(Outcome(report), "ok");
  ASSERT_EQ(report.checked.size(), 1u);
  EXPECT_EQ(report.checked[0].rfind("signature of receipt R-2026-000123 (key ", 0), 0u)
      << report.checked[0];
  EXPECT_EQ(report.ExitCode(), 0);
}

TEST(VerifyReceiptDoc, FollowsTheReceiptIntoTheLedger) {
  const Chain c = MakeChain();
  const VerifyReport report = VerifyReceiptDoc(c.receipt, c.key, &c.proof, &c.head);
  EXPECT_EQ(Outcome(report), "ok");
  ASSERT_EQ(report.checked.size(), 5u) << testing::PrintToString(report.checked);
  EXPECT_NE(report.checked[1].find("of the 3 in the receipts tree of T-2026-00042"),
            std::string::npos)
      << report.checked[1];
  EXPECT_EQ(report.checked[2].rfind("signature of tree head 6", 0), 0u) << report.checked[2];
  EXPECT_EQ(report.checked[4].rfind("leaf 4 ", 0), 0u) << report.checked[4];
}

TEST(VerifyReceiptDoc, NamesEveryBrokenLink) {
  const Chain c = MakeChain();
  auto verify = [&](const std::string& receipt, const json& proof, const json& head) {
    return Outcome(VerifyReceiptDoc(receipt, c.key, &proof, &head));
  };
  // A receipt whose content changed.
  json changed = json::parse(c.receipt);
  changed["receipt"]["received"] = "2026-12-15T11:59:59.000Z";
  EXPECT_EQ(verify(changed.dump(), c.proof, c.head).rfind("FAIL receipt: /signature: ", 0), 0u);

  // The proof of another receipt.
  json other = c.proof;
  other["receipts_tree"] =
      InclusionProofToJson(*ReceiptsInclusionProof(c.receipt_leaves, c.receipt_leaves[0]));
  EXPECT_EQ(verify(c.receipt, other, c.head).rfind("FAIL the receipt hashes to ", 0), 0u);

  // A wrong audit path in the receipts tree.
  json path = c.proof;
  path["receipts_tree"]["audit_path"][0] = crypto::ToHex(crypto::Sha256("x"));
  EXPECT_EQ(verify(c.receipt, path, c.head)
                .rfind("FAIL inclusion of the receipt in the receipts tree of T-2026-00042", 0),
            0u);

  // An entry of another tender, or with another count: then the entry no longer hashes to the
  // ledger's leaf either, but the first broken link is the one named.
  json tender = c.proof;
  tender["ledger"]["entry"]["subject"] = "T-2026-00043";
  tender["ledger"]["entry"]["body"]["tender"] = "T-2026-00043";
  EXPECT_EQ(verify(c.receipt, tender, c.head),
            "FAIL the ledger entry seals the deposits of tender T-2026-00043, the receipt is for "
            "consultation T-2026-00042");
  json count = c.proof;
  count["ledger"]["entry"]["body"]["receipts"] = 4;
  EXPECT_EQ(verify(c.receipt, count, c.head),
            "FAIL the ledger entry counts 4 receipts, the receipts tree proof is for a tree of 3");
  json kind = c.proof;
  kind["ledger"]["entry"]["kind"] = "tender.opened";
  EXPECT_EQ(verify(c.receipt, kind, c.head)
                .rfind("FAIL the ledger proof's entry: the entry is of kind", 0),
            0u);

  // A receipts root that the ledger never recorded: the tree is consistent, the ledger is not.
  json root = c.proof;
  std::vector<Hash> leaves = c.receipt_leaves;
  leaves.push_back(crypto::Sha256("a fourth receipt"));
  root["receipts_tree"] =
      InclusionProofToJson(*ReceiptsInclusionProof(leaves, *ReceiptLeafHash(ExampleReceipt())));
  root["ledger"]["entry"]["body"]["receipts"] = 4;
  root["ledger"]["entry"]["body"]["receipts_root"] = crypto::ToHex(ReceiptsRoot(leaves));
  EXPECT_EQ(verify(c.receipt, root, c.head).rfind("FAIL the proof's entry hashes to ", 0), 0u)
      << verify(c.receipt, root, c.head);

  // A head that does not cover the entry, or that is not signed by the key.
  json head = c.head;
  head["root_hash"] = crypto::ToHex(crypto::Sha256("x"));
  EXPECT_EQ(verify(c.receipt, c.proof, head).rfind("FAIL signature of tree head 6: ", 0), 0u);

  // Malformed proofs.
  json no_entry = c.proof;
  no_entry["ledger"].erase("entry");
  EXPECT_EQ(verify(c.receipt, no_entry, c.head),
            "FAIL receipt proof: /ledger/entry: missing: the ledger proof carries its entry");
  EXPECT_EQ(verify(c.receipt, json::array(), c.head),
            "FAIL receipt proof: /: must be an object, not array");
}

TEST(VerifyReceiptDoc, AKeyThatIsNoKeyOrAProofWithoutHeadIsUnusable) {
  const Chain c = MakeChain();
  EXPECT_EQ(VerifyReceiptDoc(c.receipt, json::object()).ExitCode(), 2);
  EXPECT_EQ(VerifyReceiptDoc(c.receipt, c.key, &c.proof, nullptr).ExitCode(), 2);
  const json other = PublicKeyJson(OtherKey().public_key);
  const VerifyReport report = VerifyReceiptDoc(c.receipt, other);
  EXPECT_EQ(report.ExitCode(), 1);
  EXPECT_EQ(Outcome(report).rfind("FAIL receipt: /key_id: the receipt names key ", 0), 0u);
}

}  // namespace
}  // namespace limpide::ledger
