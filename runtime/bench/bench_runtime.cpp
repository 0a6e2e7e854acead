// aio's micro-benchmarks (Google Benchmark): the cost of the runtime's basic operations on each
// backend. Not a comparison between models (that is the asyncbench harness); these measure aio
// against itself, so that a change to the runtime shows up here first.
//
// Names follow Google Benchmark's habit, `<what>/backend:<epoll|io_uring>`.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <random>

#include <aio/aio.hpp>
#include <aio/detail/timer_heap.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

using namespace std::chrono_literals;

namespace {

aio::Task<int> immediate(int v) { co_return v; }
aio::Task<void> nothing() { co_return; }

// VmRSS of this process, in KiB.
long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// co_await of a coroutine that completes at once: the symmetric-transfer round trip.
void inline_await(benchmark::State& state, aio::Backend b) {
  aio::run([](benchmark::State& st) -> aio::Task<void> {
    long sum = 0;
    for (auto _ : st) sum += co_await immediate(1);
    benchmark::DoNotOptimize(sum);
  }(state), b);
  state.SetItemsProcessed(state.iterations());
}

// create_task + co_await of a task that completes on its first step: spawning a task, one loop
// turn to start it, and the wakeup of its awaiter.
void spawn_complete(benchmark::State& state, aio::Backend b) {
  aio::run([](benchmark::State& st) -> aio::Task<void> {
    for (auto _ : st) {
      auto t = aio::create_task(nothing());
      co_await t;
    }
  }(state), b);
  state.SetItemsProcessed(state.iterations());
}

// The same in batches of 1,000 gathered together: the per-task cost when the loop has many ready.
void spawn_complete_batch(benchmark::State& state, aio::Backend b) {
  aio::run([](benchmark::State& st) -> aio::Task<void> {
    for (auto _ : st) {
      std::vector<aio::Task<void>> ts;
      ts.reserve(1000);
      for (int i = 0; i < 1000; ++i) ts.push_back(nothing());
      co_await aio::gather(std::move(ts));
    }
  }(state), b);
  state.SetItemsProcessed(state.iterations() * 1000);
}

// sleep(0): one task yielding to the loop and being resumed on the next turn.
void sleep0_round_trip(benchmark::State& state, aio::Backend b) {
  aio::run([](benchmark::State& st) -> aio::Task<void> {
    for (auto _ : st) co_await aio::sleep(0s);
  }(state), b);
  state.SetItemsProcessed(state.iterations());
}

// Heap bytes in use (malloc's view; frames parked in aio's frame cache count as in use).
long heap_bytes() { return static_cast<long>(mallinfo2().uordblks); }

// The timer heap alone, with 1,000,000 timers pending: one push and one pop of the earliest.
void timer_heap_push_pop_at_1M(benchmark::State& state) {
  constexpr std::size_t n = 1'000'000;
  std::vector<aio::detail::TimerNode> nodes(n + 1);
  std::mt19937_64 rng(1);
  aio::detail::TimerHeap heap;
  for (std::size_t i = 0; i < n; ++i) {
    nodes[i].deadline_ns = static_cast<std::int64_t>(rng() % 1'000'000'000);
    heap.push(&nodes[i]);
  }
  std::int64_t t = 1'000'000'000;
  for (auto _ : state) {
    aio::detail::TimerNode* top = heap.top();
    heap.pop();
    top->deadline_ns = t++;  // re-armed later than everything: the steady state of a busy loop
    heap.push(top);
  }
  state.SetItemsProcessed(state.iterations());
}

// A sleeping task cancelled and awaited while 100,000 other tasks sleep: create_task, arming and
// removing its timer in a heap of 100k, and the CancelledError thrown in the task and rethrown
// to the awaiter (two C++ throws, which dominate).
void cancel_sleeping_task_at_100k(benchmark::State& state, aio::Backend b) {
  aio::run([](benchmark::State& st) -> aio::Task<void> {
    std::vector<aio::Task<void>> sleepers;
    for (int i = 0; i < 100'000; ++i)
      sleepers.push_back(aio::create_task([]() -> aio::Task<void> { co_await aio::sleep(1h); }()));
    co_await aio::sleep(0s);
    for (auto _ : st) {
      auto t = aio::create_task([]() -> aio::Task<void> { co_await aio::sleep(1h); }());
      co_await aio::sleep(0s);  // t arms its timer
      t.cancel();
      try {
        co_await t;
      } catch (const aio::CancelledError&) {
      }
    }
    for (auto& s : sleepers) s.cancel();
    co_await aio::gather(aio::return_exceptions, std::move(sleepers));
  }(state), b);
  state.SetItemsProcessed(state.iterations());
}

// to_thread of a function that returns at once: the pool hand-off and the loop's wakeup.
void to_thread_round_trip(benchmark::State& state, aio::Backend b) {
  aio::run([](benchmark::State& st) -> aio::Task<void> {
    for (auto _ : st) benchmark::DoNotOptimize(co_await aio::to_thread(+[] { return 1; }));
  }(state), b);
  state.SetItemsProcessed(state.iterations());
}

// N tasks each sleeping 200 ms at once. Reports the memory per task two ways: heap bytes in use
// (valid in any process) and VmRSS growth (meaningful only in a fresh process, i.e. with
// --benchmark_filter=sleeping_tasks/backend:X alone: memory freed by earlier benchmarks is reused
// without growing RSS), and the time from the first create_task to the last wakeup beyond 200 ms.
void sleeping_tasks(benchmark::State& state, aio::Backend b) {
  const long n = state.range(0);
  for (auto _ : state) {
    long rss_before = 0, rss_during = 0, heap_before = 0, heap_during = 0;
    const auto t0 = std::chrono::steady_clock::now();
    aio::run([](long n, long* rb, long* rd, long* hb, long* hd) -> aio::Task<void> {
      std::vector<aio::Task<void>> ts;
      ts.reserve(n);  // the handles' vector is not per-task cost: reserve before measuring
      *rb = rss_kib();
      *hb = heap_bytes();
      for (long i = 0; i < n; ++i)
        ts.push_back(aio::create_task([]() -> aio::Task<void> { co_await aio::sleep(200ms); }()));
      co_await aio::sleep(50ms);  // every task has started and armed its timer
      *rd = rss_kib();
      *hd = heap_bytes();
      co_await aio::gather(std::move(ts));
    }(n, &rss_before, &rss_during, &heap_before, &heap_during), b);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(s);
    state.counters["heap_per_task_B"] = double(heap_during - heap_before) / double(n);
    state.counters["rss_per_task_B"] = double(rss_during - rss_before) * 1024.0 / double(n);
    state.counters["overhead_ms"] = (s - 0.200) * 1e3;
  }
  state.SetItemsProcessed(state.iterations() * n);
}

bool io_uring_available() {
  try {
    aio::run(nothing(), aio::Backend::io_uring);
    return true;
  } catch (const std::system_error&) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::vector<aio::Backend> backends{aio::Backend::epoll};
  if (io_uring_available())
    backends.push_back(aio::Backend::io_uring);
  else
    std::fprintf(stderr, "aio_bench: io_uring is not available here; epoll only\n");
  benchmark::RegisterBenchmark("timer_heap_push_pop_at_1M", timer_heap_push_pop_at_1M);
  for (aio::Backend b : backends) {
    const std::string suffix = "/backend:" + std::string(aio::to_string(b));
    benchmark::RegisterBenchmark(("inline_await" + suffix).c_str(), inline_await, b);
    benchmark::RegisterBenchmark(("spawn_complete" + suffix).c_str(), spawn_complete, b);
    benchmark::RegisterBenchmark(("spawn_complete_batch1000" + suffix).c_str(), spawn_complete_batch, b);
    benchmark::RegisterBenchmark(("sleep0_round_trip" + suffix).c_str(), sleep0_round_trip, b);
    benchmark::RegisterBenchmark(("cancel_sleeping_task_at_100k" + suffix).c_str(), cancel_sleeping_task_at_100k, b);
    benchmark::RegisterBenchmark(("to_thread_round_trip" + suffix).c_str(), to_thread_round_trip, b);
    benchmark::RegisterBenchmark(("sleeping_tasks" + suffix).c_str(), sleeping_tasks, b)
        ->Arg(100'000)
        ->UseManualTime()
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
