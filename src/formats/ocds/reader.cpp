// The OCDS reader: a byte scanner follows the outer shape of the file (the
// package object and its list, or the lines) and cuts out each item's bytes by
// balancing strings and brackets; nlohmann parses each item on its own, so a
// broken release costs that release only. The scanner keeps line and column
// for the positions of rejects.
#include "formats/ocds/reader.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace limpide::formats::ocds {
namespace {

using nlohmann::json;

class Scanner {
 public:
  explicit Scanner(std::streambuf* buf) : buf_(buf), data_(kBlock) {}

  // The byte at the cursor, or -1 at the end of input.
  int Peek() {
    if (pos_ == end_ && !Refill()) return -1;
    return static_cast<unsigned char>(data_[pos_]);
  }
  void Advance() {
    if (data_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }
  static bool IsBlank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
  int SkipBlanks() {
    int c = Peek();
    while (IsBlank(c)) {
      Advance();
      c = Peek();
    }
    return c;
  }
  void SkipByteOrderMark() {
    if (Peek() == 0xEF && end_ - pos_ >= 3 && static_cast<unsigned char>(data_[pos_ + 1]) == 0xBB &&
        static_cast<unsigned char>(data_[pos_ + 2]) == 0xBF) {
      pos_ += 3;
    }
  }
  int64_t line() const { return line_; }
  int64_t column() const { return column_; }

  // Copies the JSON value at the cursor (after blanks) into `out` and moves
  // past it. Only strings and brackets are followed: the parser judges the
  // rest. False when the input ends inside the value or there is none.
  bool CaptureValue(std::string& out) {
    out.clear();
    const int first = SkipBlanks();
    if (first < 0) return false;
    size_t start = pos_;
    int64_t depth = 0;
    bool in_string = false, escaped = false;
    const bool scalar = first != '{' && first != '[' && first != '"';
    for (;;) {
      if (pos_ == end_) {
        out.append(data_.data() + start, pos_ - start);
        if (!Refill()) return scalar && !out.empty();
        start = pos_;
      }
      const char c = data_[pos_];
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
          if (depth == 0) {
            Advance();
            break;
          }
        }
      } else if (scalar) {
        if (c == ',' || c == ']' || c == '}' || IsBlank(c)) break;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          Advance();
          break;
        }
        if (depth < 0) return false;
      }
      Advance();
    }
    out.append(data_.data() + start, pos_ - start);
    return true;
  }

  // Reads one line (without its end) into `out`, keeping at most `max` bytes
  // of it (the rest is consumed); false at the end of input.
  bool ReadLine(std::string& out, size_t max = static_cast<size_t>(-1)) {
    out.clear();
    if (Peek() < 0) return false;
    for (;;) {
      if (pos_ == end_ && !Refill()) return true;
      const char* begin = data_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(begin, '\n', end_ - pos_));
      if (nl == nullptr) {
        out.append(begin, std::min(end_ - pos_, max - std::min(max, out.size())));
        column_ += static_cast<int64_t>(end_ - pos_);
        pos_ = end_;
        continue;
      }
      out.append(begin, std::min(static_cast<size_t>(nl - begin), max - std::min(max, out.size())));
      pos_ += static_cast<size_t>(nl - begin) + 1;
      ++line_;
      column_ = 1;
      if (!out.empty() && out.back() == '\r') out.pop_back();
      return true;
    }
  }

 private:
  static constexpr size_t kBlock = size_t{1} << 20;

  bool Refill() {
    if (eof_) return false;
    const std::streamsize n = buf_->sgetn(data_.data(), static_cast<std::streamsize>(data_.size()));
    pos_ = 0;
    end_ = n > 0 ? static_cast<size_t>(n) : 0;
    if (n <= 0) eof_ = true;
    return n > 0;
  }

  std::streambuf* buf_;
  std::vector<char> data_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  int64_t line_ = 1, column_ = 1;
};

