// Reading a slice of a pawn's capture file (its stdout and stderr).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace redqueen::knight {

/// Reads [begin, end) of the file at `path`, clamped to its size. Past `cap`
/// bytes, keeps the first and last halves and puts in between a line saying
/// how many bytes were cut.
std::string ReadCapture(const std::string& path, uint64_t begin, uint64_t end,
                        size_t cap);

}  // namespace redqueen::knight
