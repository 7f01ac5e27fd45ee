// The HTTP/1.1 server on Boost.Beast + Asio. This is the only translation unit
// that includes Boost; the rest of the code sees http/server.h.
//
// One Session per connection, each on its own strand of a shared io_context
// run by N threads. A session loops: wait for the first byte of a request
// (idle timeout), read it with Beast's parser (read timeout from that first
// byte, header and body limits), call the handler inline, write the response
// (serialized by hand: status line, headers, then the body or its chunks).
// Handlers block their io thread; the other threads keep serving.
#include <utility>  // before Boost.Asio with Boost 1.74 under C++20

// GCC 12 with the sanitizers reports a false "maybe uninitialized" inside
// Beast's parser (boost::optional in basic_parser::content_length); the
// warning is emitted after inlining, so only a file-wide pragma silences it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "http/metrics.h"
#include "http/problem.h"
#include "http/server.h"
#include "http/uri.h"

namespace limpide::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kShutdownGrace = std::chrono::seconds(10);
// After a response with Connection: close, unread request bytes are drained
// for this long so that the kernel does not answer them with a reset that
// could destroy the response before the client reads it.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kReadChunk = 16384;
// A large body is read in pieces of up to this size once its length is known:
// 16 times fewer reads and wake-ups for a 1 MB deposit. The buffer is given
// back when the next request starts, so idle connections keep 16 KiB.
constexpr size_t kLargeReadChunk = 256 * 1024;
constexpr size_t kMaxLoggedTarget = 2048;  // keeps a log line under PIPE_BUF

// ---------------------------------------------------------------- stderr

// One write(2) per line and no lock: lines from different threads never
// interleave (pipes and O_APPEND files write up to PIPE_BUF atomically).
void WriteStderr(std::string_view line) {
  while (!line.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    line.remove_prefix(static_cast<size_t>(n));
  }
}

void AppendJsonString(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      // Bytes outside printable ASCII are escaped one by one, so the line is
      // always valid JSON whatever the client sent.
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

// Per-thread cache of the formatted current second: the Date header
// ("Sun, 06 Nov 1994 08:49:37 GMT") and the ISO 8601 stem of log times.
struct TimeStrings {
  int64_t second = -1;
  char date[32] = {};
  size_t date_len = 0;
  char iso[24] = {};  // "2024-05-01T12:00:00"
  size_t iso_len = 0;
};

const TimeStrings& CurrentTime(std::chrono::system_clock::time_point now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local TimeStrings cache;
  const int64_t second =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (second != cache.second) {
    const time_t t = static_cast<time_t>(second);
    struct tm tm {};
    gmtime_r(&t, &tm);
    cache.second = second;
    cache.date_len = static_cast<size_t>(std::snprintf(
        cache.date, sizeof cache.date, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
        tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec));
    cache.iso_len = static_cast<size_t>(std::snprintf(
        cache.iso, sizeof cache.iso, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec));
  }
  return cache;
}

// "2024-05-01T12:00:00.123Z"
void AppendLogTime(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const TimeStrings& t = CurrentTime(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%03dZ", static_cast<int>(ms));
  out.append(t.iso, t.iso_len);
  out += buf;
}

void LogError(std::string_view message, std::string_view detail) {
  std::string line = "{\"time\":\"";
  AppendLogTime(line);
  line += "\",\"level\":\"error\",\"msg\":";
  AppendJsonString(line, message);
  line += ",\"error\":";
  AppendJsonString(line, detail.substr(0, 2048));
  line += "}\n";
  WriteStderr(line);
}

std::string_view ReasonPhrase(int status) {
  const auto s = bhttp::int_to_status(static_cast<unsigned>(status));
  if (s == bhttp::status::unknown) return "Unknown";
  const auto reason = bhttp::obsolete_reason(s);
  return {reason.data(), reason.size()};
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

void AppendUnsigned(std::string& out, uint64_t value) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  out.append(p, end);
}

// ---------------------------------------------------------------- rate limit

using RateKey = std::array<unsigned char, 16>;  // client IP as IPv6 bytes

struct RateKeyHash {
  size_t operator()(const RateKey& key) const {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (const unsigned char c : key) h = (h ^ c) * 1099511628211ULL;
    return static_cast<size_t>(h);
  }
};

// Token buckets per client IP, sharded by IP so that clients rarely contend.
class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst < 1 ? 1 : burst) {}

  // 0 when the request may go on; otherwise the whole seconds (≥ 1) after
  // which one token will be back.
  int Acquire(const RateKey& key, Clock::time_point now) {
    Shard& shard = shards_[RateKeyHash{}(key) % shards_.size()];
    std::lock_guard lock(shard.mutex);
    if (shard.buckets.size() > kSweepSize && now - shard.last_sweep > std::chrono::seconds(1)) {
      Sweep(shard, now);
    }
    auto [it, inserted] = shard.buckets.try_emplace(key, Bucket{burst_, now});
    Bucket& bucket = it->second;
    if (!inserted) {
      const double elapsed = std::chrono::duration<double>(now - bucket.last).count();
      bucket.tokens = std::min(burst_, bucket.tokens + elapsed * rate_);
      bucket.last = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    const double wait = (1 - bucket.tokens) / rate_;
    const double whole = std::ceil(wait);
    return whole < 1 ? 1 : whole > 86400 ? 86400 : static_cast<int>(whole);
  }

 private:
  static constexpr size_t kSweepSize = 4096;
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<RateKey, Bucket, RateKeyHash> buckets;
    Clock::time_point last_sweep{};
  };

  // Forgets clients whose bucket has refilled: they are as new.
  void Sweep(Shard& shard, Clock::time_point now) {
    shard.last_sweep = now;
    const auto full = std::chrono::duration<double>(burst_ / rate_);
    std::erase_if(shard.buckets, [&](const auto& entry) { return now - entry.second.last > full; });
  }

  const double rate_;
  const double burst_;
  std::array<Shard, 16> shards_;
};

