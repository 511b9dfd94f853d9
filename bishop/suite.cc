#include "bishop/suite.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_map>

namespace redqueen::bishop {
namespace {

/// Bumped whenever the layout below changes. An older blob that cannot be
/// read as the new one is ignored and rewritten by the next run. Format 3 is
/// format 4 with each name and line written whole; format 2 is format 3
/// without the identity of what listed.
constexpr uint32_t kSuiteFormat = 4;
constexpr uint32_t kSuiteFormatWholeNames = 3;
constexpr uint32_t kSuiteFormatWithoutIdentity = 2;

/// Variable-length integers (7 bits a byte, LEB128) and length-prefixed
/// strings, after a fixed-width header. Hand-made rather than cereal: the
/// blob of a 10,000-test binary is read on every run and written at its
/// end, and its size is what the store commits and checkpoints; most of
/// its numbers (durations of short tests, id steps of 1) fit in a byte.
class Writer {
 public:
  void Fixed(uint32_t value) { Append(&value, sizeof value); }
  void Fixed(uint64_t value) { Append(&value, sizeof value); }
  void Varint(uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>(value | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }
  void Text(std::string_view text) {
    Varint(text.size());
    out_.append(text);
  }
  void Reserve(size_t size) { out_.reserve(size); }
  std::string Take() { return std::move(out_); }

 private:
  void Append(const void* bytes, size_t size) {
    // x86_64 and aarch64: little-endian.
    out_.append(static_cast<const char*>(bytes), size);
  }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  template <class T>
  bool Fixed(T* value) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(value, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool Varint(uint64_t* value) {
    *value = 0;
    for (int shift = 0; shift < 64 && !in_.empty(); shift += 7) {
      const auto byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      *value |= uint64_t{byte & 0x7fu} << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  /// A varint that must be below `limit`.
  template <class T>
  bool Varint(T* value, uint64_t limit) {
    uint64_t wide = 0;
    if (!Varint(&wide) || wide >= limit) return false;
    *value = static_cast<T>(wide);
    return true;
  }
  bool Text(std::string* text) {
    std::string_view view;
    if (!View(&view)) return false;
    text->assign(view);
    return true;
  }
  /// As Text, without copying: valid as long as the blob.
  bool View(std::string_view* text) {
    uint64_t size = 0;
    if (!Varint(&size) || size > in_.size()) return false;
    *text = in_.substr(0, size);
    in_.remove_prefix(size);
    return true;
  }
  bool AtEnd() const { return in_.empty(); }
  /// Bytes left: what bounds a count, so that a damaged one cannot make the
  /// reader allocate more than the blob could hold.
  size_t left() const { return in_.size(); }

 private:
  std::string_view in_;
};

/// Test ids mostly step by one: each is written as the signed step from the
/// one before, folded so that small steps either way are small numbers.
uint64_t Fold(int64_t step) {
  return (static_cast<uint64_t>(step) << 1) ^ static_cast<uint64_t>(step >> 63);
}
int64_t Unfold(uint64_t folded) {
  return static_cast<int64_t>(folded >> 1) ^ -static_cast<int64_t>(folded & 1);
}

/// How many leading bytes two names share.
size_t SharedPrefix(std::string_view a, std::string_view b) {
  const size_t most = std::min(a.size(), b.size());
  size_t n = 0;
  while (n < most && a[n] == b[n]) ++n;
  return n;
}

void WriteIdentity(Writer& out, const proto::ListingIdentity* listed_by) {
  out.Varint(listed_by ? 1 : 0);
  if (!listed_by) return;
  const proto::BinaryIdentity& binary = listed_by->binary;
  out.Varint(binary.device);
  out.Varint(binary.inode);
  out.Varint(binary.size);
  out.Fixed(static_cast<uint64_t>(binary.mtime_ns));
  out.Text(binary.content);
  out.Fixed(listed_by->context);
}

bool ReadIdentity(Reader& in, std::optional<proto::ListingIdentity>* listed_by) {
  uint32_t present = 0;
  if (!in.Varint(&present, 2)) return false;
  if (!present) return true;
  proto::ListingIdentity identity;
  proto::BinaryIdentity& binary = identity.binary;
  uint64_t mtime = 0;
  if (!in.Varint(&binary.device) || !in.Varint(&binary.inode) ||
      !in.Varint(&binary.size) || !in.Fixed(&mtime) || !in.Text(&binary.content) ||
      !in.Fixed(&identity.context)) {
    return false;
  }
  binary.mtime_ns = static_cast<int64_t>(mtime);
  *listed_by = std::move(identity);
  return true;
}

}  // namespace

std::string EncodeSuite(uint64_t list_hash, const std::vector<proto::TestInfo>& tests,
                        const std::vector<int64_t>& ids, const History& history,
                        const proto::ListingIdentity* listed_by) {
  Writer out;
  // About 14 bytes a trivial test and 2 a remembered pass: one allocation
  // rather than a dozen.
  out.Reserve(64 + tests.size() * (16 + 2 * kRememberedPasses));
  out.Fixed(kSuiteFormat);
  out.Fixed(list_hash);
  WriteIdentity(out, listed_by);
  // A test file holds many tests: each path is written once. Tests come
  // file by file, so most take the file of the test before, unhashed.
  std::unordered_map<std::string_view, uint32_t> file_index;
  std::vector<std::string_view> files;
  std::vector<uint32_t> file_of;
  file_of.reserve(tests.size());
  for (const proto::TestInfo& test : tests) {
    if (!file_of.empty() && files[file_of.back()] == test.file) {
      file_of.push_back(file_of.back());
      continue;
    }
    const auto [it, added] =
        file_index.emplace(test.file, static_cast<uint32_t>(files.size()));
    if (added) files.push_back(test.file);
    file_of.push_back(it->second);
  }
  out.Varint(files.size());
  for (std::string_view file : files) out.Text(file);
  out.Varint(tests.size());
  // A name mostly repeats the one before it (its suite, a common stem) and
  // a line follows the one before: written as what differs, they make the
  // blob that every run reads, writes and checkpoints less than half as
  // long (10,000 trivial tests: 289 kB, 134 kB).
  std::string_view previous_name;
  int64_t previous_line = 0;
  int64_t previous_id = 0;
  for (size_t i = 0; i < tests.size(); ++i) {
    const proto::TestInfo& test = tests[i];
    const size_t shared = SharedPrefix(previous_name, test.name);
    out.Varint(shared);
    out.Text(std::string_view(test.name).substr(shared));
    previous_name = test.name;
    out.Varint(file_of[i]);
    out.Varint(Fold(int64_t{test.line} - previous_line));
    previous_line = test.line;
    out.Text(test.type_param);
    out.Text(test.value_param);
    out.Varint(Fold(ids.at(i) - previous_id));
    previous_id = ids[i];
    const TestHistory none;
    const TestHistory& h = i < history.size() ? history[i] : none;
    out.Varint(h.passes * 2u + h.failed_last);
    for (uint8_t p = 0; p < h.passes; ++p) out.Varint(h.passing_us[p]);
  }
  return out.Take();
}

bool DecodeSuite(std::string_view blob, SuiteRecord* suite) {
  Reader in(blob);
  uint32_t format = 0;
  Past& past = suite->past;
  if (!in.Fixed(&format) || format < kSuiteFormatWithoutIdentity ||
      format > kSuiteFormat || !in.Fixed(&past.list_hash) ||
      (format >= kSuiteFormatWholeNames && !ReadIdentity(in, &suite->listed_by))) {
    return false;
  }
  const bool whole = format <= kSuiteFormatWholeNames;
  // Each path takes at least its length's byte.
  size_t file_count = 0;
  if (!in.Varint(&file_count, in.left() + 1)) return false;
  std::vector<std::string> files(file_count);
  for (std::string& file : files) {
    if (!in.Text(&file)) return false;
  }
  // Each test takes at least 7 bytes (its name's length, file, line, two
  // parameters' lengths, id step, outcome), and one more in format 4 (the
  // length of the name's shared prefix).
  size_t count = 0;
  if (!in.Varint(&count, in.left() / (whole ? 7 : 8) + 1)) return false;
  past.tests.resize(count);
  past.history.resize(count);
  suite->test_ids.resize(count);
  int64_t previous_line = 0;
  int64_t previous_id = 0;
  std::string_view rest;
  for (size_t i = 0; i < count; ++i) {
    proto::TestInfo& test = past.tests[i];
    TestHistory& h = past.history[i];
    size_t shared = 0;
    size_t file = 0;
    uint64_t line = 0;
    uint64_t id_step = 0;
    uint32_t outcome = 0;
    const std::string* previous_name = i > 0 ? &past.tests[i - 1].name : nullptr;
    if ((!whole && !in.Varint(&shared, previous_name ? previous_name->size() + 1 : 1)) ||
        !in.View(&rest) || !in.Varint(&file, files.size()) || !in.Varint(&line) ||
        !in.Text(&test.type_param) || !in.Text(&test.value_param) ||
        !in.Varint(&id_step) || !in.Varint(&outcome, 2 * kRememberedPasses + 2)) {
      return false;
    }
    test.name.clear();  // A record decoded into again holds an old list.
    test.name.reserve(shared + rest.size());
    if (shared > 0) test.name.append(*previous_name, 0, shared);
    test.name += rest;
    test.file = files[file];
    if (whole) {
      if (line > UINT32_MAX) return false;
      test.line = static_cast<int32_t>(static_cast<uint32_t>(line));
    } else {
      // A step between two int32 lines fits in 33 bits; more is corrupt
      // (and could overflow the sum).
      if (line > (uint64_t{1} << 34)) return false;
      const int64_t line_number = previous_line + Unfold(line);
      if (line_number < INT32_MIN || line_number > INT32_MAX) return false;
      test.line = static_cast<int32_t>(line_number);
    }
    previous_line = test.line;
    // Unsigned: a corrupt step wraps instead of overflowing.
    previous_id = static_cast<int64_t>(static_cast<uint64_t>(previous_id) +
                                       static_cast<uint64_t>(Unfold(id_step)));
    suite->test_ids[i] = previous_id;
    h.passes = static_cast<uint8_t>(outcome / 2);
    h.failed_last = outcome % 2 != 0;
    for (uint8_t p = 0; p < h.passes; ++p) {
      if (!in.Varint(&h.passing_us[p])) return false;
    }
  }
  return in.AtEnd();
}

}  // namespace redqueen::bishop
