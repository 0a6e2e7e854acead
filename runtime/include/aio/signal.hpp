// Waiting for a signal (asyncio's loop.add_signal_handler, as something to await).
//
//   int sig = co_await aio::wait_signal(SIGINT, SIGTERM);   // a server's clean stop
//
// While a task waits, the listed signals are caught (their previous dispositions are restored
// when it stops waiting, however it stops); the handler writes the signal number to a pipe that
// the loop reads like any other descriptor, so a signal on any thread, the pool's included, wakes
// the loop. One task at a time may wait for signals. (The signals are separate arguments rather
// than a braced list because g++ 12 cannot compile a braced list inside a co_await expression.)
#pragma once

#include <type_traits>
#include <vector>

#include "aio/task.hpp"

namespace aio {

namespace detail {
Task<int> wait_signal_impl(std::vector<int> signals);
}

// Returns the number of the first listed signal to arrive. Throws std::logic_error if another
// task is already waiting, std::system_error if a handler cannot be installed (SIGKILL, SIGSTOP).
template <class... More>
  requires(std::is_convertible_v<More, int> && ...)
Task<int> wait_signal(int signal, More... more) {
  return detail::wait_signal_impl(std::vector<int>{signal, static_cast<int>(more)...});
}

}  // namespace aio