// ---------------------------------------------------------------- server

class ServerImpl;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerImpl& server, tcp::socket socket);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start();
  // Runs on the session's strand once the server stops: an idle connection is
  // closed now, a busy one after its current response.
  void OnServerStopping();
  // Only once no io thread runs.
  void ForceClose();
  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kClosing };

  void WaitForRequest();
  void OnIdleRead(beast::error_code ec, size_t bytes);
  void ReadRequest();
  void ParseBuffered();
  void ReadMore();
  void OnRead(beast::error_code ec, size_t bytes);
  void OnReadError(beast::error_code ec);
  void Process();
  void CallHandler();
  void SendError(int status, std::string_view code, std::string detail, std::string field,
                 bool close);
  void WriteResponse();
  void StreamNext();
  void OnChunkWritten(beast::error_code ec, size_t bytes);
  void OnResponseDone(beast::error_code ec);
  void LogAndRecord();
  void LingeringClose();
  void Drain();
  void CloseNow();

  ServerImpl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  Response response_;
  std::string head_;   // status line and headers of the response being written
  std::string piece_;  // current piece of a streamed body
  char chunk_prefix_[24] = {};
  size_t chunk_prefix_len_ = 0;
  std::string_view chunk_suffix_;
  RateKey rate_key_{};
  State state_ = State::kIdle;
  unsigned version_ = 11;
  bool first_request_ = true;
  bool close_ = false;      // close after the current response
  bool stopping_ = false;   // the server is stopping
  bool head_only_ = false;  // HEAD: headers only
  bool chunked_ = false;
  bool continue_sent_ = false;  // the 100-continue question was settled
  bool stream_more_ = false;
  Clock::time_point start_;
  Clock::time_point read_deadline_;
  uint64_t body_bytes_ = 0;
};

class ServerImpl final : public Server {
 public:
  ServerImpl(const ServerOptions& options, Handler handler)
      : options_(Normalize(options)),
        handler_(std::move(handler)),
        limiter_(options.rate_per_second > 0
                     ? std::make_unique<RateLimiter>(options.rate_per_second, options.burst)
                     : nullptr),
        ioc_(options_.threads),
        strand_(net::make_strand(ioc_)),
        acceptor_(strand_),
        accept_retry_(strand_) {}

  ~ServerImpl() override {
    Stop();
    Wait();
  }

  Status Listen();
  void Run();

  uint16_t port() const override { return port_; }
  void Wait() override;
  void HandleSignals() override;
  void Stop() override;

