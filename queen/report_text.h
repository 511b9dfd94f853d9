// Words every report uses alike: how a binary and target are named, and the
// text of an execution's failures.
#pragma once

#include <string>

#include "bishop/store.h"

namespace redqueen::queen {

/// "x_test", or "x_test@chrome" for a --target.
std::string BinaryLabel(const std::string& binary, const std::string& target);

/// "file:line: message" of each failure (the message alone when there is no
/// file), then how the pawn died, a line each.
std::string FailureText(const bishop::RunExecution& execution);

}  // namespace redqueen::queen
