// LineSplitter and Capture (child_output.h): a child's output, split into
// lines and copied into the capture file.
#include "pawn/child_output.h"

#include <unistd.h>

namespace redqueen::pawn {
namespace {

/// Output without a newline goes to the capture file in pieces of this size,
/// so that neither time nor memory grows with a line's length.
constexpr size_t kLongLine = 1 << 20;

}  // namespace

std::string& LineSplitter::buffer() {
  if (begin_ > 0) {
    buffer_.erase(0, begin_);
    scan_ -= begin_;
    begin_ = 0;
  }
  return buffer_;
}

bool LineSplitter::Next(std::string* piece, bool* whole) {
  const size_t newline = buffer_.find('\n', scan_);
  if (newline != std::string::npos) {
    piece->assign(buffer_, begin_, newline + 1 - begin_);
    begin_ = scan_ = newline + 1;
    *whole = true;
    return true;
  }
  scan_ = buffer_.size();
  if (buffer_.size() - begin_ <= kLongLine + keep_) return false;
  const size_t size = buffer_.size() - begin_ - keep_;
  piece->assign(buffer_, begin_, size);
  begin_ += size;
  *whole = false;
  return true;
}

bool LineSplitter::Rest(std::string* piece) {
  if (begin_ == buffer_.size()) return false;
  piece->assign(buffer_, begin_, std::string::npos);
  begin_ = scan_ = buffer_.size();
  return true;
}

Capture::Capture() {
  const off_t end = lseek(STDOUT_FILENO, 0, SEEK_END);
  written_ = end < 0 ? 0 : static_cast<uint64_t>(end);
}

void Capture::Write(const std::string& text) {
  pending_ += text;
  if (pending_.size() >= kGather) Flush();
}

void Capture::Flush() {
  size_t done = 0;
  while (done < pending_.size()) {
    const ssize_t n =
        write(STDOUT_FILENO, pending_.data() + done, pending_.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  written_ += done;
  pending_.clear();
}

}  // namespace redqueen::pawn
