// to_thread: blocking calls on the pool, results, exceptions, parallelism, cancellation.
// Like every runtime test, these also run under ThreadSanitizer (make test-tsan).
#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>

#include "common.hpp"

using aio_test::Stopwatch;

class ToThreadTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(ToThreadTest);

namespace {

int twice(int x) { return 2 * x; }
void blocking_100ms() { std::this_thread::sleep_for(100ms); }
std::thread::id thread_id() { return std::this_thread::get_id(); }

}  // namespace

TEST_P(ToThreadTest, PlainFunctionPointerWithArguments) {
  EXPECT_EQ(run(aio::to_thread(twice, 21)), 42);
  EXPECT_EQ(run(aio::to_thread(&twice, 4)), 8);
}

TEST_P(ToThreadTest, NamedLambdaAndMoveOnlyArgument) {
  run([]() -> aio::Task<void> {
    auto add = [](std::unique_ptr<int> p, int y) { return *p + y; };
    int r = co_await aio::to_thread(add, std::make_unique<int>(5), 6);
    EXPECT_EQ(r, 11);
    int captured = 9;
    auto read = [captured] { return captured; };
    EXPECT_EQ(co_await aio::to_thread(read), 9);
  }());
}

TEST_P(ToThreadTest, RunsOnAnotherThread) {
  run([]() -> aio::Task<void> {
    auto id = co_await aio::to_thread(thread_id);
    EXPECT_NE(id, std::this_thread::get_id());
  }());
}

TEST_P(ToThreadTest, ExceptionsComeBack) {
  auto thrower = [] { throw std::out_of_range("from the pool"); };
  EXPECT_THROW(run(aio::to_thread(thrower)), std::out_of_range);
}

TEST_P(ToThreadTest, ThreeBlockingCallsRunInParallel) {
  Stopwatch sw;
  run([]() -> aio::Task<void> {
    co_await aio::gather(aio::to_thread(blocking_100ms), aio::to_thread(blocking_100ms),
                         aio::to_thread(blocking_100ms));
  }());
  EXPECT_GE(sw.seconds(), 0.100);
  EXPECT_LT(sw.seconds(), 0.250);
}

TEST_P(ToThreadTest, TheLoopKeepsRunningDuringABlockingCall) {
  run([]() -> aio::Task<void> {
    int ticks = 0;
    auto ticker = [](int* t) -> aio::Task<void> {
      for (;;) {
        co_await aio::sleep(5ms);
        ++*t;
      }
    };
    auto tk = aio::create_task(ticker(&ticks));
    co_await aio::to_thread(blocking_100ms);
    tk.cancel();
    EXPECT_GE(ticks, 5);  // ~20 expected; a blocked loop would give 0
  }());
}

TEST_P(ToThreadTest, ManySmallJobs) {
  run([]() -> aio::Task<void> {
    std::vector<aio::Task<int>> ts;
    for (int i = 0; i < 1000; ++i) ts.push_back(aio::to_thread(twice, i));
    auto r = co_await aio::gather(std::move(ts));
    long sum = 0;
    for (int v : r) sum += v;
    EXPECT_EQ(sum, 999L * 1000L);
  }());
}

TEST_P(ToThreadTest, CancellingAQueuedCallTakesItBack) {
  Stopwatch sw;
  run([]() -> aio::Task<void> {
    const unsigned size = aio::detail::ThreadPool::default_size();
    std::atomic<bool> release{false};
    auto hold = [&release] {
      while (!release.load()) std::this_thread::sleep_for(1ms);
    };
    std::vector<aio::Task<void>> busy;
    for (unsigned i = 0; i < size; ++i) busy.push_back(aio::create_task(aio::to_thread(hold)));
    co_await aio::sleep(20ms);  // every worker is now inside hold()
    std::atomic<bool> ran{false};
    auto mark = [&ran] { ran = true; };
    auto queued = aio::create_task(aio::to_thread(mark));
    co_await aio::sleep(5ms);
    queued.cancel();
    EXPECT_THROW(co_await queued, aio::CancelledError);
    release = true;
    co_await aio::gather(std::move(busy));
    EXPECT_FALSE(ran.load());
  }());
  EXPECT_LT(sw.seconds(), 5.0);
}

TEST_P(ToThreadTest, CancellingARunningCallWaitsForItThenThrows) {
  run([]() -> aio::Task<void> {
    std::atomic<bool> finished{false};
    auto slow = [&finished] {
      std::this_thread::sleep_for(50ms);
      finished = true;
      return 1;
    };
    auto t = aio::create_task(aio::to_thread(slow));
    co_await aio::sleep(10ms);
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
    EXPECT_TRUE(finished.load());  // the call was not abandoned while running
  }());
}

TEST_P(ToThreadTest, WaitForOnABlockingCall) {
  Stopwatch sw;
  run([]() -> aio::Task<void> {
    EXPECT_THROW(co_await aio::wait_for(aio::to_thread(blocking_100ms), 20ms), aio::TimeoutError);
  }());
  EXPECT_GE(sw.seconds(), 0.100);  // the TimeoutError waits for the running call to return
}
