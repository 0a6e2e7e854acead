// as-completed: the lecture's asyncio.as_completed example. factorial(number) sleeps a second
// per multiplication (number - 1 of them) and returns (number, number!). Started for 4, 3, 5 and 2
// together, the results are taken as they complete: (2, 2) after 1 s, (3, 6) after 2 s, (4, 24)
// after 3 s, (5, 120) after 4 s. Computed in turn, they come in the order asked, after
// 3 + 2 + 4 + 1 = 10 s.
#pragma once

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/workload.hpp"

namespace as_completed {

// The lecture's inputs, in the order they are started.
inline constexpr std::array<int, 4> inputs{4, 3, 5, 2};

// What factorial returns: (number, number!).
using Result = std::pair<int, long>;

// No parameters of its own: the inputs are the lecture's.
struct Params {
  explicit Params(wl::Workload& w) { w.parse(); }
};

// A queue the threads that compute results push them into and the consuming thread pops them
// from, in the order they were pushed: how results reach the consumer as they complete when the
// workers are threads (concurrent.futures.as_completed wakes its waiter the same way).
template <class T>
class CompletionQueue {
 public:
  void push(T item) {
    {
      std::lock_guard lock(m_mutex);
      m_items.push_back(std::move(item));
    }
    m_cv.notify_one();
  }
  // Blocks until an item is there.
  T pop() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [this] { return !m_items.empty(); });
    T item = std::move(m_items.front());
    m_items.pop_front();
    return item;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<T> m_items;
};

// The results in the order they must arrive: completion order (fewest sleeps first) when the
// calls run concurrently, the order asked when they run in turn.
inline std::vector<Result> expected(bool concurrent) {
  std::vector<Result> out;
  for (int n : inputs) {
    long f = 1;
    for (int i = 2; i <= n; ++i) f *= i;
    out.emplace_back(n, f);
  }
  if (concurrent) std::sort(out.begin(), out.end());
  return out;
}

inline std::string show(const std::vector<Result>& rs) {
  std::vector<std::string> parts;
  for (const auto& [n, f] : rs)
    parts.push_back("(" + std::to_string(n) + ", " + std::to_string(f) + ")");
  return wl::join(parts);
}

// The checks and metrics every model reports. `arrived`: the results in the order the consumer
// got them.
inline void report(wl::Workload& w, const std::vector<Result>& arrived, double elapsed_s,
                   bool concurrent) {
  double sequential = 0, together = 0;
  for (int n : inputs) {
    sequential += n - 1;
    together = std::max<double>(together, n - 1);
  }
  sequential *= w.time_scale();
  together *= w.time_scale();
  const double ideal = concurrent ? together : sequential;
  std::vector<std::string> order;
  for (const auto& r : arrived) order.push_back(std::to_string(r.first));
  w.elapsed(elapsed_s);
  w.metrics()["ideal_s"] = ideal;
  w.metrics()["ideal_sequential_s"] = sequential;
  w.metrics()["ideal_concurrent_s"] = together;
  w.metrics()["order"] = wl::join(order);
  w.check(arrived == expected(concurrent),
          "results arrived as " + show(arrived) + ", expected " + show(expected(concurrent)));
  w.check_not_early(elapsed_s, ideal, "finished before the sleeps could");
}

// The lecture's factorial with a blocking sleep per step (time.sleep), as the models that block
// run it: sync, threads, threadpool and processes.
inline Result blocking_factorial(int number, std::chrono::nanoseconds second) {
  long result = 1;
  for (int i = 2; i <= number; ++i) {
    std::this_thread::sleep_for(second);
    result *= i;
  }
  return {number, result};
}

}  // namespace as_completed
