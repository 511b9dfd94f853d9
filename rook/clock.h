// Time as the Rook sees it: replaceable, so that tests control it.
#pragma once

#include <chrono>

namespace redqueen::rook {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace redqueen::rook
