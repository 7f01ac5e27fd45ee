// DECP readers: format detection, the streaming JSON reader (nlohmann SAX, one
// record in memory at a time) and the XML reader (pugixml). Field checks live
// in decp_record.cpp.
#include "formats/decp.h"

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "formats/decp_record.h"

namespace limpide::formats {
namespace {

using nlohmann::json;

// Where the reader stands in the input: 1-based line and column (in bytes) of
// the last byte consumed. Reads the stream in 64 KiB blocks: the JSON lexer
// asks for one byte at a time, and a virtual streambuf call per byte cost
// more than the parse itself (bench/import_bench).
struct Cursor {
  std::streambuf* buf = nullptr;
  std::vector<char> block = std::vector<char>(1 << 16);
  const char* p = nullptr;
  const char* end = nullptr;
  int64_t line = 1;
  int64_t column = 0;
  bool after_newline = false;
  int64_t prev_line = 1;  // position of the byte before the last one
  int64_t prev_column = 0;
  int last = 0;  // the last byte consumed

  bool Fill() {
    const std::streamsize n = buf->sgetn(block.data(), static_cast<std::streamsize>(block.size()));
    p = block.data();
    end = p + (n > 0 ? n : 0);
    return n > 0;
  }
  bool AtEnd() { return p == end && !Fill(); }
  int Peek() { return AtEnd() ? std::char_traits<char>::eof() : static_cast<unsigned char>(*p); }
  void Advance() {
    if (AtEnd()) return;
    const int c = static_cast<unsigned char>(*p++);
    prev_line = line;
    prev_column = column;
    last = c;
    if (after_newline) {
      ++line;
      column = 0;
    }
    ++column;
    after_newline = c == '\n';
  }
  // Appends every byte not consumed yet to `out`.
  void DrainRest(std::string& out) {
    while (!AtEnd()) {
      out.append(p, end);
      p = end;
    }
  }
  // Position for an error found after the last byte consumed (at end of input
  // that is the place just past it).
  std::pair<int64_t, int64_t> ErrorPosition() {
    if (column == 0) return {line, 1};
    if (AtEnd())
      return after_newline ? std::pair{line + 1, int64_t{1}} : std::pair{line, column + 1};
    return {line, column};
  }
};

// An input iterator over the stream that keeps the cursor's line and column:
// nlohmann's iterator adapter reads one byte at a time through it.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = char;

  CountingIterator() = default;
  explicit CountingIterator(Cursor* cursor) : cursor_(cursor) {}

  char operator*() const { return std::char_traits<char>::to_char_type(cursor_->Peek()); }
  CountingIterator& operator++() {
    cursor_->Advance();
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const CountingIterator& a, const CountingIterator& b) {
    return a.AtEnd() == b.AtEnd();
  }

