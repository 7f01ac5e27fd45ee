// DECP readers: format detection, the streaming JSON readers (one record in
// memory at a time) and the XML reader (pugixml). Field checks live in
// decp_record.cpp.
//
// JSON is read twice over only when it must be. The fast reader splits the
// input into records with a byte scanner that follows the outer shape and
// hands each record's bytes to simdjson. It accepts the well-formed shapes
// only: on anything else (a syntax error, a shape error, invalid UTF-8, an odd
// key) it stops, and the exact reader (nlohmann SAX, which knows every line
// and column) reads the input again from the start, skipping the records the
// fast reader has already delivered. Both build the same JsonTree for each
// record, so the records are the same whichever reader delivers them.
#include "formats/decp.h"

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
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

// Converts a JSON record held in `tree` (built with its list wrappers removed
// below the root): `format` and, for 2.x, the list it came from tell the rules.
DecpRecord ConvertJsonRecord(internal::JsonTree& tree, DecpFormat format, bool concession_list,
                             std::string_view source, internal::LookupCache* cache) {
  internal::RecordOptions opt;
  opt.source = source;
  opt.cache = cache;
  if (format == DecpFormat::kJson1) {
    opt.schema_major = 1;
    opt.concession = internal::LooksLikeConcession(tree.root());  // before unwrapping
  } else {
    opt.schema_major = 2;
    opt.concession = concession_list;
  }
  tree.UnwrapRootLists();
  return internal::ConvertRecord(tree.root(), opt);
}

// The exact reader's SAX handler: follows the outer shape ({"marches":[…]} or
// {"marches":{"marche":[…],"contrat-concession":[…]}}), builds each record as a
// json value, and hands it to the converter and the sink when it closes. The
// first `skip` records are read but not delivered.
class DecpSax {
 public:
  DecpSax(Cursor& cursor, std::string_view source, const RecordSink& sink, int64_t skip)
      : cursor_(cursor), source_(source), sink_(sink), skip_(skip) {}

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
    if (position_ <= skip_) {  // delivered already by the fast reader
      record_ = nullptr;
      return true;
    }
    tree_.Build(record_, /*unwrap_lists=*/true);
    DecpRecord r = ConvertJsonRecord(tree_, format_, concession_list_, source_, &cache_);
    r.position = position_;
    r.line = record_line_;
    record_ = nullptr;
    status_ = sink_(std::move(r));
    return status_.ok();
  }

  Cursor& cursor_;
  std::string_view source_;
  const RecordSink& sink_;
  const int64_t skip_;
  Status status_;
  internal::JsonTree tree_;
  internal::LookupCache cache_;

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

Status ReadJsonExactly(Cursor& cursor, std::string_view source, const RecordSink& sink,
                       int64_t skip) {
  DecpSax sax(cursor, source, sink, skip);
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
  internal::JsonTree tree;
  internal::LookupCache cache;
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
    opt.cache = &cache;
    const json record = internal::XmlToJson(node, &opt.utf8_repaired);
    tree.Build(record, /*unwrap_lists=*/false);
    DecpRecord r = internal::ConvertRecord(tree.root(), opt);
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

// The exact reader, from the current position of `buf`: JSON with every line
// and column, or XML. The first `skip` JSON records are not delivered.
Status ReadDecpExactly(std::streambuf* buf, std::string_view source, const RecordSink& sink,
                       int64_t skip) {
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
  if (first == '{') return ReadJsonExactly(cursor, source, sink, skip);
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

// Bit i set where p[i] is `c`, for the 64 bytes at p.
inline uint64_t ByteMask(const char* p, char c) {
#if defined(__SSE2__)
  const __m128i k = _mm_set1_epi8(c);
  uint64_t mask = 0;
  for (int j = 0; j < 4; ++j) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * j));
    const auto bits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, k)));
    mask |= static_cast<uint64_t>(bits) << (16 * j);
  }
  return mask;
#else
  uint64_t mask = 0;
  for (int j = 0; j < 64; ++j) mask |= static_cast<uint64_t>(p[j] == c) << j;
  return mask;
#endif
}

