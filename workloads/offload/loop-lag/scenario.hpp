// loop-lag: what "blocking the loop" costs. A ticker wants to run every `tick_ms` milliseconds on
// a fixed schedule (tick k is due at start + k × tick; a late tick does not push the next one
// back) while one blocking call of `block_s` lecture seconds runs (the lectures' blocking_io,
// time.sleep). mode=inline: the call runs on the event loop itself, and no tick can run until it
// returns; mode=offload: it runs on the model's thread pool (asyncio.to_thread) and the ticker
// keeps time. Measured: the lateness (actual − due) of every tick due while the call ran.
//
// Every model's ticker records each tick's due and actual times, and stops itself after the first
// tick due at or after the end of the call (the end is set once the call has returned), so every
// tick due during the call is recorded, however late.
//
// Times are CLOCK_MONOTONIC nanoseconds (steady_clock in libstdc++, uv_hrtime in libuv).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "common/workload.hpp"

namespace loop_lag {

using Ns = std::int64_t;

inline Ns now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The end of the call before it is known: no tick is due after it.
constexpr Ns not_yet = std::numeric_limits<Ns>::max();

struct Params {
  std::string mode = "offload";
  double block_s = 1.0;  // lecture seconds
  double tick_ms = 10;   // real milliseconds, not scaled

  explicit Params(wl::Workload& w) {
    w.option("--mode", mode, "inline: block the loop; offload: block a pool thread",
             wl::one_of({"inline", "offload"}));
    w.option("--block-s", block_s, "the blocking call, in lecture seconds", wl::positive);
    w.option("--tick-ms", tick_ms, "the ticker's period, in milliseconds (not scaled)",
             wl::positive);
    w.parse();
    w.params()["mode"] = mode;
    w.params()["block_s"] = block_s;
    w.params()["tick_ms"] = tick_ms;
  }

  bool offload() const { return mode == "offload"; }
  Ns tick_ns() const { return static_cast<Ns>(std::llround(tick_ms * 1e6)); }
};

// The lectures' blocking_io(): time.sleep, a call that holds its thread.
inline void blocking_call(std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }

struct Tick {
  Ns due;
  Ns at;
};

// Room for every tick the run can record, so that the ticker never allocates.
inline std::vector<Tick> tick_buffer(const wl::Workload& w, const Params& p) {
  std::vector<Tick> ticks;
  ticks.reserve(static_cast<std::size_t>(w.scaled(p.block_s).count() / p.tick_ns()) + 64);
  return ticks;
}

// The checks and metrics every model reports. `start`: the ticker's schedule origin (tick k is due
// at start + k × tick, k = 1, 2, ...); [t0, t1): the blocking call. `has_loop`: the model runs the
// ticker on an event loop that an inline call blocks (threads has none: its ticker has a thread of
// its own in both modes).
inline void report(wl::Workload& w, const Params& p, const std::vector<Tick>& ticks, Ns start,
                   Ns t0, Ns t1, bool has_loop) {
  const double block = p.block_s * w.time_scale();
  const double elapsed = double(t1 - t0) / 1e9;
  bool on_schedule = true;
  std::vector<double> lags_ms;
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    on_schedule = on_schedule && ticks[i].due == start + Ns(i + 1) * p.tick_ns();
    if (ticks[i].due >= t0 && ticks[i].due < t1)
      lags_ms.push_back(double(ticks[i].at - ticks[i].due) / 1e6);
  }
  std::sort(lags_ms.begin(), lags_ms.end());
  const std::size_t n = lags_ms.size();
  double mean = 0;
  for (double l : lags_ms) mean += l / double(n);
  const double worst = n ? lags_ms.back() : 0.0;
  // The nearest-rank 99th percentile.
  const double p99 = n ? lags_ms[std::size_t(std::ceil(0.99 * double(n))) - 1] : 0.0;
  // How many ticks were due in [t0, t1): every one must have been recorded, none skipped.
  const Ns first = (t0 - start + p.tick_ns() - 1) / p.tick_ns();
  const Ns after = (t1 - start + p.tick_ns() - 1) / p.tick_ns();
  const auto due = static_cast<std::size_t>(std::max<Ns>(0, after - std::max<Ns>(1, first)));

  w.elapsed(elapsed);
  w.metrics()["ideal_s"] = block;
  w.metrics()["worst_lag_ms"] = worst;
  w.metrics()["p99_lag_ms"] = p99;
  w.metrics()["mean_lag_ms"] = mean;
  w.metrics()["min_lag_ms"] = n ? lags_ms.front() : 0.0;
  w.metrics()["ticks"] = n;
  w.check(on_schedule, "the ticker left its fixed schedule");
  w.check(n == due, std::to_string(n) + " ticks recorded of the " + std::to_string(due) +
                        " due during the call");
  w.check(n >= 1, "no tick was due during the call");
  w.check(elapsed >= block * 0.99, "the blocking call returned early");
  if (has_loop && !p.offload())
    w.check(worst >= 0.8 * block * 1e3, "an inline call did not hold the ticker back (worst lag " +
                                            std::to_string(worst) + " ms)");
  else
    w.check(worst < 0.5 * block * 1e3,
            "the ticker was held back (worst lag " + std::to_string(worst) + " ms)");
}

}  // namespace loop_lag