std::string Where(std::string_view source, int64_t line, int64_t column) {
  return std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

// Parses an item's text; on failure sets item.error with the position of the
// fault in the file.
void ParseItem(Item& item) {
  try {
    item.value = json::parse(item.text);
  } catch (const json::parse_error& e) {
    item.value = nullptr;
    // e.byte is the 1-based offset of the fault in the text.
    const size_t offset = std::min(e.byte > 0 ? e.byte - 1 : 0, item.text.size());
    const std::string_view before(item.text.data(), offset);
    const auto newlines = std::count(before.begin(), before.end(), '\n');
    const size_t last_nl = before.rfind('\n');
    const int64_t line = item.line + newlines;
    const int64_t column = newlines == 0 ? item.column + static_cast<int64_t>(offset)
                                         : static_cast<int64_t>(offset - last_nl);
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..."
    if (const size_t colon = what.find(": ", what.find("column")); colon != std::string::npos) {
      what = what.substr(colon + 2);
    }
    item.error = std::to_string(line) + ":" + std::to_string(column) + ": not JSON: " + what;
  }
}

// Reads the member name at the cursor and its colon.
bool ReadKey(Scanner& s, std::string& scratch, std::string& key) {
  if (s.SkipBlanks() != '"' || !s.CaptureValue(scratch)) return false;
  json k = json::parse(scratch, nullptr, false);
  if (!k.is_string()) return false;
  key = k.get<std::string>();
  if (s.SkipBlanks() != ':') return false;
  s.Advance();
  return true;
}

Status ReadPackage(Scanner& s, std::string_view list_name, std::string_view source,
                   const ItemSink& sink, json* package) {
  auto fail = [&](const std::string& reason) {
    return Status::InvalidArgument(Where(source, s.line(), s.column()) + reason, std::string(list_name));
  };
  json head = json::object();
  s.SkipByteOrderMark();
  if (s.SkipBlanks() != '{') return fail("not an OCDS package: expected a JSON object");
  s.Advance();
  std::string key, scratch;
  int64_t position = 0;
  if (s.SkipBlanks() == '}') {
    s.Advance();
  } else {
    for (;;) {
      if (!ReadKey(s, scratch, key)) return fail("expected a member name and ':'");
      if (key == list_name && s.SkipBlanks() == '[') {
        s.Advance();
        if (s.SkipBlanks() == ']') {
          s.Advance();
        } else {
          for (;;) {
            s.SkipBlanks();
            Item item;
            item.position = ++position;
            item.line = s.line();
            item.column = s.column();
            if (!s.CaptureValue(item.text)) {
              return fail("the input ends inside " + std::string(list_name) + " item " +
                          std::to_string(position));
            }
            ParseItem(item);
            LIMPIDE_RETURN_IF_ERROR(sink(std::move(item)));
            const int c = s.SkipBlanks();
            if (c != ',' && c != ']') {
              return fail("expected ',' or ']' after " + std::string(list_name) + " item " +
                          std::to_string(position));
            }
            s.Advance();
            if (c == ']') break;
          }
        }
      } else {
        const int64_t line = s.line(), column = s.column();
        if (!s.CaptureValue(scratch)) return fail("the input ends inside member \"" + key + "\"");
        json value = json::parse(scratch, nullptr, false);
        if (value.is_discarded()) {
          return Status::InvalidArgument(
              Where(source, line, column) + "member \"" + key + "\" is not JSON", key);
        }
        head[key] = std::move(value);
      }
      const int c = s.SkipBlanks();
      if (c != ',' && c != '}') return fail("expected ',' or '}' in the package object");
      s.Advance();
      if (c == '}') break;
    }
  }
  if (s.SkipBlanks() != -1) return fail("unexpected data after the package");
  if (package) *package = std::move(head);
  return Status::Ok();
}

Status ReadLines(Scanner& s, const ItemSink& sink) {
  int64_t position = 0;
  s.SkipByteOrderMark();
  for (;;) {
    Item item;
    item.line = s.line();
    item.column = 1;
    if (!s.ReadLine(item.text)) return Status::Ok();
    if (std::all_of(item.text.begin(), item.text.end(), Scanner::IsBlank)) continue;
    item.position = ++position;
    ParseItem(item);
    LIMPIDE_RETURN_IF_ERROR(sink(std::move(item)));
  }
}

Status ReadStream(Scanner& s, std::string_view source, const ItemSink& sink) {
  int64_t position = 0;
  s.SkipByteOrderMark();
  while (s.SkipBlanks() != -1) {
    Item item;
    item.position = ++position;
    item.line = s.line();
    item.column = s.column();
    if (!s.CaptureValue(item.text)) {
      return Status::InvalidArgument(
          Where(source, item.line, item.column) + "the input ends inside release " +
              std::to_string(position),
          "releases");
    }
    ParseItem(item);
    LIMPIDE_RETURN_IF_ERROR(sink(std::move(item)));
  }
  return Status::Ok();
}

// The form of the object at the cursor, from its member names; nullopt when
// it is not an OCDS object, or not JSON (then `*broken` is set).
std::optional<InputForm> FormOfObject(Scanner& s, bool* broken) {
  const int first = s.SkipBlanks();
  // XML, or no input: decided. Anything else that is not an object: broken.
  if (first != '{') {
    *broken = first != '<' && first != -1;
    return std::nullopt;
  }
  *broken = true;
  const int64_t first_line = s.line();
  s.Advance();
  std::string key, scratch;
  bool ocid = false;
  if (s.SkipBlanks() != '}') {
    for (;;) {
      if (!ReadKey(s, scratch, key)) return std::nullopt;
      if (key == "releases") return InputForm::kReleasePackage;
      if (key == "records") return InputForm::kRecordPackage;
      if (key == "marches") {
        *broken = false;  // DECP
        return std::nullopt;
      }
      if (key == "ocid") ocid = true;
      if (!s.CaptureValue(scratch)) return std::nullopt;
      const int c = s.SkipBlanks();
      if (c != ',' && c != '}') return std::nullopt;
      s.Advance();
      if (c == '}') break;
    }
  } else {
    s.Advance();
  }
  *broken = false;
  if (!ocid) return std::nullopt;
  return s.line() == first_line ? InputForm::kReleaseLines : InputForm::kReleaseStream;
}

}  // namespace

