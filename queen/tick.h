// The clock of a run's event loop: the Rooks' deadlines (a test past
// --timeout, a listing that hangs) are checked on it, as is the status line.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace redqueen::queen {

/// How often: also how soon a test past its timeout is noticed.
inline constexpr auto kTickInterval = std::chrono::milliseconds(100);

/// Calls `tick` every kTickInterval until `timer` is cancelled.
inline void TickEvery(boost::asio::steady_timer& timer, std::function<void()> tick) {
  timer.expires_after(kTickInterval);
  timer.async_wait([&timer, tick = std::move(tick)](const boost::system::error_code& ec) {
    if (ec) return;
    tick();
    TickEvery(timer, tick);
  });
}

}  // namespace redqueen::queen