  // For sessions.
  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  RateLimiter* limiter() { return limiter_.get(); }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  void Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);

 private:
  static ServerOptions Normalize(ServerOptions options) {
    if (options.threads <= 0) {
      options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    if (options.max_connections < 1) options.max_connections = 1;
    return options;
  }
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Reject(tcp::socket socket);
  void BeginShutdown();

  const ServerOptions options_;
  const Handler handler_;
  const std::unique_ptr<RateLimiter> limiter_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_{0};
  uint16_t port_ = 0;

  // Guards sessions_ and stop_requested_; cv_ signals both.
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;

  std::mutex wait_mutex_;  // one Wait() at a time
  bool joined_ = false;

  // Declared after what sessions touch in their destructors: the io_context
  // destroys the sessions still queued in it.
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> strand_;  // acceptor, shutdown
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  std::mutex signals_mutex_;
  std::unique_ptr<net::signal_set> signals_;
  std::vector<std::thread> threads_;
};

// ---- Session

Session::Session(ServerImpl& server, tcp::socket socket)
    : server_(server), stream_(std::move(socket)) {
  ConnectionOpened();
}

Session::~Session() {
  ConnectionClosed();
  server_.Unregister(this);
}

void Session::Start() {
  server_.Register(shared_from_this());
  beast::error_code ec;
  stream_.socket().set_option(tcp::no_delay(true), ec);
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  if (ec) {
    CloseNow();
    return;
  }
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  request_.remote_address = address.to_string();
  const auto v6 = address.is_v4() ? net::ip::make_address_v6(net::ip::v4_mapped, address.to_v4())
                                  : address.to_v6();
  rate_key_ = v6.to_bytes();
  // Start on the session's strand: everything after runs there.
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
}

void Session::OnServerStopping() {
  stopping_ = true;
  if (state_ == State::kIdle) CloseNow();
}

void Session::ForceClose() {
  beast::error_code ec;
  stream_.socket().close(ec);
}

void Session::WaitForRequest() {
  if (stopping_ || server_.stopping()) {
    CloseNow();
    return;
  }
  state_ = State::kIdle;
  if (buffer_.size() > 0) {  // a pipelined request is already here
    ReadRequest();
    return;
  }
  if (buffer_.capacity() > kReadChunk) buffer_.shrink_to_fit();  // after a large body
  const ServerOptions& options = server_.options();
  // A new connection gets no more time to start its request than a request
  // gets to arrive whole; between requests, the keep-alive idle time.
  stream_.expires_after(first_request_ ? std::min(options.idle_timeout, options.read_timeout)
                                       : options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          beast::bind_front_handler(&Session::OnIdleRead, shared_from_this()));
}

void Session::OnIdleRead(beast::error_code ec, size_t bytes) {
  if (ec) {  // idle timeout, client gone, or the server stopping
    CloseNow();
    return;
  }
  buffer_.commit(bytes);
  ReadRequest();
}

void Session::ReadRequest() {
  const ServerOptions& options = server_.options();
  state_ = State::kReading;
  start_ = Clock::now();
  read_deadline_ = start_ + options.read_timeout;
  request_.method.clear();
  request_.target.clear();
  version_ = 11;
  head_only_ = false;
  continue_sent_ = false;
  body_bytes_ = 0;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(static_cast<std::uint64_t>(options.max_body_bytes));
  ParseBuffered();
}

// Feeds the buffered bytes to the parser and reads more only when it needs
// more. Parsing inline (rather than through http::async_read) saves a post
// and a composed operation per request: a whole request usually arrives in
// the read that ended the idle wait.
void Session::ParseBuffered() {
  while (buffer_.size() > 0) {
    beast::error_code ec;
    const size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) break;
    if (ec) {
      OnReadError(ec);
      return;
    }
    if (parser_->is_done()) {
      Process();
      return;
    }
    if (parser_->is_header_done() && !continue_sent_) {
      continue_sent_ = true;
      const auto expect = parser_->get()[bhttp::field::expect];
      if (internal::EqualsIgnoreCase({expect.data(), expect.size()}, "100-continue") &&
          buffer_.size() == 0) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        stream_.expires_at(read_deadline_);
        net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                         [self = shared_from_this()](beast::error_code write_ec, size_t) {
                           if (write_ec) {
                             self->CloseNow();
                           } else {
                             self->ReadMore();
                           }
                         });
        return;
      }
    }
    if (used == 0) break;
  }
  ReadMore();
}

