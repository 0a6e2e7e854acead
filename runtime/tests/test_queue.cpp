// Queue<T>: FIFO, bounded puts, the nowait forms, join/task_done, and no item lost to cancellation.
#include <memory>
#include <numeric>

#include "common.hpp"

class QueueTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(QueueTest);

TEST_P(QueueTest, ProducerConsumerKeepsOrderAndEveryItem) {
  run([]() -> aio::Task<void> {
    aio::Queue<int> q(8);
    constexpr int n = 10'000;
    auto producer = [](aio::Queue<int>* q) -> aio::Task<void> {
      for (int i = 0; i < n; ++i) co_await q->put(i);
      co_await q->put(-1);
    };
    auto consumer = [](aio::Queue<int>* q) -> aio::Task<std::vector<int>> {
      std::vector<int> got;
      for (;;) {
        int v = co_await q->get();
        if (v < 0) break;
        got.push_back(v);
      }
      co_return got;
    };
    auto [unused, got] = co_await aio::gather(producer(&q), consumer(&q));
    std::vector<int> want(n);
    std::iota(want.begin(), want.end(), 0);
    EXPECT_EQ(got, want);
  }());
}

TEST_P(QueueTest, PutWaitsWhileFull) {
  run([]() -> aio::Task<void> {
    aio::Queue<int> q(2);
    co_await q.put(1);
    co_await q.put(2);
    EXPECT_TRUE(q.full());
    EXPECT_THROW(q.put_nowait(3), aio::QueueFull);
    auto t = aio::create_task([](aio::Queue<int>* q) -> aio::Task<void> { co_await q->put(3); }(&q));
    co_await aio::sleep(1ms);
    EXPECT_FALSE(t.done());
    EXPECT_EQ(co_await q.get(), 1);  // frees a slot: 3 moves in
    co_await t;
    EXPECT_EQ(q.get_nowait(), 2);
    EXPECT_EQ(q.get_nowait(), 3);
    EXPECT_THROW(q.get_nowait(), aio::QueueEmpty);
  }());
}

TEST_P(QueueTest, ACancelledGetterLosesNothing) {
  run([]() -> aio::Task<void> {
    aio::Queue<int> q;
    auto getter = aio::create_task([](aio::Queue<int>* q) -> aio::Task<int> { co_return co_await q->get(); }(&q));
    co_await aio::sleep(1ms);
    getter.cancel();
    EXPECT_THROW(co_await getter, aio::CancelledError);
    q.put_nowait(5);
    EXPECT_EQ(q.size(), 1u);  // not handed to the dead getter
    EXPECT_EQ(co_await q.get(), 5);
  }());
}

TEST_P(QueueTest, AnItemHandedOverBeforeTheCancellationIsDelivered) {
  run([]() -> aio::Task<void> {
    aio::Queue<std::unique_ptr<int>> q;
    int received = 0;
    auto getter = aio::create_task([](aio::Queue<std::unique_ptr<int>>* q, int* r) -> aio::Task<void> {
      auto v = co_await q->get();
      *r = *v;
      co_await aio::sleep(1h);
    }(&q, &received));
    co_await aio::sleep(1ms);
    q.put_nowait(std::make_unique<int>(42));  // handed to the waiting getter
    getter.cancel();                          // before it runs
    EXPECT_THROW(co_await getter, aio::CancelledError);
    EXPECT_EQ(received, 42);
  }());
}

TEST_P(QueueTest, ACancelledPutLeavesTheQueueUnchanged) {
  run([]() -> aio::Task<void> {
    aio::Queue<int> q(1);
    q.put_nowait(1);
    auto putter = aio::create_task([](aio::Queue<int>* q) -> aio::Task<void> { co_await q->put(2); }(&q));
    co_await aio::sleep(1ms);
    putter.cancel();
    EXPECT_THROW(co_await putter, aio::CancelledError);
    EXPECT_EQ(q.get_nowait(), 1);
    EXPECT_TRUE(q.empty());
  }());
}

TEST_P(QueueTest, JoinWaitsForTaskDone) {
  run([]() -> aio::Task<void> {
    aio::Queue<int> q;
    for (int i = 0; i < 3; ++i) q.put_nowait(i);
    auto worker = aio::create_task([](aio::Queue<int>* q) -> aio::Task<void> {
      while (!q->empty()) {
        (void)co_await q->get();
        co_await aio::sleep(1ms);
        q->task_done();
      }
    }(&q));
    co_await q.join();
    EXPECT_TRUE(q.empty());
    EXPECT_THROW(q.task_done(), std::logic_error);
    co_await worker;
  }());
}
