// sleep: durations, yields, ordering, cancellation, and many timers at once.
#include <algorithm>
#include <random>

#include "aio/detail/timer_heap.hpp"
#include "common.hpp"

using aio_test::Stopwatch;

class SleepTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(SleepTest);

TEST_P(SleepTest, SleepsAtLeastTheDuration) {
  Stopwatch sw;
  run([]() -> aio::Task<void> { co_await aio::sleep(50ms); }());
  EXPECT_GE(sw.seconds(), 0.050);
  EXPECT_LT(sw.seconds(), 1.0);
}

TEST_P(SleepTest, AcceptsAnyDurationType) {
  Stopwatch sw;
  run([]() -> aio::Task<void> {
    co_await aio::sleep(std::chrono::duration<double>(0.01));
    co_await aio::sleep(std::chrono::microseconds(5000));
    co_await aio::sleep(std::chrono::duration<float, std::milli>(5.0f));
    co_await aio::sleep(std::chrono::minutes(0));
    co_await aio::sleep(-1s);  // negative: a yield
  }());
  EXPECT_GE(sw.seconds(), 0.020);
}

TEST_P(SleepTest, SleepZeroIsAPureYield) {
  run([]() -> aio::Task<void> {
    std::vector<std::string> ev;
    auto worker = [](std::vector<std::string>* ev, std::string name) -> aio::Task<void> {
      for (int i = 0; i < 3; ++i) {
        ev->push_back(name + std::to_string(i));
        co_await aio::sleep(0s);
      }
    };
    co_await aio::gather(worker(&ev, "a"), worker(&ev, "b"));
    EXPECT_EQ(ev, (std::vector<std::string>{"a0", "b0", "a1", "b1", "a2", "b2"}));
  }());
}

TEST_P(SleepTest, WakesInDeadlineOrder) {
  run([]() -> aio::Task<void> {
    std::vector<int> order;
    auto s = [](std::vector<int>* o, int ms) -> aio::Task<void> {
      co_await aio::sleep(std::chrono::milliseconds(ms));
      o->push_back(ms);
    };
    co_await aio::gather(s(&order, 30), s(&order, 10), s(&order, 20), s(&order, 0));
    EXPECT_EQ(order, (std::vector<int>{0, 10, 20, 30}));
  }());
}

TEST_P(SleepTest, CancelledSleepRemovesItsTimer) {
  // If the timer stayed armed, the loop would either touch a dead frame (ASan) or wait an hour.
  Stopwatch sw;
  run([]() -> aio::Task<void> {
    auto t = aio::create_task([]() -> aio::Task<void> { co_await aio::sleep(1h); }());
    co_await aio::sleep(1ms);
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
  }());
  EXPECT_LT(sw.seconds(), 5.0);
}

TEST_P(SleepTest, PendingCancellationIsThrownAtTheNextSleep) {
  run([]() -> aio::Task<void> {
    std::vector<std::string> ev;
    auto self_cancel = [](std::vector<std::string>* ev, aio::Task<void>* me) -> aio::Task<void> {
      me->cancel();  // while running: delivered at the next suspension point
      ev->push_back("still running");
      try {
        co_await aio::sleep(0s);
      } catch (const aio::CancelledError&) {
        ev->push_back("cancelled at sleep(0)");
        throw;
      }
    };
    aio::Task<void> t;
    t = aio::create_task(self_cancel(&ev, &t));
    EXPECT_THROW(co_await t, aio::CancelledError);
    EXPECT_EQ(ev, (std::vector<std::string>{"still running", "cancelled at sleep(0)"}));
  }());
}

TEST_P(SleepTest, HundredThousandConcurrentSleepsAllComplete) {
  constexpr int n = 100'000;
  Stopwatch sw;
  const long done = run([]() -> aio::Task<long> {
    long count = 0;
    std::vector<aio::Task<void>> tasks;
    tasks.reserve(n);
    for (int i = 0; i < n; ++i)
      tasks.push_back([](long* c) -> aio::Task<void> {
        co_await aio::sleep(50ms);
        ++*c;
      }(&count));
    co_await aio::gather(std::move(tasks));
    co_return count;
  }());
  EXPECT_EQ(done, n);
  EXPECT_GE(sw.seconds(), 0.050);
  EXPECT_LT(sw.seconds(), 30.0);  // generous: sanitizers and a loaded CI machine
}

TEST_P(SleepTest, SleepConvertsToATask) {
  run([]() -> aio::Task<void> {
    std::vector<aio::Task<void>> v;
    v.push_back(aio::sleep(1ms));
    v.push_back(aio::sleep(2ms));
    co_await aio::gather(std::move(v));
  }());
}

// The timer heap on its own: a million timers, a random half removed, the rest in order.
TEST(TimerHeap, MillionTimersPopInOrderAfterRandomRemovals) {
  constexpr std::size_t n = 1'000'000;
  std::vector<aio::detail::TimerNode> nodes(n);
  std::mt19937_64 rng(42);
  aio::detail::TimerHeap heap;
  for (auto& node : nodes) {
    node.deadline_ns = static_cast<std::int64_t>(rng() % 1'000'000);
    heap.push(&node);
  }
  ASSERT_EQ(heap.size(), n);
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng);
  for (std::size_t i = 0; i < n / 2; ++i) heap.remove(&nodes[idx[i]]);
  for (std::size_t i = 0; i < n / 2; ++i) ASSERT_FALSE(nodes[idx[i]].armed());
  ASSERT_EQ(heap.size(), n - n / 2);
  std::int64_t last_deadline = -1;
  std::uint64_t last_seq = 0;
  while (auto* t = heap.top()) {
    ASSERT_TRUE(t->deadline_ns > last_deadline || (t->deadline_ns == last_deadline && t->seq > last_seq));
    last_deadline = t->deadline_ns;
    last_seq = t->seq;
    heap.pop();
    ASSERT_FALSE(t->armed());
  }
}

TEST(TimerHeap, EqualDeadlinesFireInArmingOrder) {
  aio::detail::TimerNode a, b, c;
  a.deadline_ns = b.deadline_ns = c.deadline_ns = 5;
  aio::detail::TimerHeap heap;
  heap.push(&a);
  heap.push(&b);
  heap.push(&c);
  heap.remove(&b);
  heap.push(&b);
  EXPECT_EQ(heap.top(), &a);
  heap.pop();
  EXPECT_EQ(heap.top(), &c);
  heap.pop();
  EXPECT_EQ(heap.top(), &b);
}
