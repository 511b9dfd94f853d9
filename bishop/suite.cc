#include "bishop/suite.h"

#include <cstring>
#include <unordered_map>

namespace redqueen::bishop {
namespace {

/// Bumped whenever the layout below changes: an older blob is then ignored
/// and rewritten by the next run.
constexpr uint32_t kSuiteFormat = 1;

/// Fixed-width little-endian fields and length-prefixed strings. Hand-made
/// rather than cereal: a blob of 10,000 tests is read on every run, and
/// this reads it with a memcpy per field.
class Writer {
 public:
  template <class T>
  void Put(T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));  // x86_64 and aarch64: little-endian.
    out_.append(bytes, sizeof(T));
  }
  void Put(std::string_view text) {
    Put(static_cast<uint32_t>(text.size()));
    out_.append(text);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  template <class T>
  bool Get(T* value) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(value, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool Get(std::string* text) {
    uint32_t size = 0;
    if (!Get(&size) || in_.size() < size) return false;
    text->assign(in_.data(), size);
    in_.remove_prefix(size);
    return true;
  }
  bool AtEnd() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodeSuite(uint64_t list_hash, const std::vector<proto::TestInfo>& tests,
                        const std::vector<int64_t>& ids, const rook::History& history) {
  Writer out;
  out.Put(kSuiteFormat);
  out.Put(list_hash);
  // A test file holds many tests: each path is written once.
  std::unordered_map<std::string_view, uint32_t> file_index;
  std::vector<std::string_view> files;
  for (const proto::TestInfo& test : tests) {
    if (file_index.emplace(test.file, static_cast<uint32_t>(files.size())).second) {
      files.push_back(test.file);
    }
  }
  out.Put(static_cast<uint32_t>(files.size()));
  for (std::string_view file : files) out.Put(file);
  out.Put(static_cast<uint32_t>(tests.size()));
  for (size_t i = 0; i < tests.size(); ++i) {
    const proto::TestInfo& test = tests[i];
    out.Put(std::string_view(test.name));
    out.Put(file_index.at(test.file));
    out.Put(test.line);
    out.Put(std::string_view(test.type_param));
    out.Put(std::string_view(test.value_param));
    out.Put(ids.at(i));
    const rook::TestHistory none;
    const rook::TestHistory& h = i < history.size() ? history[i] : none;
    out.Put(h.passes);
    out.Put(static_cast<uint8_t>(h.failed_last));
    for (uint8_t p = 0; p < h.passes; ++p) out.Put(h.passing_us[p]);
  }
  return out.Take();
}

bool DecodeSuite(std::string_view blob, SuiteRecord* suite) {
  Reader in(blob);
  uint32_t format = 0;
  if (!in.Get(&format) || format != kSuiteFormat) return false;
  rook::Past& past = suite->past;
  uint32_t file_count = 0;
  if (!in.Get(&past.list_hash) || !in.Get(&file_count)) return false;
  // Each path is at least its 4-byte length: a damaged count cannot make
  // this allocate more than the blob's size.
  if (file_count > blob.size() / 4) return false;
  std::vector<std::string> files(file_count);
  for (std::string& file : files) {
    if (!in.Get(&file)) return false;
  }
  uint32_t count = 0;
  if (!in.Get(&count) || count > blob.size() / 4) return false;
  past.tests.resize(count);
  past.history.resize(count);
  suite->test_ids.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    proto::TestInfo& test = past.tests[i];
    rook::TestHistory& h = past.history[i];
    uint32_t file = 0;
    uint8_t failed_last = 0;
    if (!in.Get(&test.name) || !in.Get(&file) || file >= files.size() || !in.Get(&test.line) ||
        !in.Get(&test.type_param) || !in.Get(&test.value_param) ||
        !in.Get(&suite->test_ids[i]) || !in.Get(&h.passes) ||
        h.passes > rook::kRememberedPasses || !in.Get(&failed_last)) {
      return false;
    }
    test.file = files[file];
    h.failed_last = failed_last != 0;
    for (uint8_t p = 0; p < h.passes; ++p) {
      if (!in.Get(&h.passing_us[p])) return false;
    }
  }
  return in.AtEnd();
}

}  // namespace redqueen::bishop