void Session::ReadMore() {
  size_t want = kReadChunk;
  if (parser_->is_header_done()) {
    if (const auto left = parser_->content_length_remaining(); left && *left > want)
      want = static_cast<size_t>(std::min<uint64_t>(*left, kLargeReadChunk));
  }
  stream_.expires_at(read_deadline_);
  stream_.async_read_some(buffer_.prepare(want),
                          beast::bind_front_handler(&Session::OnRead, shared_from_this()));
}

void Session::OnRead(beast::error_code ec, size_t bytes) {
  if (ec) {
    // End of stream mid-request, reset, or read timeout (Beast has closed the
    // socket then): there is no one left to answer.
    CloseNow();
    return;
  }
  buffer_.commit(bytes);
  ParseBuffered();
}

void Session::OnReadError(beast::error_code ec) {
  const ServerOptions& options = server_.options();
  if (parser_->is_header_done()) {
    const auto& message = parser_->get();
    request_.method.assign(message.method_string().data(), message.method_string().size());
    request_.target.assign(message.target().data(), message.target().size());
  }
  if (ec == bhttp::error::header_limit) {
    SendError(431, "header_fields_too_large",
              "The request line and headers exceed " + std::to_string(options.max_header_bytes) +
                  " bytes.",
              {}, true);
  } else if (ec == bhttp::error::body_limit) {
    SendError(413, "content_too_large",
              "The request body exceeds " + std::to_string(options.max_body_bytes) + " bytes.", {},
              true);
  } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    SendError(400, "bad_request", "Malformed HTTP request: " + ec.message() + ".", {}, true);
  } else {
    // Client gone, reset, or read timeout: Beast has closed the socket on a
    // timeout, so there is no one left to answer.
    CloseNow();
  }
}

void Session::Process() {
  state_ = State::kHandling;
  auto& message = parser_->get();
  version_ = message.version();
  if (!message.keep_alive()) close_ = true;
  request_.method.assign(message.method_string().data(), message.method_string().size());
  request_.target.assign(message.target().data(), message.target().size());
  head_only_ = request_.method == "HEAD";

  if (!internal::PercentDecode(internal::RawPath(request_.target), false, request_.path)) {
    SendError(400, "invalid_argument", "Bad percent-encoding in the path.", "path", false);
    return;
  }
  request_.query.clear();
  if (!internal::DecodeQuery(internal::RawQuery(request_.target), request_.query)) {
    SendError(400, "invalid_argument", "Bad percent-encoding in the query.", "query", false);
    return;
  }
  request_.headers.clear();
  for (const auto& field : message) {
    const auto name_view = field.name_string();
    std::string name(name_view.data(), name_view.size());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    const auto value = field.value();
    auto [it, inserted] = request_.headers.try_emplace(std::move(name), value.data(), value.size());
    if (!inserted) {  // repeated header: one comma-separated list (RFC 9110 §5.3)
      it->second += ", ";
      it->second.append(value.data(), value.size());
    }
  }
  request_.body = std::move(message.body());
  request_.params.clear();

  if (RateLimiter* limiter = server_.limiter()) {
    if (const int wait = limiter->Acquire(rate_key_, start_); wait > 0) {
      response_ = Problem(429, "too_many_requests",
                          "Too many requests from " + request_.remote_address + "; retry in " +
                              std::to_string(wait) + " s.",
                          request_.target);
      response_.headers.emplace_back("Retry-After", std::to_string(wait));
      WriteResponse();
      return;
    }
  }
  CallHandler();
}

