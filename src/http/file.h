// Files on disk as HTTP responses: Content-Length, single byte ranges
// (RFC 9110 §14: Range, If-Range, 206, 416), ETag and If-None-Match, read in
// pieces so that any size streams in constant memory (docs/bulk.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/server.h"

namespace limpide::http {

// What a Range header asks of a body of `size` bytes.
struct RangeRequest {
  enum Kind {
    kWhole,          // no Range, or one we ignore (multiple ranges, another unit,
                     // malformed: RFC 9110 §14.2 lets a server ignore it): 200
    kPart,           // [offset, offset + length): 206
    kUnsatisfiable,  // a valid range that starts at or after the end: 416
  };
  Kind kind = kWhole;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Parses the value of a Range header ("bytes=0-499", "bytes=500-",
// "bytes=-500"; a last position past the end is cut to the end). Never fails.
RangeRequest ParseRange(std::string_view header, uint64_t size);

struct FileInfo {
  std::string path;          // on disk
  std::string content_type;  // "application/json; charset=utf-8"
  std::string etag;          // without quotes (the file's SHA-256 in hex)
  std::string filename;      // Content-Disposition attachment name; empty: none
};

// The response to a GET or HEAD of `file`: 200 with the whole file, 206 with
// the range asked (when If-Range, if present, matches the ETag), 416 with
// Content-Range "bytes */SIZE" for a range beyond the end, 304 when
// If-None-Match names the ETag. not_found problem when the file cannot be
// opened. The file is opened now; the body is read from that open file, so
// a file renamed over meanwhile does not mix two versions.
Response FileResponse(const Request& req, const FileInfo& file);

}  // namespace limpide::http