 private:
  bool AtEnd() const { return cursor_ == nullptr || cursor_->AtEnd(); }
  Cursor* cursor_ = nullptr;
};

std::string Where(std::string_view source, int64_t line, int64_t column) {
  return std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

// The SAX handler: follows the outer shape ({"marches":[…]} or
// {"marches":{"marche":[…],"contrat-concession":[…]}}), builds each record as a
// json value, and hands it to the converter and the sink when it closes.
class DecpSax {
 public:
  DecpSax(Cursor& cursor, std::string_view source, const RecordSink& sink)
      : cursor_(cursor), source_(source), sink_(sink) {}

  // The handler's verdict once parsing stopped; `parsed_ok` is sax_parse's.
  Status Finish(bool parsed_ok) {
    if (!status_.ok()) return status_;
    if (!parsed_ok) {  // not expected: every error sets status_
      Fail("invalid JSON");
      return status_;
    }
    if (!seen_marches_)
      return FailAt(cursor_.line, cursor_.column, "no \"marches\" member: not DECP");
    return Status::Ok();
  }

  // The lexer reads one byte past a number before reporting it.
  bool null() { return Scalar(nullptr); }
  bool boolean(bool v) { return Scalar(v); }
  bool number_integer(json::number_integer_t v) { return Scalar(v, true); }
  bool number_unsigned(json::number_unsigned_t v) { return Scalar(v, true); }
  bool number_float(json::number_float_t v, const json::string_t&) { return Scalar(v, true); }
  bool string(json::string_t& v) { return Scalar(std::move(v)); }
  bool binary(json::binary_t&) { return Fail("unexpected binary value"); }

  bool start_object(std::size_t) { return Open(json::object()); }
  bool start_array(std::size_t) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(json::string_t& k) {
    if (!stack_.empty()) {
      key_ = std::move(k);
      return true;
    }
    if (depth_ == 1) {
      top_key_ = k;
    } else if (depth_ == 2 && in_marches_ && format_ == DecpFormat::kJson2) {
      list_key_ = k;
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    // nlohmann says "[json.exception.parse_error.101] parse error at line 1,
    // column 2: syntax error while parsing …": keep what follows the position.
    std::string what = ex.what();
    if (auto col = what.find("column "); col != std::string::npos) {
      if (auto sep = what.find(": ", col); sep != std::string::npos) what = what.substr(sep + 2);
    }
    const auto [line, column] = cursor_.ErrorPosition();
    // The "last read" excerpt may hold the invalid bytes themselves.
    status_ = Status::InvalidArgument(Where(source_, line, column) +
                                      "invalid JSON: " + internal::SanitizeUtf8(what));
    return false;
  }

  DecpFormat format() const { return format_; }

 private:
  enum class Role { kOther, kMarches, kList, kRecord };

  // A shape error, reported at the last byte of the offending value.
  bool Fail(std::string message, bool lookahead = false) {
    // A number ends with a digit: any other last byte is the lexer's lookahead.
    if (lookahead && !(cursor_.last >= '0' && cursor_.last <= '9')) {
      return FailAt(cursor_.prev_line, cursor_.prev_column, std::move(message)).ok();
    }
    return FailAt(cursor_.line, std::max<int64_t>(1, cursor_.column), std::move(message)).ok();
  }
  Status FailAt(int64_t line, int64_t column, std::string message) {
    if (status_.ok()) status_ = Status::InvalidArgument(Where(source_, line, column) + message);
    return status_;
  }

  // True when a value starting now at `depth_` is a record: an item of the
  // 1.x list, of a 2.x list, or a 2.x list written as a single object.
  bool AtRecordLevel() const {
    if (!in_marches_) return false;
    if (format_ == DecpFormat::kJson1) return depth_ == 2 && in_list_;
    if (in_list_) return depth_ == 3;
    return depth_ == 2 && IsListKey(list_key_);
  }
  static bool IsListKey(std::string_view k) { return k == "marche" || k == "contrat-concession"; }

  bool Open(json container) {
    if (!stack_.empty()) {
      json* added = Add(std::move(container));
      stack_.push_back(added);
      ++depth_;
      return true;
    }
    const bool is_object = container.is_object();
    if (depth_ == 0) {
      if (!is_object) return Fail("expected a JSON object with a \"marches\" member: not DECP");
    } else if (depth_ == 1 && top_key_ == "marches" && !seen_marches_) {
      seen_marches_ = true;
      in_marches_ = true;
      format_ = is_object ? DecpFormat::kJson2 : DecpFormat::kJson1;
      in_list_ = !is_object;
    } else if (in_marches_ && format_ == DecpFormat::kJson2 && depth_ == 2 && !is_object &&
               IsListKey(list_key_)) {
      in_list_ = true;
    } else if (AtRecordLevel()) {
      if (is_object) {
        StartRecord();
        record_ = std::move(container);
        stack_.push_back(&record_);
      } else {
        // A list where a record should be: reject it as one record.
        StartRecord();
        skip_record_depth_ = depth_;
      }
    }
    ++depth_;
    return true;
  }

  bool Close() {
    --depth_;
    if (!stack_.empty()) {
      stack_.pop_back();
      if (stack_.empty()) return EmitRecord();
      return true;
    }
    if (skip_record_depth_ == depth_) {
      skip_record_depth_ = -1;
      return EmitRecord();
    }
    if (in_marches_) {
      if (format_ == DecpFormat::kJson2 && depth_ == 2 && in_list_) {
        in_list_ = false;
      } else if (depth_ == 1) {
        in_marches_ = false;
        in_list_ = false;
      }
    }
    return true;
  }

  bool Scalar(json v, bool lookahead = false) {
    if (!stack_.empty()) {
      Add(std::move(v));
      return true;
    }
    if (depth_ == 0) {
      return Fail("expected a JSON object with a \"marches\" member: not DECP", lookahead);
    }
    if (depth_ == 1 && top_key_ == "marches" && !seen_marches_) {
      return Fail("\"marches\" must be a list (DECP 1.x) or an object (DECP 2.x)", lookahead);
    }
    if (AtRecordLevel()) {
      StartRecord();
      record_ = std::move(v);
      return EmitRecord();
    }
    return true;
  }

  json* Add(json v) {
    json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    json& slot = top[key_];
    slot = std::move(v);
    return &slot;
  }

  void StartRecord() {
    ++position_;
    record_line_ = cursor_.line;
    concession_list_ = format_ == DecpFormat::kJson2 && list_key_ == "contrat-concession";
    record_ = nullptr;
  }

  bool EmitRecord() {
    internal::RecordOptions opt;
    opt.source = source_;
    if (format_ == DecpFormat::kJson1) {
      opt.schema_major = 1;
      opt.concession = internal::LooksLikeConcession(record_);
    } else {
      opt.schema_major = 2;
      opt.concession = concession_list_;
    }
    internal::UnwrapLists(record_);
    DecpRecord r = internal::ConvertRecord(record_, opt);
    r.position = position_;
    r.line = record_line_;
    record_ = nullptr;
    status_ = sink_(std::move(r));
    return status_.ok();
  }

  Cursor& cursor_;
  std::string_view source_;
  const RecordSink& sink_;
  Status status_;

  int depth_ = 0;         // containers open outside the record being built
  std::string top_key_;   // last key at depth 1
  std::string list_key_;  // last key inside the 2.x "marches" object
  bool seen_marches_ = false;
  bool in_marches_ = false;
  bool in_list_ = false;
  DecpFormat format_ = DecpFormat::kJson1;

  json record_;               // the record being built
  std::vector<json*> stack_;  // open containers inside record_
  std::string key_;           // pending key inside record_
  int skip_record_depth_ = -1;
  bool concession_list_ = false;
  int64_t position_ = 0;
  int64_t record_line_ = 0;
};

Status ReadJson(Cursor& cursor, std::string_view source, const RecordSink& sink) {
  DecpSax sax(cursor, source, sink);
  bool ok = false;
  try {
    ok = json::sax_parse(CountingIterator(&cursor), CountingIterator(), &sax);
  } catch (const std::exception& e) {
    // The SAX parser reports errors through parse_error; anything thrown here
    // is an allocation failure or a bug in a sink.
    return Status::Internal(std::string(source) + ": " + e.what());
  }
  return sax.Finish(ok);
}

// Line and column (1-based, bytes) of `offset` in `text`.
std::pair<int64_t, int64_t> LineColumn(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const int64_t line = 1 + std::count(before.begin(), before.end(), '\n');
  const size_t nl = before.rfind('\n');
  const int64_t column =
      static_cast<int64_t>(nl == std::string_view::npos ? offset : offset - nl - 1) + 1;
  return {line, column};
}

Status ReadXml(std::string text, std::string_view source, const RecordSink& sink) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(text.data(), text.size());
  if (!parsed) {
    const size_t offset = static_cast<size_t>(std::max<ptrdiff_t>(0, parsed.offset));
    const auto [line, column] = LineColumn(text, offset);
    std::string what = parsed.description();
    const size_t last = text.find_last_not_of(" \t\r\n");
    if (parsed.status == pugi::status_end_element_mismatch &&
        (last == std::string::npos || offset >= last)) {
      what = "unexpected end of input: an element is not closed";
    }
    return Status::InvalidArgument(Where(source, line, column) + "invalid XML: " + what);
  }
  const pugi::xml_node root = doc.document_element();
  const std::string_view root_name = root.name();
  // DECP 1.5 also publishes single records: <marche> or <contrat-concession> as root.
  const bool single = root_name == "marche" || root_name == "contrat-concession";
  if (root_name != "marches" && !single) {
    // offset_debug() points at the name; report the '<' before it.
    const ptrdiff_t at = root.offset_debug();
    const size_t offset = at > 0 && text[static_cast<size_t>(at) - 1] == '<'
                              ? static_cast<size_t>(at) - 1
                              : static_cast<size_t>(std::max<ptrdiff_t>(0, at));
    const auto [line, column] = LineColumn(text, offset);
    return Status::InvalidArgument(Where(source, line, column) + "root element <" +
                                   internal::SanitizeUtf8(root_name) +
                                   "> is not <marches>: not DECP");
  }
  // Line starts, to turn element offsets into lines quickly.
  std::vector<size_t> line_starts{0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts.push_back(i + 1);
  }
  int64_t position = 0;
  for (pugi::xml_node node = single ? root : root.first_child(); node;
       node = single ? pugi::xml_node() : node.next_sibling()) {
    if (node.type() != pugi::node_element) continue;
    const std::string_view name = node.name();
    if (name != "marche" && name != "contrat-concession") continue;
    internal::RecordOptions opt;
    opt.schema_major = 2;
    opt.concession = name == "contrat-concession";
    opt.from_xml = true;
    opt.source = source;
    const json record = internal::XmlToJson(node, &opt.utf8_repaired);
    DecpRecord r = internal::ConvertRecord(record, opt);
    r.position = ++position;
    const ptrdiff_t offset = node.offset_debug();
    if (offset >= 0) {
      auto it =
          std::upper_bound(line_starts.begin(), line_starts.end(), static_cast<size_t>(offset));
      r.line = static_cast<int64_t>(it - line_starts.begin());
    }
    LIMPIDE_RETURN_IF_ERROR(sink(std::move(r)));
  }
  return Status::Ok();
}

}  // namespace

std::string_view DecpFormatName(DecpFormat f) {
  switch (f) {
    case DecpFormat::kJson1:
      return "decp-1-json";
    case DecpFormat::kJson2:
      return "decp-2-json";
    case DecpFormat::kXml2:
      return "decp-2-xml";
  }
  return "decp";
}

Status ReadDecp(std::istream& in, std::string_view source, const RecordSink& sink) {
  std::streambuf* buf = in.rdbuf();
  if (buf == nullptr) return Status::InvalidArgument(std::string(source) + ": no input stream");
  Cursor cursor;
  cursor.buf = buf;
  // Skip a UTF-8 byte order mark and blanks, keeping them for XML offsets.
  std::string prefix;
  if (cursor.Peek() == 0xEF) {
    for (int expected : {0xEF, 0xBB, 0xBF}) {
      if (cursor.Peek() != expected) {
        return Status::InvalidArgument(Where(source, 1, 1) +
                                       "not DECP: expected '{' (JSON) or '<' (XML)");
      }
      prefix.push_back(static_cast<char>(cursor.Peek()));
      cursor.Advance();
    }
    cursor.column = 0;  // the mark is not a column
  }
  while (!cursor.AtEnd()) {
    const int c = cursor.Peek();
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
    prefix.push_back(static_cast<char>(c));
    cursor.Advance();
  }
  if (cursor.AtEnd()) {
    const auto [line, column] = cursor.ErrorPosition();
    return Status::InvalidArgument(Where(source, line, column) + "empty input: not DECP");
  }
  const int first = cursor.Peek();
  if (first == '{') return ReadJson(cursor, source, sink);
  if (first == '<') {
    std::string text = std::move(prefix);
    cursor.DrainRest(text);
    return ReadXml(std::move(text), source, sink);
  }
  cursor.Advance();
  const auto [line, column] = cursor.ErrorPosition();
  return Status::InvalidArgument(Where(source, line, column) +
                                 "not DECP: expected '{' (JSON) or '<' (XML)");
}

Status ReadDecpFile(const std::string& path, const RecordSink& sink) {
  std::vector<char> buffer(1 << 16);
  std::ifstream in;
  in.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  in.open(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot open " + path);
  const size_t slash = path.find_last_of('/');
  const std::string source = slash == std::string::npos ? path : path.substr(slash + 1);
  return ReadDecp(in, source, sink);
}

DecpRecord ParseDecpJsonRecord(std::string_view text, DecpFormat format, bool concession,
                               std::string_view source) {
  json record = json::parse(text.begin(), text.end(), nullptr, false);
  if (record.is_discarded()) {
    DecpRecord r;
    r.position = 1;
    r.line = 1;
    r.errors.push_back({"", "invalid JSON"});
    return r;
  }
  internal::RecordOptions opt;
  opt.source = source;
  opt.schema_major = format == DecpFormat::kJson1 ? 1 : 2;
  opt.concession =
      format == DecpFormat::kJson1 ? internal::LooksLikeConcession(record) : concession;
  internal::UnwrapLists(record);
  DecpRecord r = internal::ConvertRecord(record, opt);
  r.position = 1;
  r.line = 1;
  return r;
}

}  // namespace limpide::formats
