// The load client every echo server is measured with (one implementation for every model).
//
// C connections, each sending messages of S bytes and reading the whole echo back; every byte is
// checked against the pattern it was sent with. Two ways to drive them:
//   - closed loop (rate 0): each connection sends its next message as soon as the previous echo
//     is complete; latency is timed from the send;
//   - open loop (rate R, wrk2's idea): requests are due at a fixed rate over all connections;
//     a request due while its connection is still waiting for an earlier echo is queued, and its
//     latency is timed from when it was due, not from when it could be sent, so that a stalled
//     server cannot hide its stall (no coordinated omission).
// A warm-up runs first; the measured window counts requests due (open) or sent (closed) inside
// it. Latencies go into a LogHistogram. With a server pid, the server's CPU time (that process
// and its descendants, from their CPU-time clocks) over the window gives CPU per request.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "histogram.hpp"

namespace asyncbench {

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 16;
  std::size_t size = 64;
  double duration_s = 2.0;
  double warmup_s = 0.5;
  double rate = 0;       // requests per second over all connections; 0: closed loop
  double drain_s = 2.0;  // open loop: how long to wait after the window for its late echoes
  pid_t server_pid = 0;  // 0: the server's CPU is not measured
  // > 0: a counted run: each connection makes exactly this many requests (closed loop, no
  // warm-up, no time window) and then closes; the run ends when every connection has.
  std::uint64_t requests = 0;
};

struct LoadResult {
  std::string error;  // non-empty: the run failed (a wrong byte, no connection, ...)
  double window_s = 0;
  std::uint64_t requests = 0;        // completed, inside the window
  std::uint64_t requests_total = 0;  // completed, warm-up included
  std::uint64_t errors = 0;          // connections reset or closed by the server
  std::uint64_t unfinished = 0;      // open loop: due in the window, no echo by the drain's end
  int stalled_connections = 0;       // connections with no echo completed in the window
  LogHistogram latency;              // ns
  double server_cpu_s = -1;          // over the window; -1: not measured
  double client_cpu_s = 0;           // this process, over the window
};

LoadResult run_echo_load(const LoadOptions& opts);

}  // namespace asyncbench
