// The lecture scenarios of SPEC §3 at a 0.1 time scale: the order of events exactly, the elapsed
// time within generous bounds (e.g. count takes between 0.1 s and 0.2 s, never 0.3 s).
#include <chrono>
#include <string>
#include <thread>

#include "common.hpp"

using aio_test::Stopwatch;

class Lectures : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(Lectures);

namespace {

constexpr double scale = 0.1;
auto seconds(double s) { return std::chrono::duration<double>(s * scale); }

using Events = std::vector<std::string>;

// countasync.py
aio::Task<void> count(Events* ev) {
  ev->push_back("One");
  co_await aio::sleep(seconds(1));
  ev->push_back("Two");
}

aio::Task<void> say_after(Events* ev, double delay, std::string what) {
  co_await aio::sleep(seconds(delay));
  ev->push_back(what);
}

aio::Task<long> factorial(Events* ev, std::string name, int number) {
  long f = 1;
  for (int i = 2; i <= number; ++i) {
    ev->push_back("Task " + name + ": Compute factorial(" + std::to_string(i) + ")...");
    co_await aio::sleep(seconds(1));
    f *= i;
  }
  ev->push_back("Task " + name + ": factorial(" + std::to_string(number) + ") = " + std::to_string(f));
  co_return f;
}

aio::Task<std::pair<int, long>> factorial_of(int number) {
  long f = 1;
  for (int i = 2; i <= number; ++i) {
    co_await aio::sleep(seconds(1));
    f *= i;
  }
  co_return std::pair{number, f};
}

void blocking_io() { std::this_thread::sleep_for(seconds(1)); }

}  // namespace

TEST_P(Lectures, Count) {
  Events ev;
  Stopwatch sw;
  run([](Events* ev) -> aio::Task<void> { co_await aio::gather(count(ev), count(ev), count(ev)); }(&ev));
  const double t = sw.seconds();
  EXPECT_EQ(ev, (Events{"One", "One", "One", "Two", "Two", "Two"}));
  EXPECT_GE(t, 0.1);
  EXPECT_LT(t, 0.2);
}

TEST_P(Lectures, SayAfterAwaitedInTurn) {
  Events ev;
  Stopwatch sw;
  run([](Events* ev) -> aio::Task<void> {
    co_await say_after(ev, 1, "hello");
    co_await say_after(ev, 2, "world");
  }(&ev));
  const double t = sw.seconds();
  EXPECT_EQ(ev, (Events{"hello", "world"}));
  EXPECT_GE(t, 0.3);
  EXPECT_LT(t, 0.4);
}

TEST_P(Lectures, SayAfterAsTwoTasks) {
  Events ev;
  Stopwatch sw;
  run([](Events* ev) -> aio::Task<void> {
    auto task1 = aio::create_task(say_after(ev, 1, "hello"));
    auto task2 = aio::create_task(say_after(ev, 2, "world"));
    co_await task1;
    co_await task2;
  }(&ev));
  const double t = sw.seconds();
  EXPECT_EQ(ev, (Events{"hello", "world"}));
  EXPECT_GE(t, 0.2);
  EXPECT_LT(t, 0.3);
}

TEST_P(Lectures, GatherFactorial) {
  Events ev;
  Stopwatch sw;
  auto results = run([](Events* ev) -> aio::Task<std::tuple<long, long, long>> {
    co_return co_await aio::gather(factorial(ev, "A", 2), factorial(ev, "B", 3), factorial(ev, "C", 4));
  }(&ev));
  const double t = sw.seconds();
  EXPECT_EQ(results, std::make_tuple(2L, 6L, 24L));
  EXPECT_EQ(ev, (Events{
                    "Task A: Compute factorial(2)...",
                    "Task B: Compute factorial(2)...",
                    "Task C: Compute factorial(2)...",
                    "Task A: factorial(2) = 2",
                    "Task B: Compute factorial(3)...",
                    "Task C: Compute factorial(3)...",
                    "Task B: factorial(3) = 6",
                    "Task C: Compute factorial(4)...",
                    "Task C: factorial(4) = 24",
                }));
  EXPECT_GE(t, 0.3);
  EXPECT_LT(t, 0.45);
}

TEST_P(Lectures, AsCompleted) {
  std::vector<std::pair<int, long>> got;
  Stopwatch sw;
  run([](std::vector<std::pair<int, long>>* got) -> aio::Task<void> {
    std::vector<aio::Task<std::pair<int, long>>> ts;
    for (int n : {4, 3, 5, 2}) ts.push_back(factorial_of(n));
    for (auto next : aio::as_completed(std::move(ts))) got->push_back(co_await next);
  }(&got));
  const double t = sw.seconds();
  EXPECT_EQ(got, (std::vector<std::pair<int, long>>{{2, 2}, {3, 6}, {4, 24}, {5, 120}}));
  EXPECT_GE(t, 0.4);
  EXPECT_LT(t, 0.55);
}

TEST_P(Lectures, WaitFor) {
  Events ev;
  Stopwatch sw;
  run([](Events* ev) -> aio::Task<void> {
    auto eternity = [](Events* ev) -> aio::Task<void> {
      co_await aio::sleep(std::chrono::hours(1));
      ev->push_back("yay!");
    };
    try {
      co_await aio::wait_for(eternity(ev), seconds(1));
    } catch (const aio::TimeoutError&) {
      ev->push_back("timeout!");
    }
  }(&ev));
  const double t = sw.seconds();
  EXPECT_EQ(ev, (Events{"timeout!"}));
  EXPECT_GE(t, 0.1);
  EXPECT_LT(t, 0.2);
}

TEST_P(Lectures, BlockingOffloadInlineThenToThread) {
  double inline_s = 0, offloaded_s = 0;
  run([](double* in, double* off) -> aio::Task<void> {
    Stopwatch a;
    blocking_io();
    blocking_io();
    blocking_io();
    *in = a.seconds();
    Stopwatch b;
    co_await aio::gather(aio::to_thread(blocking_io), aio::to_thread(blocking_io),
                         aio::to_thread(blocking_io));
    *off = b.seconds();
  }(&inline_s, &offloaded_s));
  EXPECT_GE(inline_s, 0.3);
  EXPECT_LT(inline_s, 0.4);
  EXPECT_GE(offloaded_s, 0.1);
  EXPECT_LT(offloaded_s, 0.2);
}