// Bit i set when an odd number of bits at or below i are set in `x`.
inline uint64_t PrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// The bytes escaped by a backslash among 64 (simdjson's method: the byte
// after an odd run of backslashes). `carry` is 1 when the previous block
// ended with an escaping backslash, and is updated for the next block.
inline uint64_t EscapedBytes(uint64_t backslash, uint64_t& carry) {
  constexpr uint64_t kEven = 0x5555555555555555ULL;
  backslash &= ~carry;
  const uint64_t follows_escape = (backslash << 1) | carry;
  const uint64_t odd_starts = backslash & ~kEven & ~follows_escape;
  uint64_t even_starts = 0;
  carry = __builtin_add_overflow(odd_starts, backslash, &even_starts) ? 1 : 0;
  return (kEven ^ (even_starts << 1)) & follows_escape;
}

int64_t CountNewlines(const char* p, const char* end) {
  int64_t n = 0;
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n');
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (const int bits = _mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)); bits != 0) {
      n += __builtin_popcount(static_cast<unsigned>(bits));
    }
  }
#endif
  for (; p < end; ++p) n += *p == '\n';
  return n;
}

// The fast JSON reader (see the top of this file). Reads the input in blocks;
// a record's bytes stay in the block, with simdjson's padding after them, while
// simdjson parses them in place.
class FastJsonReader {
 public:
  FastJsonReader(std::streambuf* buf, std::string_view source, const RecordSink& sink)
      : buf_(buf), source_(source), sink_(sink), data_(kBlock + simdjson::SIMDJSON_PADDING) {}

  // Reads the whole input. When gave_up(), the status means nothing: the
  // input must be read again by the exact reader.
  Status Read() {
    Status s = ReadDocument();
    if (gave_up_) return Status::Ok();
    return s;
  }
  bool gave_up() const { return gave_up_; }
  // Records handed to the sink.
  int64_t delivered() const { return position_; }

 private:
  static constexpr size_t kBlock = size_t{1} << 20;
  static constexpr size_t kNoMark = static_cast<size_t>(-1);

  // Stops the fast reader; the status returned alongside is ignored.
  Status GiveUp() {
    gave_up_ = true;
    return Status::Ok();
  }

  size_t Capacity() const { return data_.size() - simdjson::SIMDJSON_PADDING; }

  // Reads more input after end_, first dropping the bytes before mark_ (or
  // pos_ when no mark is set); the block grows when it is full of bytes to
  // keep. Moves pos_, mark_ and line_pos_ with their bytes. Returns false at
  // the end of input.
  bool Refill() {
    if (eof_) return false;
    const size_t keep = std::min(mark_, pos_);
    CountLinesTo(std::max(keep, line_pos_));
    if (keep > 0) {
      std::copy(data_.begin() + static_cast<ptrdiff_t>(keep),
                data_.begin() + static_cast<ptrdiff_t>(end_), data_.begin());
      end_ -= keep;
      pos_ -= keep;
      line_pos_ -= keep;
      if (mark_ != kNoMark) mark_ -= keep;
    }
    if (end_ == Capacity()) data_.resize(2 * Capacity() + simdjson::SIMDJSON_PADDING);
    const std::streamsize n =
        buf_->sgetn(data_.data() + end_, static_cast<std::streamsize>(Capacity() - end_));
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
  }

  // The byte at pos_, or -1 at the end of input.
  int Peek() {
    if (pos_ == end_ && !Refill()) return -1;
    return static_cast<unsigned char>(data_[pos_]);
  }

  static bool IsBlank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  int SkipBlanks() {
    int c = Peek();
    while (IsBlank(c)) {
      ++pos_;
      c = Peek();
    }
    return c;
  }

  // Consumes `expected` after blanks.
  bool Expect(char expected) {
    if (SkipBlanks() != static_cast<unsigned char>(expected)) return false;
    ++pos_;
    return true;
  }

  void CountLinesTo(size_t pos) {
    if (pos <= line_pos_) return;
    line_ += CountNewlines(data_.data() + line_pos_, data_.data() + pos);
    line_pos_ = pos;
  }

  // A member name of the outer objects and its colon. Only plain printable
  // ASCII names are read here; anything else goes to the exact reader.
  bool ReadKey(std::string& key) {
    key.clear();
    if (!Expect('"')) return false;
    for (int c = Peek(); c != '"'; c = Peek()) {
      if (c < 0x20 || c > 0x7E || c == '\\') return false;
      key.push_back(static_cast<char>(c));
      ++pos_;
    }
    ++pos_;
    return Expect(':');
  }

