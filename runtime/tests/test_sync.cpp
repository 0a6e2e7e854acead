// Event, Lock, Semaphore and Future.
#include <stdexcept>

#include "common.hpp"

using aio_test::Stopwatch;

class EventTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(EventTest);
class LockTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(LockTest);
class SemaphoreTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(SemaphoreTest);
class FutureTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(FutureTest);

TEST_P(EventTest, SetWakesEveryWaiter) {
  run([]() -> aio::Task<void> {
    aio::Event ev;
    int woken = 0;
    auto waiter = [](aio::Event* e, int* w) -> aio::Task<void> {
      co_await e->wait();
      ++*w;
    };
    auto a = aio::create_task(waiter(&ev, &woken));
    auto b = aio::create_task(waiter(&ev, &woken));
    co_await aio::sleep(2ms);
    EXPECT_EQ(woken, 0);
    EXPECT_FALSE(ev.is_set());
    ev.set();
    co_await aio::gather(a, b);
    EXPECT_EQ(woken, 2);
    co_await ev.wait();  // set: no wait at all
    ev.clear();
    EXPECT_FALSE(ev.is_set());
  }());
}

TEST_P(EventTest, ACancelledWaiterLeaves) {
  run([]() -> aio::Task<void> {
    aio::Event ev;
    auto t = aio::create_task([](aio::Event* e) -> aio::Task<void> { co_await e->wait(); }(&ev));
    co_await aio::sleep(1ms);
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
    ev.set();  // nobody left to wake: must not touch the dead waiter
  }());
}

TEST_P(LockTest, MutualExclusionInFifoOrder) {
  run([]() -> aio::Task<void> {
    aio::Lock lock;
    int inside = 0, max_inside = 0;
    std::vector<int> order;
    auto worker = [](aio::Lock* l, int id, int* in, int* mx, std::vector<int>* order) -> aio::Task<void> {
      auto held = co_await l->acquire();
      order->push_back(id);
      *mx = std::max(*mx, ++*in);
      co_await aio::sleep(1ms);
      --*in;
    };
    std::vector<aio::Task<void>> ts;
    for (int i = 0; i < 5; ++i) ts.push_back(worker(&lock, i, &inside, &max_inside, &order));
    co_await aio::gather(std::move(ts));
    EXPECT_EQ(max_inside, 1);
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_FALSE(lock.locked());
  }());
}

TEST_P(LockTest, ReleasingAnUnheldLockIsAnError) {
  run([]() -> aio::Task<void> {
    aio::Lock lock;
    EXPECT_THROW(lock.release(), aio::InvalidStateError);
    co_return;
  }());
}

TEST_P(LockTest, ACancelledWaiterDoesNotTakeTheLock) {
  run([]() -> aio::Task<void> {
    aio::Lock lock;
    auto held = co_await lock.acquire();
    auto t = aio::create_task([](aio::Lock* l) -> aio::Task<void> { auto g = co_await l->acquire(); }(&lock));
    co_await aio::sleep(1ms);
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
    held.release();
    EXPECT_FALSE(lock.locked());
  }());
}

TEST_P(SemaphoreTest, LimitsConcurrency) {
  Stopwatch sw;
  run([]() -> aio::Task<void> {
    aio::Semaphore sem(2);
    int inside = 0, max_inside = 0;
    auto worker = [](aio::Semaphore* s, int* in, int* mx) -> aio::Task<void> {
      auto held = co_await s->acquire();
      *mx = std::max(*mx, ++*in);
      co_await aio::sleep(20ms);
      --*in;
    };
    std::vector<aio::Task<void>> ts;
    for (int i = 0; i < 6; ++i) ts.push_back(worker(&sem, &inside, &max_inside));
    co_await aio::gather(std::move(ts));
    EXPECT_EQ(max_inside, 2);
    EXPECT_EQ(sem.value(), 2);
  }());
  EXPECT_GE(sw.seconds(), 0.060);  // three rounds of two
}