void Session::CallHandler() {
  // The catch-all of STYLE.md: no exception leaves the HTTP layer.
  try {
    response_ = server_.handler()(request_);
    if (response_.defer) {
      auto defer = std::move(response_.defer);
      std::string route = std::move(response_.route);
      response_ = Response{};
      state_ = State::kHandling;
      defer([self = shared_from_this(), route = std::move(route)](Response r) mutable {
        if (r.route.empty()) r.route = std::move(route);
        net::post(self->executor(), [self, r = std::move(r)]() mutable {
          self->response_ = std::move(r);
          self->WriteResponse();
        });
      });
      return;
    }
  } catch (const std::exception& e) {
    LogError("handler threw on " + request_.method + " " + request_.target, e.what());
    response_ =
        Problem(500, "internal", "The server failed to answer this request.", request_.target);
  } catch (...) {
    LogError("handler threw on " + request_.method + " " + request_.target, "unknown exception");
    response_ =
        Problem(500, "internal", "The server failed to answer this request.", request_.target);
  }
  WriteResponse();
}

void Session::SendError(int status, std::string_view code, std::string detail, std::string field,
                        bool close) {
  state_ = State::kHandling;
  response_ = Problem(status, code, detail, request_.target, field);
  if (close) close_ = true;
  WriteResponse();
}

void Session::WriteResponse() {
  state_ = State::kWriting;
  if (stopping_ || server_.stopping()) close_ = true;
  int status = response_.status;
  if (status < 100 || status > 999) status = 500;
  const bool no_body = status < 200 || status == 204 || status == 304;
  const bool streamed = static_cast<bool>(response_.stream) && !no_body;

  head_.clear();
  head_ += "HTTP/1.1 ";
  AppendUnsigned(head_, static_cast<uint64_t>(status));
  head_ += ' ';
  head_ += ReasonPhrase(status);
  head_ += "\r\n";
  bool has_server = false;
  bool has_date = false;
  for (const auto& [name, value] : response_.headers) {
    // The server owns framing and connection management.
    if (internal::EqualsIgnoreCase(name, "content-length") ||
        internal::EqualsIgnoreCase(name, "transfer-encoding") ||
        internal::EqualsIgnoreCase(name, "connection")) {
      continue;
    }
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) continue;  // no injection
    has_server = has_server || internal::EqualsIgnoreCase(name, "server");
    has_date = has_date || internal::EqualsIgnoreCase(name, "date");
    head_ += name;
    head_ += ": ";
    head_ += value;
    head_ += "\r\n";
  }
  if (!has_server) head_ += "Server: limpide\r\n";
  if (!has_date) {
    const TimeStrings& now = CurrentTime(std::chrono::system_clock::now());
    head_ += "Date: ";
    head_.append(now.date, now.date_len);
    head_ += "\r\n";
  }
  chunked_ = false;
  if (streamed && response_.stream_length >= 0) {
    head_ += "Content-Length: ";
    AppendUnsigned(head_, static_cast<uint64_t>(response_.stream_length));
    head_ += "\r\n";
  } else if (streamed) {
    if (version_ >= 11) {
      head_ += "Transfer-Encoding: chunked\r\n";
      chunked_ = true;
    } else {
      close_ = true;  // HTTP/1.0: the end of the body is the end of the connection
    }
  } else if (!no_body) {
    head_ += "Content-Length: ";
    AppendUnsigned(head_, response_.body.size());
    head_ += "\r\n";
  }
  if (close_) {
    head_ += "Connection: close\r\n";
  } else if (version_ < 11) {
    head_ += "Connection: keep-alive\r\n";
  }
  head_ += "\r\n";

  stream_.expires_after(server_.options().write_timeout);
  if (streamed && !head_only_) {
    net::async_write(stream_, net::buffer(head_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) {
                         self->OnResponseDone(ec);
                       } else {
                         self->StreamNext();
                       }
                     });
    return;
  }
  const bool send_body = !head_only_ && !no_body;
  body_bytes_ = send_body ? response_.body.size() : 0;
  const std::array<net::const_buffer, 2> buffers = {
      net::buffer(head_), send_body ? net::buffer(response_.body) : net::const_buffer()};
  net::async_write(stream_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->OnResponseDone(ec);
  });
}

