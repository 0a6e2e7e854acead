// libuv for the `libuv` models: its timers in the units they take, and how early they may fire.
#pragma once

#include <uv.h>

#include <chrono>
#include <cmath>
#include <cstdint>

namespace wl::uv {

// libuv timers take whole milliseconds, counted on a loop clock (uv_now) that is truncated to the
// millisecond and read from CLOCK_MONOTONIC_COARSE where that clock is 1 ms coarse. A duration
// rounded up can therefore fire up to 2 ms before a precise clock says it is due: the workloads'
// "finished too early" checks allow libuv (and uvloop, which is libuv) this much.
inline constexpr double kClockResolutionS = 2e-3;

// `d` as a libuv timeout, rounded up so that no wait is short by libuv's own clock.
inline std::uint64_t timeout_ms(std::chrono::nanoseconds d) {
  return static_cast<std::uint64_t>(
      std::ceil(std::chrono::duration<double, std::milli>(d).count()));
}

}  // namespace wl::uv
