// Only the pawn library compiles this file: the whole marker lives here.
#include "pawn/marker.h"

namespace redqueen {

const char* LinkPawnMarker() {
  [[gnu::used]] static const char kMarker[] =
      "redqueen-resident-pawn:protocol-1:8d1f3b7a";
  return kMarker;
}

}  // namespace redqueen
