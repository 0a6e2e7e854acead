// wait_for, shield and as_completed.
#include <stdexcept>

#include "common.hpp"

using aio_test::Flag;
using aio_test::Stopwatch;

class WaitForTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(WaitForTest);
class ShieldTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(ShieldTest);
class AsCompletedTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(AsCompletedTest);

namespace {

aio::Task<void> eternity(bool* cancelled) {
  try {
    co_await aio::sleep(1h);
  } catch (const aio::CancelledError&) {
    *cancelled = true;
    throw;
  }
}

aio::Task<int> value_after(int v, std::chrono::milliseconds d) {
  co_await aio::sleep(d);
  co_return v;
}

}  // namespace

TEST_P(WaitForTest, TimeoutCancelsTheInnerTaskAndThrowsTimeoutError) {
  Stopwatch sw;
  bool cancelled = false;
  run([](bool* c) -> aio::Task<void> {
    EXPECT_THROW(co_await aio::wait_for(eternity(c), 50ms), aio::TimeoutError);
  }(&cancelled));
  EXPECT_TRUE(cancelled);
  EXPECT_GE(sw.seconds(), 0.050);
  EXPECT_LT(sw.seconds(), 1.0);
}

TEST_P(WaitForTest, WaitsForTheInnerTaskToUnwind) {
  // The lectures' another_eternity: its `finally` sleeps, and wait_for waits for that too.
  Stopwatch sw;
  std::vector<std::string> ev;
  run([](std::vector<std::string>* ev) -> aio::Task<void> {
    auto another_eternity = [](std::vector<std::string>* ev) -> aio::Task<void> {
      std::exception_ptr cancelled;
      try {
        co_await aio::sleep(1h);
      } catch (const aio::CancelledError&) {
        cancelled = std::current_exception();
        ev->push_back("cancelled");
      }
      co_await aio::sleep(50ms);  // the lectures' `finally: await asyncio.sleep(...)`
      ev->push_back("cleanup done");
      if (cancelled) std::rethrow_exception(cancelled);
    };
    try {
      co_await aio::wait_for(another_eternity(ev), 30ms);
    } catch (const aio::TimeoutError&) {
      ev->push_back("timeout");
    }
  }(&ev));
  EXPECT_EQ(ev, (std::vector<std::string>{"cancelled", "cleanup done", "timeout"}));
  EXPECT_GE(sw.seconds(), 0.080);
}

TEST_P(WaitForTest, ReturnsTheValueInTime) {
  EXPECT_EQ(run(aio::wait_for(value_after(7, 5ms), 1s)), 7);
}

TEST_P(WaitForTest, PropagatesTheInnerException) {
  auto failing = []() -> aio::Task<int> {
    co_await aio::sleep(1ms);
    throw std::invalid_argument("inner");
  };
  EXPECT_THROW(run(aio::wait_for(failing(), 1s)), std::invalid_argument);
}

TEST_P(WaitForTest, ZeroTimeoutCancelsBeforeTheFirstStep) {
  // As asyncio 3.12's wait_for(coro, 0): the inner task is cancelled before it ever runs.
  bool started = false;
  auto body = [](bool* s) -> aio::Task<void> {
    *s = true;
    co_await aio::sleep(1h);
  };
  EXPECT_THROW(run(aio::wait_for(body(&started), 0s)), aio::TimeoutError);
  EXPECT_FALSE(started);
}

TEST_P(WaitForTest, CancellingTheAwaiterCancelsTheInnerTask) {
  run([]() -> aio::Task<void> {
    bool cancelled = false;
    auto outer = aio::create_task(aio::wait_for(eternity(&cancelled), 1h));
    co_await aio::sleep(5ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, aio::CancelledError);
    EXPECT_TRUE(cancelled);
  }());
}

TEST_P(WaitForTest, InnerThatSwallowsTheCancellationReturnsItsValue) {
  auto stubborn = []() -> aio::Task<int> {
    try {
      co_await aio::sleep(1h);
    } catch (const aio::CancelledError&) {
    }
    co_return 5;
  };
  EXPECT_EQ(run(aio::wait_for(stubborn(), 5ms)), 5);
}

TEST_P(WaitForTest, TimeoutErrorIsARuntimeErrorAndSaysWhat) {
  bool cancelled = false;
  try {
    run(aio::wait_for(eternity(&cancelled), 10ms));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos);
  }
}