TEST_P(SemaphoreTest, GuardReleasesAtScopeEndAndCanMove) {
  run([]() -> aio::Task<void> {
    aio::Semaphore sem(1);
    {
      auto g = co_await sem.acquire();
      EXPECT_EQ(sem.value(), 0);
      EXPECT_TRUE(sem.locked());
      auto moved = std::move(g);
      EXPECT_FALSE(g.owns());
      EXPECT_TRUE(moved.owns());
    }
    EXPECT_EQ(sem.value(), 1);
    auto g = co_await sem.acquire();
    g.release();
    EXPECT_EQ(sem.value(), 1);
  }());
}

TEST(SemaphoreNoLoop, NegativeValueIsAnError) { EXPECT_THROW(aio::Semaphore(-1), std::invalid_argument); }

TEST_P(SemaphoreTest, AGrantIsKeptWhenTheCancellationComesAfterIt) {
  // The holder releases: the permit goes to the waiter, which is now queued to run. A cancel
  // that arrives before it runs must not lose the permit: the waiter gets its guard, and the
  // cancellation is thrown at its next suspension point, where the guard releases.
  run([]() -> aio::Task<void> {
    aio::Semaphore sem(1);
    std::vector<std::string> ev;
    auto held = co_await sem.acquire();
    auto t = aio::create_task([](aio::Semaphore* s, std::vector<std::string>* ev) -> aio::Task<void> {
      auto g = co_await s->acquire();
      ev->push_back("granted");
      co_await aio::sleep(1h);
    }(&sem, &ev));
    co_await aio::sleep(1ms);
    held.release();  // hands the permit to t
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
    EXPECT_EQ(ev, (std::vector<std::string>{"granted"}));
    EXPECT_EQ(sem.value(), 1);
  }());
}

TEST_P(FutureTest, SetResultWakesEveryAwaiter) {
  run([]() -> aio::Task<void> {
    aio::Future<int> fut;
    auto w = [](aio::Future<int> f) -> aio::Task<int> { co_return co_await f; };
    auto a = aio::create_task(w(fut));
    auto b = aio::create_task(w(fut));
    co_await aio::sleep(1ms);
    EXPECT_FALSE(fut.done());
    EXPECT_THROW((void)fut.result(), aio::InvalidStateError);
    fut.set_result(3);
    EXPECT_EQ(co_await a, 3);
    EXPECT_EQ(co_await b, 3);
    EXPECT_EQ(co_await fut, 3);  // done: at once
    EXPECT_EQ(fut.result(), 3);
    EXPECT_THROW(fut.set_result(4), aio::InvalidStateError);
  }());
}

TEST_P(FutureTest, SetExceptionReachesTheAwaiter) {
  run([]() -> aio::Task<void> {
    aio::Future<void> fut;
    auto t = aio::create_task([](aio::Future<void> f) -> aio::Task<void> { co_await f; }(fut));
    co_await aio::sleep(1ms);
    fut.set_exception(std::make_exception_ptr(std::domain_error("nope")));
    EXPECT_THROW(co_await t, std::domain_error);
    EXPECT_TRUE(fut.exception());
  }());
}

TEST_P(FutureTest, CancelledFutureThrowsCancelledError) {
  run([]() -> aio::Task<void> {
    aio::Future<int> fut;
    auto t = aio::create_task([](aio::Future<int> f) -> aio::Task<int> { co_return co_await f; }(fut));
    co_await aio::sleep(1ms);
    EXPECT_TRUE(fut.cancel());
    EXPECT_TRUE(fut.cancelled());
    EXPECT_THROW(co_await t, aio::CancelledError);
    EXPECT_FALSE(fut.cancel());
  }());
}

TEST_P(FutureTest, ACancelledAwaiterLeavesTheFutureUsable) {
  run([]() -> aio::Task<void> {
    aio::Future<int> fut;
    auto w = [](aio::Future<int> f) -> aio::Task<int> { co_return co_await f; };
    auto a = aio::create_task(w(fut));
    auto b = aio::create_task(w(fut));
    co_await aio::sleep(1ms);
    a.cancel();
    EXPECT_THROW(co_await a, aio::CancelledError);
    EXPECT_FALSE(fut.done());
    fut.set_result(6);
    EXPECT_EQ(co_await b, 6);
  }());
}
