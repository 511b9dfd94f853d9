// Finding out what a test binary is, without running it.
#pragma once

#include <string>

namespace redqueen::queen {

enum class BinaryKind { kResidentPawn, kPlainGtest, kUnusable };

/// Reads the executable file and looks for the pawn library's marker. Never
/// starts the binary, so no test of an unmodified binary runs by accident.
/// On kUnusable, `*error` says what is wrong with the path.
BinaryKind ProbeBinary(const std::string& path, std::string* error);

}  // namespace redqueen::queen
