// cpu-offload: the lectures' CPU-bound vs I/O-bound point. `chunks` chunks of CPU-bound work,
// each `iterations` rounds of a 64-bit LCG (Knuth's MMIX constants) seeded by the chunk's index,
// run one after another (`inline`), on threads (`threads`) or in processes (`processes`).
// Each chunk's result is its final LCG state, checked against the closed form of the LCG's
// n-th power (computed by squaring, in microseconds), so no model can skip the work.
// There is no ideal: how much threads or processes help is what is measured.
#pragma once

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <thread>
#include <vector>

#include "common/workload.hpp"

namespace cpu_offload {

struct Params {
  int chunks = 4;
  std::uint64_t iterations = 160'000'000;  // the full profile's: about 0.2 s of one core per chunk
  std::string mode = "inline";

  explicit Params(wl::Workload& w) {
    w.option("--chunks", chunks, "how many chunks of work", wl::range(1, 1024));
    w.option("--iterations", iterations, "LCG rounds per chunk",
             wl::range(std::uint64_t{1}, std::uint64_t{1} << 40));
    w.option("--mode", mode, "where the chunks run",
             wl::one_of({"inline", "threads", "processes"}));
    w.parse();
    w.params()["chunks"] = chunks;
    w.params()["iterations"] = iterations;
    w.params()["mode"] = mode;
  }
};

// What one chunk reports: its result and how long it took where it ran.
struct ChunkResult {
  std::uint64_t checksum = 0;
  double wall_s = 0;  // from its start to its end (steady clock)
  double cpu_s = 0;   // CPU time of the thread that ran it
};

constexpr std::uint64_t lcg_a = 6364136223846793005u;
constexpr std::uint64_t lcg_c = 1442695040888963407u;

inline std::uint64_t seed(int chunk) { return static_cast<std::uint64_t>(chunk); }

inline double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The work: `iterations` dependent multiply-adds (one chain, so neither the compiler nor the CPU
// can take a shortcut), timed where it runs. Every model calls exactly this.
inline ChunkResult run_chunk(int chunk, std::uint64_t iterations) {
  const wl::Stopwatch clock;
  const double cpu0 = thread_cpu_seconds();
  std::uint64_t x = seed(chunk);
  for (std::uint64_t k = 0; k < iterations; ++k) x = x * lcg_a + lcg_c;
  return {x, clock.seconds(), thread_cpu_seconds() - cpu0};
}

// The same result without the loop: x -> a x + c applied n times is x -> A x + C, with (A, C)
// found by squaring (f o f: a^2 x + a c + c), as modular exponentiation does.
inline std::uint64_t expected_checksum(int chunk, std::uint64_t iterations) {
  std::uint64_t ra = 1, rc = 0, ba = lcg_a, bc = lcg_c;
  for (std::uint64_t n = iterations; n; n >>= 1) {
    if (n & 1) {
      rc = ba * rc + bc;
      ra = ba * ra;
    }
    bc = ba * bc + bc;
    ba = ba * ba;
  }
  return ra * seed(chunk) + rc;
}

// A model that lacks the requested mode stops here, before any work.
inline void require_mode(wl::Workload& w, const Params& p,
                         std::initializer_list<const char*> modes) {
  std::vector<std::string> offered(modes.begin(), modes.end());
  for (const auto& m : offered)
    if (m == p.mode) return;
  w.unsupported(w.model() + " offers mode " + wl::join(offered, ", ") + ", not " + p.mode);
}

// The checks and metrics every model reports.
inline void report(wl::Workload& w, const Params& p, const std::vector<ChunkResult>& results,
                   double elapsed_s) {
  w.elapsed(elapsed_s);
  w.check(results.size() == static_cast<std::size_t>(p.chunks), "not every chunk reported");
  double wall = 0, cpu = 0;
  std::vector<std::string> wrong;
  for (std::size_t i = 0; i < results.size(); ++i) {
    wall += results[i].wall_s;
    cpu += results[i].cpu_s;
    if (results[i].checksum != expected_checksum(static_cast<int>(i), p.iterations))
      wrong.push_back(std::to_string(i));
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const double n = static_cast<double>(std::max<std::size_t>(1, results.size()));
  w.metrics()["chunk_s"] = wall / n;
  w.metrics()["chunk_cpu_s"] = cpu / n;
  w.metrics()["cores"] = cores;
  w.check(wrong.empty(), "wrong checksum from chunk " + wl::join(wrong, ", "));
  // No run can beat perfect parallelism: the CPU time spent over the cores bounds it from below.
  w.check(elapsed_s >= 0.95 * cpu / cores, "finished faster than the cores could do the work");
}

}  // namespace cpu_offload
