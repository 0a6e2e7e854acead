// Boost.Asio for the `asio` models. Boost 1.74's asio/awaitable.hpp uses std::exchange without
// including <utility>, which g++ 12's libstdc++ no longer pulls in by accident; include it first.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on

#include <exception>

namespace wl {

// The completion token with which the workloads co_spawn: an exception that escapes a spawned
// coroutine is rethrown out of io_context::run(), and the run is reported as failed. Asio's
// `detached` would drop it, and a broken run could print a time.
inline constexpr auto asio_rethrow = [](std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
};

}  // namespace wl
