// Bounds on what one result carries. A failure message can be as long as a
// test makes it (a container printed whole), but a frame is at most
// proto::kMaxFrameLength: past these bounds a message is cut, with a note,
// as output is, instead of making the whole result a protocol error.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "proto/messages.h"

namespace redqueen::pawn {

/// Bytes of one message kept (its head and tail), and of all of a result's.
inline constexpr size_t kMaxMessageBytes = 1 << 20;
inline constexpr size_t kMaxFailureBytes = 16 << 20;

/// `text` itself, or its head and tail with a line saying what was cut.
std::string CutText(std::string text, size_t cap = kMaxMessageBytes);

/// Cuts each message of `result`, and its failures past kMaxFailureBytes
/// into one that says how many were left out.
void FitResult(proto::Result* result);

}  // namespace redqueen::pawn
