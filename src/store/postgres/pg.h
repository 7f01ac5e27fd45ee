// Thin RAII layer over libpq: a connection with a cache of prepared
// statements, bound parameters and binary results. libpq's own header stays
// in the .cpp files: only its two opaque handle types are named here.
// Private to store/postgres/.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"

struct pg_conn;
struct pg_result;

namespace limpide::store::postgres {

// Values bound to $1..$N of one statement. Strings are sent in binary format
// (their bytes, untouched: bytea and text columns alike); integers as decimal
// text. A Params must outlive the statement it is bound to, and so must the
// strings passed to Bytes(). A copy shares the values of the original, which
// must outlive it, and can be extended with more parameters.
class Params {
 public:
  // Adds a parameter; returns its placeholder ("$N").
  std::string Bytes(std::string_view v);
  // Same, but keeps a copy of `v` (for temporaries).
  std::string CopyBytes(std::string v);
  std::string Int(int64_t v);
  // A value in PostgreSQL's text form (an array literal, say), copied.
  std::string CopyText(std::string v);
  std::string Null();
  // Bytes, or NULL when empty.
  std::string BytesOrNull(std::string_view v) { return v.empty() ? Null() : Bytes(v); }
  template <typename T>
  std::string OptionalInt(const std::optional<T>& v) {
    return v ? Int(static_cast<int64_t>(*v)) : Null();
  }

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::string Placeholder() const { return "$" + std::to_string(values_.size()); }
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::deque<std::string> owned_;  // stable addresses
};

// The rows of one statement, in binary format. Owns its PGresult.
class Rows {
 public:
  explicit Rows(pg_result* res) : res_(res) {}
  ~Rows();
  Rows(Rows&& other) noexcept : res_(other.res_) { other.res_ = nullptr; }
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const;
  bool IsNull(int row, int col) const;
  // The raw bytes of a bytea or text value ("" for NULL).
  std::string_view Bytes(int row, int col) const;
  // An int2, int4 or int8 value (0 for NULL).
  int64_t Int(int row, int col) const;
  // Rows affected by an INSERT, UPDATE or DELETE.
  int64_t Affected() const;

 private:
  pg_result* res_;
};

class Connection {
 public:
  // Connects to `url` (a libpq URI or conninfo string). invalid_argument when
  // the URL does not parse; unavailable when the server cannot be reached or
  // refuses the connection (the message names host, port and database, never
  // the password).
  static Result<std::unique_ptr<Connection>> Open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL without parameters, possibly several statements (DDL,
  // BEGIN/COMMIT). One round trip.
  Status Exec(std::string_view sql);
  // Runs `sql` with `params`, prepared on first use and cached by its text.
  Result<Rows> Run(const std::string& sql, const Params& params = {});
  // Runs a statement and returns its single row's first column as an integer.
  Result<int64_t> RunInt(const std::string& sql, const Params& params = {});

  // True when the connection was lost: it must be dropped, not reused.
  bool broken() const;
  // True when a transaction is open (or failed and not yet rolled back).
  bool in_transaction() const;
  // True when a statement failed inside the open transaction: the server
  // aborted it, and COMMIT would only roll it back.
  bool transaction_failed() const;
  // Empties the statement cache when it has grown too large (deallocates on
  // the server). Call between operations.
  void TrimCache();

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  Status ErrorOf(pg_result* res, std::string_view what) const;
  pg_conn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql → statement name
  uint64_t next_statement_ = 0;
};

// Describes a URL for messages: "host:port/dbname", without credentials.
std::string DescribeUrl(const std::string& url);

}  // namespace limpide::store::postgres
