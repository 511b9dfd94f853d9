// The marker that tells the Queen, by reading the executable file and without
// running it, that a binary is a resident pawn.
#pragma once

#include <string>

namespace redqueen {

/// The marker string as it appears in a pawn's executable. Built at run time
/// from two halves so that only binaries linking the pawn library contain it
/// whole (redqueen itself must not look like a pawn).
std::string PawnMarker();

/// The ELF section that holds the marker in a pawn's executable.
inline constexpr char kPawnMarkerSection[] = ".redqueen_pawn";

/// Makes sure the marker is linked into the binary; called by pawn_main.
const char* LinkPawnMarker();

}  // namespace redqueen
