// libuv for the `libuv` models: a checked loop, its timers in the units they take, and how early
// they may fire. As common/asio.hpp is for Asio: every program's libuv set-up goes through here,
// so none of them can leave a failed uv_loop_init unchecked.
#pragma once

#include <uv.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace wl::uv {

// libuv timers take whole milliseconds, counted on a loop clock (uv_now) that is truncated to the
// millisecond and read from CLOCK_MONOTONIC_COARSE where that clock is 1 ms coarse. A duration
// rounded up can therefore fire up to 2 ms before a precise clock says it is due: the registry
// (workloads/models.json) declares that timer_resolution_s for libuv and uvloop, and the
// workloads' "finished before its sleeps could" checks (Workload::check_not_early) allow it.

// Throws std::runtime_error "<what>: <libuv's message>" when a libuv call returned an error.
inline void check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string(what) + ": " + uv_strerror(rc));
}

// A loop of the program's own (uv_loop_init, checked), closed by close(): which throws
// std::logic_error if a handle is still open (a bug in the program: it would leak it), as
// uv_loop_close reports with UV_EBUSY. The destructor closes a loop that close() did not
// (after an exception), ignoring what is left open then.
class Loop {
 public:
  Loop() { check(uv_loop_init(&m_loop), "uv_loop_init"); }
  ~Loop() {
    if (!m_closed) uv_loop_close(&m_loop);
  }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  uv_loop_t* get() noexcept { return &m_loop; }
  operator uv_loop_t*() noexcept { return &m_loop; }
  // uv_run(UV_RUN_DEFAULT): returns when no handle or request is active.
  void run() { uv_run(&m_loop, UV_RUN_DEFAULT); }
  void close() {
    m_closed = true;
    if (uv_loop_close(&m_loop) != 0) throw std::logic_error("uv_loop_close: a handle is still open");
  }

 private:
  uv_loop_t m_loop{};
  bool m_closed = false;
};

// `d` as a libuv timeout, rounded up so that no wait is short by libuv's own clock.
inline std::uint64_t timeout_ms(std::chrono::nanoseconds d) {
  return static_cast<std::uint64_t>(
      std::ceil(std::chrono::duration<double, std::milli>(d).count()));
}

}  // namespace wl::uv
