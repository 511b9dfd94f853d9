// What the exec pawn does with the bytes of a child's output: splits them
// into lines as they come (LineSplitter) and appends them to the capture
// file, its stdout (Capture).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace redqueen::pawn {

/// Splits a child's output into lines as it comes, in time linear in its
/// size; a line that grows past kLongLine without '\n' comes out in pieces,
/// each holding back the last `keep` bytes, where a status line that follows
/// unterminated output may begin.
class LineSplitter {
 public:
  explicit LineSplitter(size_t keep) : keep_(keep) {}

  /// Where the next output read goes.
  std::string& buffer();

  /// The next line (with its '\n'), or piece of a long one (`*whole`
  /// false); false when neither is there yet.
  bool Next(std::string* piece, bool* whole);

  /// A last line without '\n', at the end of the output.
  bool Rest(std::string* piece);

 private:
  size_t keep_;
  std::string buffer_;
  size_t begin_ = 0;
  size_t scan_ = 0;
};

/// Appends to the capture file (our stdout) and keeps its size. Writes are
/// gathered (a write per line cost ten times the test's own printing), and
/// flushed before the pawn waits or reports, so the Rook finds them there.
class Capture {
 public:
  Capture();
  ~Capture() { Flush(); }
  void Write(const std::string& text);
  void Flush();
  uint64_t offset() const { return written_ + pending_.size(); }

 private:
  static constexpr size_t kGather = 256 * 1024;
  uint64_t written_ = 0;
  std::string pending_;
};

}  // namespace redqueen::pawn
