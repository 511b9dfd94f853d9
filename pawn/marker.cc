#include "pawn/marker.h"

namespace redqueen {
namespace {

constexpr char kMarkerHead[] = "redqueen-resident-pawn";
constexpr char kMarkerTail[] = ":protocol-1:8d1f3b7a";

}  // namespace

std::string PawnMarker() { return std::string(kMarkerHead) + kMarkerTail; }

}  // namespace redqueen
