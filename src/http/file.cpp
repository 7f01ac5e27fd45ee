#include "http/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <stdexcept>

#include "http/problem.h"

namespace limpide::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Digits to a number; false on overflow.
bool ToNumber(std::string_view s, uint64_t& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Closes the file when the last piece of the response is gone.
struct OpenFile {
  explicit OpenFile(int fd) : fd(fd) {}
  ~OpenFile() { ::close(fd); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd;
};

constexpr uint64_t kPiece = 256 * 1024;

}  // namespace

RangeRequest ParseRange(std::string_view header, uint64_t size) {
  RangeRequest whole;
  std::string_view v = Trim(header);
  if (v.size() < 6) return whole;
  for (size_t i = 0; i < 5; ++i) {
    const char c = static_cast<char>(v[i] | 0x20);
    if (c != "bytes"[i]) return whole;
  }
  v.remove_prefix(5);
  v = Trim(v);
  if (v.empty() || v.front() != '=') return whole;
  v = Trim(v.substr(1));
  if (v.find(',') != std::string_view::npos) return whole;  // one range only
  const size_t dash = v.find('-');
  if (dash == std::string_view::npos) return whole;
  const std::string_view first = Trim(v.substr(0, dash));
  const std::string_view last = Trim(v.substr(dash + 1));
  RangeRequest r;
  if (first.empty()) {  // suffix: the last N bytes
    uint64_t n = 0;
    if (!AllDigits(last)) return whole;
    if (!ToNumber(last, n)) n = UINT64_MAX;
    if (n == 0 || size == 0) return RangeRequest{RangeRequest::kUnsatisfiable};
    n = std::min(n, size);
    return RangeRequest{RangeRequest::kPart, size - n, n};
  }
  if (!AllDigits(first) || (!last.empty() && !AllDigits(last))) return whole;
  uint64_t a = 0;
  if (!ToNumber(first, a)) return RangeRequest{RangeRequest::kUnsatisfiable};
  uint64_t b = UINT64_MAX;
  if (!last.empty() && !ToNumber(last, b)) b = UINT64_MAX;
  if (b < a) return whole;  // invalid range-spec: ignored
  if (a >= size) return RangeRequest{RangeRequest::kUnsatisfiable};
  b = std::min(b, size - 1);
  r.kind = RangeRequest::kPart;
  r.offset = a;
  r.length = b - a + 1;
  return r;
}

Response FileResponse(const Request& req, const FileInfo& file) {
  const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Problem(Status::NotFound("no such file: " + req.path), req.target);
  auto open_file = std::make_shared<OpenFile>(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Problem(Status::NotFound("no such file: " + req.path), req.target);
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  const std::string etag = "\"" + file.etag + "\"";

  Response r;
  r.SetHeader("ETag", etag);
  r.SetHeader("Accept-Ranges", "bytes");
  if (const std::string* inm = req.Header("if-none-match");
      inm && !file.etag.empty() &&
      (Trim(*inm) == "*" || inm->find(etag) != std::string::npos)) {
    r.status = 304;
    return r;
  }

  RangeRequest range;
  if (const std::string* h = req.Header("range"); h != nullptr) {
    range = ParseRange(*h, size);
    // If-Range: the range applies only to the version the client holds.
    if (const std::string* ir = req.Header("if-range"); ir && Trim(*ir) != etag) range = {};
  }
  if (range.kind == RangeRequest::kUnsatisfiable) {
    Response p = Problem(416, "range_not_satisfiable",
                         "The range asked starts at or beyond the end of the file (" +
                             std::to_string(size) + " bytes).",
                         req.target, "range");
    p.SetHeader("Content-Range", "bytes */" + std::to_string(size));
    p.SetHeader("ETag", etag);
    return p;
  }
  uint64_t offset = 0;
  uint64_t length = size;
  if (range.kind == RangeRequest::kPart) {
    r.status = 206;
    offset = range.offset;
    length = range.length;
    r.SetHeader("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                     std::to_string(offset + length - 1) + "/" +
                                     std::to_string(size));
  }
  r.SetHeader("Content-Type", file.content_type);
  if (!file.filename.empty())
    r.SetHeader("Content-Disposition", "attachment; filename=\"" + file.filename + "\"");
  r.stream_length = static_cast<int64_t>(length);
  if (length == 0) return r;  // empty body; the stream is not needed
  auto pos = std::make_shared<uint64_t>(offset);
  const uint64_t end = offset + length;
  r.stream = [open_file, pos, end](std::string& out) {
    const uint64_t n = std::min(kPiece, end - *pos);
    const size_t before = out.size();
    out.resize(before + n);
    const ssize_t got = ::pread(open_file->fd, out.data() + before, n, static_cast<off_t>(*pos));
    if (got <= 0) {
      out.resize(before);
      throw std::runtime_error("file read failed or file shorter than announced");
    }
    out.resize(before + static_cast<size_t>(got));
    *pos += static_cast<uint64_t>(got);
    return *pos < end;
  };
  return r;
}

}  // namespace limpide::http
