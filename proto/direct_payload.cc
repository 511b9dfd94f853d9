#include "proto/direct_payload.h"

#include <cereal/cereal.hpp>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace redqueen::proto {
namespace {

static_assert(sizeof(TestStatus) == 1 && sizeof(cereal::size_type) == 8);

// index u32 | status u8 | duration u64 | no failures, empty skip message and
// crash (three u64 sizes) | output_begin u64 | output_end u64 | finished i64
constexpr size_t kPlainResultSize = 4 + 1 + 8 + 3 * 8 + 8 + 8 + 8;

/// Appends fixed-width fields and cereal's strings (a u64 size, then the
/// bytes). x86_64 and aarch64 are little-endian, as cereal writes them.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  template <class T>
  void Fixed(T value) {
    out_->append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void Text(std::string_view text) {
    Fixed(static_cast<cereal::size_type>(text.size()));
    out_->append(text);
  }

 private:
  std::string* out_;
};

/// Reads them back; every read fails rather than run past the payload.
class Reader {
 public:
  Reader(const char* data, size_t size) : at_(data), left_(size) {}
  template <class T>
  bool Fixed(T* value) {
    if (left_ < sizeof *value) return false;
    std::memcpy(value, at_, sizeof *value);
    at_ += sizeof *value;
    left_ -= sizeof *value;
    return true;
  }
  bool Text(std::string* text) {
    cereal::size_type size = 0;
    if (!Fixed(&size) || size > left_) return false;
    text->assign(at_, static_cast<size_t>(size));
    at_ += size;
    left_ -= static_cast<size_t>(size);
    return true;
  }
  size_t left() const { return left_; }

 private:
  const char* at_;
  size_t left_;
};

/// The fewest bytes a test takes in a list: an empty name, the same file,
/// a line and two empty parameters.
constexpr size_t kLeastTestBytes = 8 + 1 + 4 + 8 + 8;

}  // namespace

bool IsPlain(const Result& result) {
  return result.failures.empty() && result.skip_message.empty() && result.crash.empty();
}

void PutPlainResult(const Result& result, std::string* out) {
  Writer writer(out);
  writer.Fixed(result.index);
  writer.Fixed(result.status);
  writer.Fixed(result.duration_us);
  for (int empty = 0; empty < 3; ++empty) writer.Fixed(cereal::size_type{0});
  writer.Fixed(result.output_begin);
  writer.Fixed(result.output_end);
  writer.Fixed(result.finished_us);
}

bool GetPlainResult(const char* payload, size_t size, Result* result) {
  if (size != kPlainResultSize) return false;
  Reader reader(payload, size);
  uint8_t status = 0;
  cereal::size_type sizes[3] = {};
  reader.Fixed(&result->index);
  reader.Fixed(&status);
  reader.Fixed(&result->duration_us);
  for (cereal::size_type& field : sizes) reader.Fixed(&field);
  reader.Fixed(&result->output_begin);
  reader.Fixed(&result->output_end);
  reader.Fixed(&result->finished_us);
  if (status > static_cast<uint8_t>(kLastStatus) || sizes[0] || sizes[1] || sizes[2]) {
    return false;
  }
  result->status = static_cast<TestStatus>(status);
  return true;
}

void PutTestList(const TestList& list, std::string* out) {
  // TestList::save's layout: a file only where it changes.
  Writer writer(out);
  writer.Fixed(static_cast<cereal::size_type>(list.tests.size()));
  const std::string* previous_file = nullptr;
  for (const TestInfo& test : list.tests) {
    const bool same_file = previous_file && *previous_file == test.file;
    writer.Text(test.name);
    writer.Fixed(static_cast<uint8_t>(same_file));
    if (!same_file) writer.Text(test.file);
    writer.Fixed(test.line);
    writer.Text(test.type_param);
    writer.Text(test.value_param);
    previous_file = &test.file;
  }
}

bool GetTestList(const char* payload, size_t size, TestList* list) {
  Reader reader(payload, size);
  cereal::size_type count = 0;
  // No more tests than the payload could hold: nothing is reserved for a
  // count that the bytes do not back.
  if (!reader.Fixed(&count) || count > reader.left() / kLeastTestBytes) return false;
  list->tests.clear();
  list->tests.reserve(static_cast<size_t>(count));
  for (cereal::size_type i = 0; i < count; ++i) {
    TestInfo test;
    uint8_t same_file = 0;
    if (!reader.Text(&test.name) || !reader.Fixed(&same_file) || same_file > 1) {
      return false;
    }
    if (same_file) {
      if (list->tests.empty()) return false;
      test.file = list->tests.back().file;
    } else if (!reader.Text(&test.file)) {
      return false;
    }
    if (!reader.Fixed(&test.line) || !reader.Text(&test.type_param) ||
        !reader.Text(&test.value_param)) {
      return false;
    }
    list->tests.push_back(std::move(test));
  }
  return reader.left() == 0;
}

}  // namespace redqueen::proto
