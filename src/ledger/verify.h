// Offline verification of what the ledger publishes: a full dump, an inclusion proof, a
// consistency proof, each against a signed tree head and the published key. Needs nothing but
// the files (formats in docs/ledger.md). `limpide verify` prints the reports.
#pragma once

#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace limpide::ledger {

// What was checked, in order, and how it ended. Checks stop at the first failure.
struct VerifyReport {
  enum class Outcome {
    kOk,        // every check held
    kFailed,    // a check failed: `problem` names it (the first bad entry of a dump)
    kUnusable,  // nothing could be verified: a file cannot be read, or the key is not a key
  };
  std::vector<std::string> checked;  // each check that held, e.g. "64 entries, root 9b…"
  Outcome outcome = Outcome::kOk;
  std::string problem;  // empty when kOk

  bool ok() const { return outcome == Outcome::kOk; }
  // 0 ok, 1 failed, 2 unusable: the exit status of `limpide verify`.
  int ExitCode() const;
  // "ok  <check>" for each check that held, then "FAIL <problem>" or "error <problem>".
  std::vector<std::string> Lines() const;
};

// Checks a dump (JSON Lines, line k holding entry k with its leaf hash and the root of the
// tree of entries 0..k): every entry well-formed and re-encoded canonically, seq == k, the
// stated leaf_hash and tree_root recomputed; every line ends with a newline. With `head` and
// `key` (both or neither; the parsed JSON of a tree head and a public key): the head's
// signature, that the dump has at least head.tree_size entries and that the root after that
// many entries is the head's root_hash. Reads the stream once, in constant memory.
VerifyReport VerifyDump(std::istream& dump, const nlohmann::json* head = nullptr,
                        const nlohmann::json* key = nullptr);

// Checks an inclusion proof document against a tree head signed by `key`: the signature, the
// proof's tree_size equals the head's, the entry (when the proof carries one) hashes to the
// proof's leaf_hash and has seq == leaf_index, and the audit path leads to the head's root.
VerifyReport VerifyInclusionDoc(const nlohmann::json& proof, const nlohmann::json& head,
                                const nlohmann::json& key);

// Checks that the tree of `first_head` is a prefix of the tree of `second_head`: both
// signatures, first/second of the proof equal the heads' sizes, and the consistency path.
VerifyReport VerifyConsistencyDoc(const nlohmann::json& first_head,
                                  const nlohmann::json& second_head, const nlohmann::json& proof,
                                  const nlohmann::json& key);

// The same, reading the files. An empty head_path/key_path means none (both or neither).
VerifyReport VerifyDumpFile(const std::string& dump_path, const std::string& head_path = {},
                            const std::string& key_path = {});
VerifyReport VerifyInclusionFiles(const std::string& proof_path, const std::string& head_path,
                                  const std::string& key_path);
VerifyReport VerifyConsistencyFiles(const std::string& first_head_path,
                                    const std::string& second_head_path,
                                    const std::string& proof_path, const std::string& key_path);

}  // namespace limpide::ledger