void Session::StreamNext() {
  piece_.clear();
  bool more = true;
  try {
    while (piece_.empty() && more) more = response_.stream(piece_);
  } catch (const std::exception& e) {
    LogError("stream producer threw on " + request_.method + " " + request_.target, e.what());
    more = false;
    piece_.clear();
    close_ = true;
    chunked_ = false;  // no terminating chunk: the client sees a truncated body
  } catch (...) {
    LogError("stream producer threw on " + request_.method + " " + request_.target,
             "unknown exception");
    more = false;
    piece_.clear();
    close_ = true;
    chunked_ = false;
  }
  stream_more_ = more;
  chunk_prefix_len_ = 0;
  chunk_suffix_ = {};
  if (!piece_.empty()) {
    body_bytes_ += piece_.size();
    if (chunked_) {
      chunk_prefix_len_ = static_cast<size_t>(
          std::snprintf(chunk_prefix_, sizeof chunk_prefix_, "%zx\r\n", piece_.size()));
      chunk_suffix_ = more ? "\r\n" : "\r\n0\r\n\r\n";
    }
  } else if (chunked_) {
    chunk_suffix_ = "0\r\n\r\n";
  }
  if (chunk_prefix_len_ == 0 && piece_.empty() && chunk_suffix_.empty()) {
    OnResponseDone({});
    return;
  }
  const std::array<net::const_buffer, 3> buffers = {
      net::buffer(chunk_prefix_, chunk_prefix_len_), net::buffer(piece_),
      net::buffer(chunk_suffix_.data(), chunk_suffix_.size())};
  stream_.expires_after(server_.options().write_timeout);
  net::async_write(stream_, buffers,
                   beast::bind_front_handler(&Session::OnChunkWritten, shared_from_this()));
}

void Session::OnChunkWritten(beast::error_code ec, size_t /*bytes*/) {
  if (ec || !stream_more_) {
    OnResponseDone(ec);
    return;
  }
  StreamNext();
}

void Session::OnResponseDone(beast::error_code ec) {
  LogAndRecord();
  response_ = Response{};  // frees the body and the stream producer now
  if (ec) {
    CloseNow();
    return;
  }
  if (close_) {
    LingeringClose();
    return;
  }
  first_request_ = false;
  WaitForRequest();
}

void Session::LogAndRecord() {
  const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  const std::string_view route =
      response_.route.empty() ? std::string_view("unmatched") : std::string_view(response_.route);
  int status = response_.status;
  if (status < 100 || status > 999) status = 500;
  RecordRequest(request_.method, route, status, seconds);
  if (!server_.options().access_log) return;

  thread_local std::string line;
  line.clear();
  line += "{\"time\":\"";
  AppendLogTime(line);
  line += "\",\"remote\":";
  AppendJsonString(line, request_.remote_address);
  line += ",\"method\":";
  AppendJsonString(line, std::string_view(request_.method).substr(0, 32));
  line += ",\"target\":";
  AppendJsonString(line, std::string_view(request_.target).substr(0, kMaxLoggedTarget));
  line += ",\"status\":";
  AppendUnsigned(line, static_cast<uint64_t>(status));
  line += ",\"bytes\":";
  AppendUnsigned(line, body_bytes_);
  char duration[32];
  std::snprintf(duration, sizeof duration, ",\"duration_ms\":%.3f", seconds * 1000);
  line += duration;
  line += ",\"route\":";
  AppendJsonString(line, route.substr(0, 256));
  line += "}\n";
  WriteStderr(line);
}

void Session::LingeringClose() {
  state_ = State::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    CloseNow();
    return;
  }
  buffer_.clear();
  stream_.expires_after(kLingerTime);
  Drain();
}

void Session::Drain() {
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) {
                              self->CloseNow();
                            } else {
                              self->Drain();  // discarded: prepare() reuses the same space
                            }
                          });
}

void Session::CloseNow() {
  state_ = State::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

// ---- Rejection of connections beyond the cap

// Writes a 503 problem and closes, without a session.
class Rejection : public std::enable_shared_from_this<Rejection> {
 public:
  explicit Rejection(tcp::socket socket) : stream_(std::move(socket)) {}

  void Start(std::chrono::milliseconds write_timeout) {
    Response problem = Problem(503, "too_many_connections",
                               "The server has too many open connections; retry shortly.", "");
    const TimeStrings& now = CurrentTime(std::chrono::system_clock::now());
    text_ = "HTTP/1.1 503 Service Unavailable\r\nServer: limpide\r\nDate: ";
    text_.append(now.date, now.date_len);
    text_ += "\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\nContent-Length: ";
    text_ += std::to_string(problem.body.size());
    text_ += "\r\nConnection: close\r\n\r\n";
    text_ += problem.body;
    stream_.expires_after(std::min<std::chrono::milliseconds>(write_timeout, kLingerTime));
    net::async_write(stream_, net::buffer(text_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       beast::error_code ignored;
                       if (ec) {
                         self->stream_.socket().close(ignored);
                         return;
                       }
                       self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                       self->stream_.expires_after(kLingerTime);
                       self->Drain();
                     });
  }

 private:
  void Drain() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) {
                                beast::error_code ignored;
                                self->stream_.socket().close(ignored);
                              } else {
                                self->Drain();
                              }
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string text_;
};