TEST_P(WaitForTest, WorksOnOtherAwaitables) {
  run([]() -> aio::Task<void> {
    aio::Event never;
    EXPECT_THROW(co_await aio::wait_for(never.wait(), 5ms), aio::TimeoutError);
    aio::Semaphore sem(0);
    EXPECT_THROW(co_await aio::wait_for(sem.acquire(), 5ms), aio::TimeoutError);
    EXPECT_EQ(sem.value(), 0);
    sem.release();
    auto guard = co_await aio::wait_for(sem.acquire(), 1s);
    EXPECT_TRUE(guard.owns());
  }());
}

TEST_P(ShieldTest, TheShieldedTaskRunsOnAfterTheAwaiterTimesOut) {
  // The lectures' example: wait_for(shield(important_task()), 1.0) times out, yet
  // "important task finished" is printed later.
  Stopwatch sw;
  std::vector<std::string> ev;
  run([](std::vector<std::string>* ev) -> aio::Task<void> {
    auto important = [](std::vector<std::string>* ev) -> aio::Task<void> {
      ev->push_back("important started");
      co_await aio::sleep(60ms);
      ev->push_back("important finished");
    };
    try {
      co_await aio::wait_for(aio::shield(important(ev)), 10ms);
    } catch (const aio::TimeoutError&) {
      ev->push_back("timeout");
    }
    co_await aio::sleep(100ms);
    ev->push_back("main finished");
  }(&ev));
  EXPECT_EQ(ev, (std::vector<std::string>{"important started", "timeout", "important finished",
                                          "main finished"}));
}

TEST_P(ShieldTest, ResultPassesThrough) {
  EXPECT_EQ(run(aio::shield(value_after(3, 1ms))), 3);
}

TEST_P(ShieldTest, ShieldingAnExistingTaskLeavesItRunning) {
  run([]() -> aio::Task<void> {
    auto t = aio::create_task(value_after(8, 20ms));
    auto s = aio::create_task(aio::shield(t));
    co_await aio::sleep(1ms);
    s.cancel();
    EXPECT_THROW(co_await s, aio::CancelledError);
    EXPECT_FALSE(t.done());
    EXPECT_EQ(co_await t, 8);
  }());
}

TEST_P(AsCompletedTest, ResultsArriveInCompletionOrder) {
  // The lectures' factorial(4), (3), (5), (2): completion order 2, 3, 4, 5.
  std::vector<std::pair<int, long>> got;
  Stopwatch sw;
  run([](std::vector<std::pair<int, long>>* got) -> aio::Task<void> {
    auto factorial = [](int n) -> aio::Task<std::pair<int, long>> {
      long r = 1;
      for (int i = 2; i <= n; ++i) {
        co_await aio::sleep(20ms);
        r *= i;
      }
      co_return std::pair{n, r};
    };
    std::vector<aio::Task<std::pair<int, long>>> ts;
    for (int n : {4, 3, 5, 2}) ts.push_back(factorial(n));
    for (auto next : aio::as_completed(std::move(ts))) got->push_back(co_await next);
  }(&got));
  EXPECT_EQ(got, (std::vector<std::pair<int, long>>{{2, 2}, {3, 6}, {4, 24}, {5, 120}}));
  EXPECT_GE(sw.seconds(), 0.080);
  EXPECT_LT(sw.seconds(), 0.200);
}

TEST_P(AsCompletedTest, AnExceptionComesAtItsPlace) {
  run([]() -> aio::Task<void> {
    auto failing = []() -> aio::Task<int> {
      co_await aio::sleep(10ms);
      throw std::runtime_error("second");
    };
    std::vector<aio::Task<int>> ts;
    ts.push_back(value_after(1, 1ms));
    ts.push_back(failing());
    ts.push_back(value_after(3, 20ms));
    auto ac = aio::as_completed(std::move(ts));
    EXPECT_EQ(co_await ac.next(), 1);
    EXPECT_THROW(co_await ac.next(), std::runtime_error);
    EXPECT_EQ(co_await ac.next(), 3);
    EXPECT_THROW((void)ac.next(), std::logic_error);
  }());
}

TEST_P(AsCompletedTest, DestroyingItCancelsWhatIsLeft) {
  run([]() -> aio::Task<void> {
    bool cancelled = false;
    {
      std::vector<aio::Task<void>> ts;
      ts.push_back(eternity(&cancelled));
      ts.push_back(aio::sleep(1ms));
      auto ac = aio::as_completed(std::move(ts));
      co_await ac.next();
    }
    co_await aio::sleep(5ms);
    EXPECT_TRUE(cancelled);
  }());
}