  // Finds the end of the value starting at pos_ (after blanks), following
  // strings and nesting only: the parser checks the rest. Sets `start` and
  // moves pos_ past the value. False when the input ends first.
  bool ScanValue(size_t& start) {
    const int first = SkipBlanks();
    if (first < 0) return false;
    CountLinesTo(pos_);
    mark_ = pos_;
    const bool complete = first == '{' || first == '[' ? ScanContainer() : ScanScalar(first == '"');
    start = mark_;
    mark_ = kNoMark;
    return complete;
  }

  // Moves pos_ past the object or array at pos_, 64 bytes at a time: the
  // quotes not escaped delimit strings, the brackets outside strings nest.
  bool ScanContainer() {
    int64_t depth = 0;
    uint64_t in_string = 0;  // all ones when the previous block ended in a string
    uint64_t escape_carry = 0;
    size_t i = pos_;
    for (;;) {
      while (end_ - i < 64 && !eof_) {  // whole blocks, except at the end
        pos_ = i;
        Refill();
        i = pos_;
      }
      if (i == end_) return false;
      const size_t n = std::min<size_t>(64, end_ - i);
      const uint64_t valid = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
      const char* p = data_.data() + i;  // the padding makes 64 bytes readable
      const uint64_t escaped = EscapedBytes(ByteMask(p, '\\') & valid, escape_carry);
      const uint64_t quotes = ByteMask(p, '"') & ~escaped & valid;
      const uint64_t strings = PrefixXor(quotes) ^ in_string;
      in_string = static_cast<uint64_t>(static_cast<int64_t>(strings) >> 63);
      const uint64_t open = ByteMask(p, '{') | ByteMask(p, '[');
      const uint64_t close = ByteMask(p, '}') | ByteMask(p, ']');
      for (uint64_t brackets = (open | close) & ~strings & valid; brackets != 0;
           brackets &= brackets - 1) {
        const int bit = __builtin_ctzll(brackets);
        if ((open >> bit) & 1) {
          ++depth;
        } else if (--depth == 0) {
          pos_ = i + static_cast<size_t>(bit) + 1;
          return true;
        }
      }
      i += n;
    }
  }