// ---- ServerImpl

Status ServerImpl::Listen() {
  beast::error_code ec;
  tcp::endpoint endpoint;
  const auto address = net::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    tcp::resolver resolver(ioc_);
    const auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (ec || results.empty()) {
      return Status::Unavailable("cannot resolve " + options_.host + ": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return Status::Unavailable("cannot open a socket for " + where + ": " + ec.message());
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return Status::Unavailable("cannot bind " + where + ": " + ec.message());
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();
  return Status::Ok();
}

void ServerImpl::Run() {
  Accept();
  threads_.reserve(static_cast<size_t>(options_.threads));
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] {
      while (true) {
        try {
          ioc_.run();
          return;
        } catch (const std::exception& e) {
          LogError("io thread caught an exception", e.what());
        } catch (...) {
          LogError("io thread caught an exception", "unknown exception");
        }
      }
    });
  }
}

void ServerImpl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&ServerImpl::OnAccept, this));
}

void ServerImpl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open() || stopping()) return;
  if (ec) {
    // Out of descriptors and the like: wait a little instead of spinning.
    LogError("accept failed", ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(50));
    accept_retry_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open() && !stopping()) Accept();
    });
    return;
  }
  if (open_.load(std::memory_order_relaxed) >= options_.max_connections) {
    ConnectionRejected();
    std::make_shared<Rejection>(std::move(socket))->Start(options_.write_timeout);
  } else {
    open_.fetch_add(1, std::memory_order_relaxed);
    std::make_shared<Session>(*this, std::move(socket))->Start();
  }
  Accept();
}

void ServerImpl::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  sessions_.emplace(session.get(), session);
}

void ServerImpl::Unregister(Session* session) {
  open_.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
  if (sessions_.empty() && stop_requested_) cv_.notify_all();
}

void ServerImpl::Stop() {
  bool expected = false;
  if (!stopping_.compare_exchange_strong(expected, true)) return;
  net::post(strand_, [this] { BeginShutdown(); });
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  cv_.notify_all();
}

void ServerImpl::BeginShutdown() {
  beast::error_code ec;
  acceptor_.close(ec);
  accept_retry_.cancel();
  {
    std::lock_guard lock(signals_mutex_);
    if (signals_) signals_->cancel(ec);
  }
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mutex_);
    live.reserve(sessions_.size());
    for (auto& [ptr, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) {
    net::post(session->executor(), [session] { session->OnServerStopping(); });
  }
}

void ServerImpl::HandleSignals() {
  std::lock_guard lock(signals_mutex_);
  if (signals_ || stopping()) return;
  signals_ = std::make_unique<net::signal_set>(ioc_, SIGINT, SIGTERM);
  signals_->async_wait([this](beast::error_code ec, int /*signal*/) {
    if (!ec) Stop();
  });
}

void ServerImpl::Wait() {
  std::lock_guard wait_lock(wait_mutex_);
  if (joined_) return;
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return stop_requested_; });
    cv_.wait_for(lock, kShutdownGrace, [this] { return sessions_.empty(); });
  }
  ioc_.stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  joined_ = true;
  // Requests still running after the grace period lose their connection.
  std::vector<std::shared_ptr<Session>> left;
  {
    std::lock_guard lock(mutex_);
    for (auto& [ptr, weak] : sessions_) {
      if (auto session = weak.lock()) left.push_back(std::move(session));
    }
  }
  for (auto& session : left) session->ForceClose();
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  if (!handler) return Status::InvalidArgument("the server needs a handler");
  auto server = std::make_unique<ServerImpl>(options, std::move(handler));
  if (Status status = server->Listen(); !status.ok()) return status;
  server->Run();
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace limpide::http
