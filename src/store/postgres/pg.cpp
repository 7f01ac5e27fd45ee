#include "store/postgres/pg.h"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace limpide::store::postgres {
namespace {

// Type oids of the integers we read back (catalog/pg_type.h).
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

// Statements kept prepared per connection before the cache is emptied.
constexpr size_t kMaxPreparedStatements = 256;

void IgnoreNotice(void*, const char*) {}

// libpq's message on one line: "a\n\tb\n" -> "a b".
std::string Trimmed(const char* message) {
  std::string s;
  for (const char* p = message ? message : ""; *p; ++p) {
    const bool space = *p == '\n' || *p == '\t';
    if (space && (s.empty() || s.back() == ' ')) continue;
    s.push_back(space ? ' ' : *p);
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

uint64_t BigEndian(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

// ---- Params --------------------------------------------------------------------

std::string Params::Bytes(std::string_view v) {
  // A null pointer would mean SQL NULL: an empty string must point somewhere.
  values_.push_back(v.data() ? v.data() : "");
  lengths_.push_back(static_cast<int>(v.size()));
  formats_.push_back(1);
  return Placeholder();
}

std::string Params::CopyBytes(std::string v) {
  owned_.push_back(std::move(v));
  return Bytes(owned_.back());
}

std::string Params::Int(int64_t v) {
  owned_.push_back(std::to_string(v));
  values_.push_back(owned_.back().c_str());
  lengths_.push_back(0);
  formats_.push_back(0);
  return Placeholder();
}

std::string Params::CopyText(std::string v) {
  owned_.push_back(std::move(v));
  values_.push_back(owned_.back().c_str());
  lengths_.push_back(0);
  formats_.push_back(0);
  return Placeholder();
}

std::string Params::Null() {
  values_.push_back(nullptr);
  lengths_.push_back(0);
  formats_.push_back(0);
  return Placeholder();
}

// ---- Rows ----------------------------------------------------------------------

Rows::~Rows() {
  if (res_) PQclear(res_);
}

Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (res_) PQclear(res_);
    res_ = other.res_;
    other.res_ = nullptr;
  }
  return *this;
}

int Rows::size() const { return res_ ? PQntuples(res_) : 0; }

bool Rows::IsNull(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }

std::string_view Rows::Bytes(int row, int col) const {
  if (PQgetisnull(res_, row, col)) return {};
  return std::string_view(PQgetvalue(res_, row, col),
                          static_cast<size_t>(PQgetlength(res_, row, col)));
}

int64_t Rows::Int(int row, int col) const {
  if (PQgetisnull(res_, row, col)) return 0;
  const Oid type = PQftype(res_, col);
  const int n = PQgetlength(res_, row, col);
  if (!((type == kInt8Oid && n == 8) || (type == kInt4Oid && n == 4) ||
        (type == kInt2Oid && n == 2))) {
    // A statement that selects something else as an integer is a bug of ours.
    std::fprintf(stderr, "postgres: column %d has type oid %u, not an integer\n", col, type);
    std::abort();
  }
  const uint64_t raw = BigEndian(PQgetvalue(res_, row, col), n);
  // Sign-extend from n bytes.
  const int shift = 64 - 8 * n;
  return static_cast<int64_t>(raw << shift) >> shift;
}

int64_t Rows::Affected() const {
  const char* n = res_ ? PQcmdTuples(res_) : "";
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

// ---- Connection ----------------------------------------------------------------

std::string DescribeUrl(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    if (error) PQfreemem(error);
    return "(unparsable URL)";
  }
  std::string host, port, dbname;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::strcmp(o->keyword, "host") == 0 || (std::strcmp(o->keyword, "hostaddr") == 0))
      host = o->val;
    if (std::strcmp(o->keyword, "port") == 0) port = o->val;
    if (std::strcmp(o->keyword, "dbname") == 0) dbname = o->val;
  }
  PQconninfoFree(options);
  return (host.empty() ? "localhost" : host) + ":" + (port.empty() ? "5432" : port) + "/" + dbname;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url) {
  {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (!options) {
      std::string why = Trimmed(error);
      if (error) PQfreemem(error);
      return Status::InvalidArgument("bad PostgreSQL URL: " + why, "store");
    }
    PQconninfoFree(options);
  }
  // Defaults first: keywords given later (the URL's) override them. Text
  // columns (ledger entries, object bodies) are exchanged as UTF-8 whatever
  // the client's environment says (PGCLIENTENCODING); bytea is never converted.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
                            nullptr};
  const char* values[] = {"10", "limpide", url.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (!conn) return Status::Unavailable("PostgreSQL: out of memory while connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to PostgreSQL at " + DescribeUrl(url) + ": " + why);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

bool Connection::transaction_failed() const {
  return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

bool Connection::in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

Status Connection::ErrorOf(pg_result* res, std::string_view what) const {
  const std::string message =
      std::string(what) + ": " + Trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
  if (!res || broken()) return Status::Unavailable("PostgreSQL connection lost: " + message);
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const std::string_view code = state ? state : "";
  if (code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") ||
      code == "57014" || code == "55P03" || code == "40001" || code == "40P01") {
    // Connection trouble, shutdown, resources, timeouts, serialization:
    // retrying may help.
    return Status::Unavailable("PostgreSQL " + message);
  }
  if (code.starts_with("23")) return Status::Conflict("PostgreSQL " + message);
  if (code.starts_with("22")) return Status::InvalidArgument("PostgreSQL " + message);
  return Status::Internal("PostgreSQL " + message);
}

Status Connection::Exec(std::string_view sql) {
  const std::string text(sql);
  PGresult* res = PQexec(conn_, text.c_str());
  const ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  Status out;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) out = ErrorOf(res, text.substr(0, 60));
  if (res) PQclear(res);
  return out;
}

Result<Rows> Connection::Run(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "l" + std::to_string(next_statement_++);
    PGresult* res = PQprepare(conn_, name.c_str(), sql.c_str(), params.size(), nullptr);
    const bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    Status st = ok ? Status::Ok() : ErrorOf(res, "preparing " + sql.substr(0, 80));
    if (res) PQclear(res);
    LIMPIDE_RETURN_IF_ERROR(st);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  PGresult* res = PQexecPrepared(conn_, it->second.c_str(), params.size(), params.values(),
                                 params.lengths(), params.formats(), /*resultFormat=*/1);
  const ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Status error = ErrorOf(res, sql.substr(0, 80));
    if (res) PQclear(res);
    return error;
  }
  return Rows(res);
}

Result<int64_t> Connection::RunInt(const std::string& sql, const Params& params) {
  auto rows = Run(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1) return Status::Internal("expected one row from " + sql.substr(0, 80));
  return rows->Int(0, 0);
}

void Connection::TrimCache() {
  if (prepared_.size() <= kMaxPreparedStatements || in_transaction()) return;
  if (Exec("DEALLOCATE ALL").ok()) prepared_.clear();
}

}  // namespace limpide::store::postgres