  // Moves pos_ past the string or other scalar at pos_. A scalar other than
  // a string ends before a delimiter or a blank, or at the end of input (the
  // parser judges it).
  bool ScanScalar(bool string) {
    bool escaped = false;  // the byte before was a backslash in the string
    size_t i = pos_ + 1;   // next byte to look at
    for (;;) {
      if (i == end_) {
        pos_ = i;
        if (!Refill()) return !string;
        i = pos_;
      }
      const char c = data_[i];
      if (!string) {
        if (c == ',' || c == ']' || c == '}' || IsBlank(c)) break;
      } else if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        ++i;
        break;
      }
      ++i;
    }
    pos_ = i;
    return true;
  }

  // Parses data_[start, pos_) into tree_. False on invalid JSON.
  bool ParseValue(size_t start) {
    const char* text = data_.data() + start;
    const size_t size = pos_ - start;
    simdjson::dom::element value;
    if (parser_.parse(text, size, /*realloc_if_needed=*/false).get(value) == simdjson::SUCCESS) {
      tree_.Build(value, /*unwrap_lists=*/true);
      return true;
    }
    // simdjson refuses some valid JSON that nlohmann reads (integers past 64
    // bits, nesting past 1024): the exact reader's parser decides.
    fallback_ = json::parse(text, text + size, nullptr, false);
    if (fallback_.is_discarded()) return false;
    tree_.Build(fallback_, /*unwrap_lists=*/true);
    return true;
  }

  // A value the reader does not use, checked all the same.
  bool SkipValue() {
    size_t start = 0;
    return ScanValue(start) && ParseValue(start);
  }

  Status Record(DecpFormat format, bool concession_list) {
    size_t start = 0;
    if (!ScanValue(start)) return GiveUp();
    const int64_t line = line_;
    if (!ParseValue(start)) return GiveUp();
    DecpRecord r = ConvertJsonRecord(tree_, format, concession_list, source_, &cache_);
    r.position = ++position_;
    r.line = line;
    return sink_(std::move(r));
  }

  // A list of records, at its '['.
  Status RecordList(DecpFormat format, bool concession_list) {
    ++pos_;
    if (SkipBlanks() == ']') {
      ++pos_;
      return Status::Ok();
    }
    for (;;) {
      LIMPIDE_RETURN_IF_ERROR(Record(format, concession_list));
      if (gave_up_) return Status::Ok();
      const int c = SkipBlanks();
      if (c != ',' && c != ']') return GiveUp();
      ++pos_;
      if (c == ']') return Status::Ok();
    }
  }

  // Calls `member` for each member of the object at pos_ ('{' after blanks),
  // with its name, at its value.
  template <typename Member>
  Status Members(Member member) {
    if (!Expect('{')) return GiveUp();
    if (SkipBlanks() == '}') {
      ++pos_;
      return Status::Ok();
    }
    std::string key;
    for (;;) {
      if (!ReadKey(key)) return GiveUp();
      LIMPIDE_RETURN_IF_ERROR(member(key));
      if (gave_up_) return Status::Ok();
      const int c = SkipBlanks();
      if (c != ',' && c != '}') return GiveUp();
      ++pos_;
      if (c == '}') return Status::Ok();
    }
  }

  Status ReadDocument() {
    if (Peek() == 0xEF) {  // a UTF-8 byte order mark
      for (int expected : {0xEF, 0xBB, 0xBF}) {
        if (Peek() != expected) return GiveUp();
        ++pos_;
      }
    }
    if (SkipBlanks() != '{') return GiveUp();  // XML, or not DECP: the exact reader says
    bool seen_marches = false;
    LIMPIDE_RETURN_IF_ERROR(Members([&](const std::string& key) -> Status {
      if (key != "marches" || seen_marches) return SkipValue() ? Status::Ok() : GiveUp();
      seen_marches = true;
      const int c = SkipBlanks();
      if (c == '[') return RecordList(DecpFormat::kJson1, false);
      if (c != '{') return GiveUp();
      return Members([&](const std::string& list) -> Status {
        if (list != "marche" && list != "contrat-concession") {
          return SkipValue() ? Status::Ok() : GiveUp();
        }
        const bool concession = list == "contrat-concession";
        // A list of records, or a single record.
        if (SkipBlanks() == '[') return RecordList(DecpFormat::kJson2, concession);
        return Record(DecpFormat::kJson2, concession);
      });
    }));
    if (gave_up_) return Status::Ok();
    if (SkipBlanks() != -1 || !seen_marches) return GiveUp();
    return Status::Ok();
  }

  std::streambuf* buf_;
  std::string_view source_;
  const RecordSink& sink_;
  std::vector<char> data_;  // input bytes [0, end_), then padding
  size_t end_ = 0;
  size_t pos_ = 0;         // next byte to read
  size_t mark_ = kNoMark;  // first byte of the value being scanned
  bool eof_ = false;
  int64_t line_ = 1;     // line of the byte at line_pos_
  size_t line_pos_ = 0;  // lines are counted up to here
  bool gave_up_ = false;
  int64_t position_ = 0;
  simdjson::dom::parser parser_;
  json fallback_;
  internal::JsonTree tree_;
  internal::LookupCache cache_;
};

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
  // The fast reader needs to go back to the start when it gives up: only on
  // a stream that can seek.
  const std::streampos start = buf->pubseekoff(0, std::ios::cur, std::ios::in);
  int64_t delivered = 0;
  if (start != std::streampos(-1)) {
    FastJsonReader fast(buf, source, sink);
    Status s = fast.Read();
    if (!fast.gave_up()) return s;
    delivered = fast.delivered();
    if (buf->pubseekpos(start, std::ios::in) != start) {
      return Status::Internal(std::string(source) + ": cannot read the input again");
    }
  }
  return ReadDecpExactly(buf, source, sink, delivered);
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
  internal::JsonTree tree;
  tree.Build(record, /*unwrap_lists=*/true);
  DecpRecord r = ConvertJsonRecord(tree, format, concession, source, nullptr);
  r.position = 1;
  r.line = 1;
  return r;
}

}  // namespace limpide::formats
