// Only the pawn library compiles this file: the whole marker lives here.
#include "pawn/marker.h"

namespace redqueen {

const char* LinkPawnMarker() {
  // In a section of its own, which the Queen finds by name among the
  // section headers instead of searching megabytes of constants.
  [[gnu::used, gnu::section(".redqueen_pawn")]] static const char kMarker[] =
      "redqueen-resident-pawn:protocol-1:8d1f3b7a";
  return kMarker;
}

}  // namespace redqueen