std::string_view InputFormName(InputForm f) {
  switch (f) {
    case InputForm::kReleasePackage:
      return "ocds-release-package";
    case InputForm::kRecordPackage:
      return "ocds-record-package";
    case InputForm::kReleaseLines:
      return "ocds-json-lines";
    case InputForm::kReleaseStream:
      return "ocds-release";
  }
  return "ocds";
}

std::optional<InputForm> DetectOcds(std::istream& in) {
  std::streambuf* buf = in.rdbuf();
  if (buf == nullptr) return std::nullopt;
  const std::streampos start = buf->pubseekoff(0, std::ios::cur, std::ios::in);
  if (start == std::streampos(-1)) return std::nullopt;
  std::optional<InputForm> form;
  bool broken = false;
  {
    Scanner s(buf);
    s.SkipByteOrderMark();
    form = FormOfObject(s, &broken);
  }
  if (!form && broken) {
    // A JSON Lines file whose first lines are broken: the first line that is
    // a JSON object decides (within the first 100 lines of up to 1 MiB).
    buf->pubseekpos(start, std::ios::in);
    Scanner s(buf);
    std::string line;
    constexpr size_t kMaxLine = size_t{1} << 20;
    for (int i = 0; i < 100 && s.ReadLine(line, kMaxLine + 1); ++i) {
      if (line.size() > kMaxLine) continue;
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded()) continue;
      if (j.is_object() && j.contains("ocid") && !j.contains("releases") &&
          !j.contains("records") && i > 0) {
        form = InputForm::kReleaseLines;
      }
      break;
    }
  }
  in.clear();
  buf->pubseekpos(start, std::ios::in);
  return form;
}

Status ReadOcds(std::istream& in, InputForm form, std::string_view source, const ItemSink& sink,
                json* package) {
  std::streambuf* buf = in.rdbuf();
  if (buf == nullptr) return Status::InvalidArgument(std::string(source) + ": no input stream");
  Scanner s(buf);
  switch (form) {
    case InputForm::kReleasePackage:
      return ReadPackage(s, "releases", source, sink, package);
    case InputForm::kRecordPackage:
      return ReadPackage(s, "records", source, sink, package);
    case InputForm::kReleaseLines:
      if (package) *package = json::object();
      return ReadLines(s, sink);
    case InputForm::kReleaseStream:
      if (package) *package = json::object();
      return ReadStream(s, source, sink);
  }
  return Status::Internal("unknown OCDS form");
}

}  // namespace limpide::formats::ocds
