// Task<T>: laziness, results, exceptions, deep chains, create_task handles, loop lifecycle.
#include <memory>
#include <stdexcept>

#include "common.hpp"

using aio_test::Flag;
using aio_test::Stopwatch;

class TaskTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(TaskTest);

namespace {

aio::Task<int> compute(int a, int b) {
  co_await aio::sleep(1ms);
  co_return a + b;
}

aio::Task<int> immediate(int v) { co_return v; }

aio::Task<int> depth(int n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await depth(n - 1);
}

aio::Task<void> throws_after(std::chrono::milliseconds d) {
  co_await aio::sleep(d);
  throw std::runtime_error("boom");
}

aio::Task<void> eternity(bool* cleaned) {
  Flag f{cleaned};
  co_await aio::sleep(1h);
}

}  // namespace

TEST_P(TaskTest, RunReturnsTheTasksResult) { EXPECT_EQ(run(compute(1, 2)), 3); }

TEST_P(TaskTest, RunOfVoidTask) {
  bool ran = false;
  run([](bool* r) -> aio::Task<void> {
    co_await aio::sleep(1ms);
    *r = true;
  }(&ran));
  EXPECT_TRUE(ran);
}

TEST_P(TaskTest, LazyUntilAwaitedAndFreedWhenDropped) {
  run([]() -> aio::Task<void> {
    bool started = false;
    bool param_destroyed = false;
    {
      auto body = [](bool* s, Flag) -> aio::Task<void> {
        *s = true;
        co_return;
      };
      aio::Task<void> t = body(&started, Flag{&param_destroyed});
      param_destroyed = false;  // the temporary argument's own destructor ran; watch the frame's copy
      co_await aio::sleep(0s);
      EXPECT_FALSE(started);
    }
    EXPECT_FALSE(started);
    EXPECT_TRUE(param_destroyed);  // the frame was destroyed without running
  }());
}

TEST_P(TaskTest, ExceptionPropagatesThroughAwait) {
  auto outer = []() -> aio::Task<int> {
    co_await throws_after(1ms);
    co_return 1;
  };
  EXPECT_THROW(run(outer()), std::runtime_error);
}

TEST_P(TaskTest, DeepChainDoesNotGrowTheStack) {
  // 200,000 nested co_awaits, each completing synchronously: resumption by symmetric transfer,
  // and where the compiler does not make that a tail call (-O0, ASan), by bouncing through the
  // loop. Otherwise each level would take a native stack frame and overflow the 8 MiB stack.
  EXPECT_EQ(run(depth(200'000)), 200'000);
}

TEST_P(TaskTest, LongLoopOfSynchronousAwaitsDoesNotGrowTheStack) {
  auto loop = []() -> aio::Task<long> {
    long sum = 0;
    for (int i = 0; i < 1'000'000; ++i) sum += co_await immediate(1);
    co_return sum;
  };
  EXPECT_EQ(run(loop()), 1'000'000);
}

TEST_P(TaskTest, MoveOnlyResult) {
  auto make = []() -> aio::Task<std::unique_ptr<int>> { co_return std::make_unique<int>(7); };
  auto outer = [&]() -> aio::Task<int> {
    auto p = co_await make();
    auto t = aio::create_task(make());
    auto q = co_await std::move(t);
    co_return *p + *q;
  };
  EXPECT_EQ(run(outer()), 14);
}

TEST_P(TaskTest, CreateTaskStartsOnALaterTurn) {
  run([]() -> aio::Task<void> {
    std::vector<std::string> events;
    auto child = [](std::vector<std::string>* ev) -> aio::Task<void> {
      ev->push_back("child");
      co_return;
    };
    auto t = aio::create_task(child(&events));
    events.push_back("after create_task");
    EXPECT_FALSE(t.done());
    co_await aio::sleep(0s);
    events.push_back("after yield");
    EXPECT_TRUE(t.done());
    EXPECT_EQ(events, (std::vector<std::string>{"after create_task", "child", "after yield"}));
  }());
}

TEST_P(TaskTest, HandleAwaitedAsLvalueAnyNumberOfTimes) {
  run([]() -> aio::Task<void> {
    auto t = aio::create_task(compute(1, 2));
    int a = co_await t;
    int b = co_await t;
    EXPECT_EQ(a, 3);
    EXPECT_EQ(b, 3);
    EXPECT_TRUE(t.done());
    EXPECT_FALSE(t.cancelled());
    EXPECT_FALSE(t.cancel());  // done: nothing to cancel
  }());
}

TEST_P(TaskTest, TwoTasksAwaitTheSameTask) {
  run([]() -> aio::Task<void> {
    auto shared = aio::create_task(compute(2, 3));
    auto waiter = [](aio::Task<int>* s) -> aio::Task<int> { co_return co_await *s; };
    auto [x, y] = co_await aio::gather(waiter(&shared), waiter(&shared));
    EXPECT_EQ(x, 5);
    EXPECT_EQ(y, 5);
  }());
}

TEST_P(TaskTest, CancelThrowsAtTheSuspendedAwaitAndRunsRaii) {
  run([]() -> aio::Task<void> {
    bool cleaned = false;
    auto t = aio::create_task(eternity(&cleaned));
    co_await aio::sleep(1ms);
    EXPECT_TRUE(t.cancel());
    EXPECT_THROW(co_await t, aio::CancelledError);
    EXPECT_TRUE(cleaned);
    EXPECT_TRUE(t.cancelled());
  }());
}

TEST_P(TaskTest, CancelBeforeFirstStepNeverRunsTheBody) {
  run([]() -> aio::Task<void> {
    bool ran = false;
    auto body = [](bool* r) -> aio::Task<void> {
      *r = true;
      co_return;
    };
    auto t = aio::create_task(body(&ran));
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
    EXPECT_FALSE(ran);
  }());
}

TEST_P(TaskTest, CancellationCanBeCaughtForCleanupThatAwaits) {
  // The lectures' another_eternity: `finally: await asyncio.sleep(...)` still works.
  run([]() -> aio::Task<void> {
    std::vector<std::string> ev;
    auto body = [](std::vector<std::string>* ev) -> aio::Task<void> {
      try {
        co_await aio::sleep(1h);
      } catch (const aio::CancelledError&) {
        ev->push_back("cancelled");
      }
      co_await aio::sleep(5ms);  // the cancellation was consumed: this sleep completes
      ev->push_back("cleanup done");
    };
    auto t = aio::create_task(body(&ev));
    co_await aio::sleep(1ms);
    t.cancel();
    co_await t;  // swallowed: the task ends normally
    EXPECT_EQ(ev, (std::vector<std::string>{"cancelled", "cleanup done"}));
    EXPECT_FALSE(t.cancelled());
  }());
}

TEST_P(TaskTest, CancellingAnAwaiterCancelsTheAwaitedTask) {
  run([]() -> aio::Task<void> {
    bool cleaned = false;
    auto inner = aio::create_task(eternity(&cleaned));
    auto outer = aio::create_task([](aio::Task<void>* in) -> aio::Task<void> { co_await *in; }(&inner));
    co_await aio::sleep(1ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, aio::CancelledError);
    EXPECT_TRUE(inner.cancelled());
    EXPECT_TRUE(cleaned);
  }());
}

TEST_P(TaskTest, CancelledErrorIsNotARuntimeError) {
  run([]() -> aio::Task<void> {
    bool cleaned = false;
    auto t = aio::create_task(eternity(&cleaned));
    co_await aio::sleep(1ms);
    t.cancel();
    bool caught_as_runtime = false, caught_as_std = false, caught_as_cancel = false;
    try {
      try {
        co_await t;
      } catch (const std::runtime_error&) {
        caught_as_runtime = true;
      } catch (const std::exception&) {
        caught_as_std = true;
      }
    } catch (const aio::CancelledError&) {
      caught_as_cancel = true;
    }
    EXPECT_FALSE(caught_as_runtime);
    EXPECT_FALSE(caught_as_std);
    EXPECT_TRUE(caught_as_cancel);
  }());
}

TEST_P(TaskTest, DroppedHandleKeepsTheTaskRunning) {
  bool finished = false;
  run([](bool* done) -> aio::Task<void> {
    {
      auto t = aio::create_task([](bool* d) -> aio::Task<void> {
        co_await aio::sleep(5ms);
        *d = true;
      }(done));
    }
    co_await aio::sleep(30ms);
  }(&finished));
  EXPECT_TRUE(finished);
}

TEST_P(TaskTest, TasksLeftAtShutdownAreCancelledAndUnwound) {
  bool cleaned = false;
  Stopwatch sw;
  run([](bool* c) -> aio::Task<void> {
    auto t = aio::create_task(eternity(c));
    co_await aio::sleep(1ms);
  }(&cleaned));
  EXPECT_TRUE(cleaned);
  EXPECT_LT(sw.seconds(), 5.0);
}

TEST_P(TaskTest, ShutdownLetsCancelledTasksAwaitInCleanup) {
  bool cleanup_finished = false;
  run([](bool* f) -> aio::Task<void> {
    auto t = aio::create_task([](bool* f) -> aio::Task<void> {
      // C++ forbids co_await inside a handler: keep the exception, await after the catch.
      std::exception_ptr cancelled;
      try {
        co_await aio::sleep(1h);
      } catch (const aio::CancelledError&) {
        cancelled = std::current_exception();
      }
      co_await aio::sleep(5ms);
      *f = true;
      if (cancelled) std::rethrow_exception(cancelled);
    }(f));
    co_await aio::sleep(1ms);
  }(&cleanup_finished));
  EXPECT_TRUE(cleanup_finished);
}

TEST_P(TaskTest, RunRethrowsTheMainTasksException) {
  EXPECT_THROW(run(throws_after(1ms)), std::runtime_error);
}

TEST_P(TaskTest, DeadlockIsReportedNotHung) {
  bool cleaned = false;
  try {
    run([](bool* c) -> aio::Task<void> {
      Flag f{c};
      aio::Event never;
      co_await never.wait();
    }(&cleaned));
    FAIL() << "a deadlocked run returned";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("deadlock"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(cleaned);
}

TEST_P(TaskTest, NestedRunIsAnError) {
  run([](aio::Backend b) -> aio::Task<void> {
    EXPECT_THROW(aio::run(immediate(1), b), std::logic_error);
    co_return;
  }(GetParam()));
}

TEST_P(TaskTest, StartingATaskTwiceIsAnError) {
  run([]() -> aio::Task<void> {
    auto t = aio::create_task(immediate(1));
    EXPECT_THROW((void)aio::create_task(std::move(t)), std::logic_error);
    co_return;
  }());
}

TEST(TaskNoLoop, CreateTaskOutsideALoopIsAnError) {
  EXPECT_THROW((void)aio::create_task(immediate(1)), std::logic_error);
}

TEST(TaskNoLoop, CurrentBackendOutsideALoopIsAnError) {
  EXPECT_THROW((void)aio::current_backend(), std::logic_error);
}
