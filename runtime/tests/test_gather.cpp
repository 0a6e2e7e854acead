// gather: results in order, concurrency, the first exception, return_exceptions, cancellation.
#include <stdexcept>
#include <type_traits>

#include "common.hpp"

using aio_test::Flag;
using aio_test::Stopwatch;

class GatherTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(GatherTest);

namespace {

aio::Task<int> value_after(int v, std::chrono::milliseconds d) {
  co_await aio::sleep(d);
  co_return v;
}

aio::Task<void> nap(std::chrono::milliseconds d) { co_await aio::sleep(d); }

aio::Task<int> fail_after(std::chrono::milliseconds d, const char* msg) {
  co_await aio::sleep(d);
  throw std::runtime_error(msg);
}

aio::Task<void> sleeper(std::chrono::milliseconds d, bool* cleaned, bool* finished) {
  Flag f{cleaned};
  co_await aio::sleep(d);
  *finished = true;
}

// The lectures' coro(seq): sleeps max(seq), returns the reversed list.
aio::Task<std::vector<int>> coro(std::vector<int> seq, double unit_s) {
  co_await aio::sleep(std::chrono::duration<double>(*std::max_element(seq.begin(), seq.end()) * unit_s));
  co_return std::vector<int>(seq.rbegin(), seq.rend());
}

}  // namespace

TEST_P(GatherTest, VariadicResultsInArgumentOrderWithMonostateForVoid) {
  run([]() -> aio::Task<void> {
    auto r = co_await aio::gather(value_after(1, 30ms), nap(10ms), value_after(3, 0ms));
    static_assert(std::is_same_v<decltype(r), std::tuple<int, std::monostate, int>>);
    EXPECT_EQ(std::get<0>(r), 1);
    EXPECT_EQ(std::get<2>(r), 3);
  }());
}

TEST_P(GatherTest, ChildrenRunConcurrently) {
  Stopwatch sw;
  run([]() -> aio::Task<void> { co_await aio::gather(nap(100ms), nap(100ms), nap(100ms)); }());
  EXPECT_GE(sw.seconds(), 0.100);
  EXPECT_LT(sw.seconds(), 0.250);
}

TEST_P(GatherTest, VectorOfTasks) {
  run([]() -> aio::Task<void> {
    std::vector<aio::Task<int>> ts;
    for (int i = 0; i < 10; ++i) ts.push_back(value_after(i, std::chrono::milliseconds(10 - i)));
    std::vector<int> r = co_await aio::gather(std::move(ts));
    EXPECT_EQ(r, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  }());
}

TEST_P(GatherTest, VectorOfVoidTasksGivesNothing) {
  run([]() -> aio::Task<void> {
    std::vector<aio::Task<void>> ts;
    ts.push_back(nap(1ms));
    ts.push_back(nap(2ms));
    static_assert(std::is_same_v<decltype(aio::gather(std::move(ts))), aio::Task<void>>);
    co_await aio::gather(std::move(ts));
  }());
}

TEST_P(GatherTest, EmptyGather) {
  run([]() -> aio::Task<void> {
    auto t = co_await aio::gather();
    static_assert(std::is_same_v<decltype(t), std::tuple<>>);
    std::vector<aio::Task<int>> none;
    auto v = co_await aio::gather(std::move(none));
    EXPECT_TRUE(v.empty());
  }());
}

TEST_P(GatherTest, AcceptsCreateTaskHandles) {
  // The lectures' example: t = create_task(coro([3,2,1])); t2 = create_task(coro([10,5,0]));
  // a = await gather(t, t2) -> [[1,2,3],[0,5,10]] after the longest sleep.
  Stopwatch sw;
  run([]() -> aio::Task<void> {
    auto t = aio::create_task(coro({3, 2, 1}, 0.01));
    auto t2 = aio::create_task(coro({10, 5, 0}, 0.01));
    auto [a, b] = co_await aio::gather(t, t2);
    EXPECT_EQ(a, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(b, (std::vector<int>{0, 5, 10}));
    EXPECT_TRUE(t.done() && t2.done());
    // g++ 12 rejects a braced list in the same full-expression as a co_await: await first.
    auto again = co_await t;  // still awaitable: gather copied the result
    EXPECT_EQ(again, (std::vector<int>{1, 2, 3}));
  }());
  EXPECT_GE(sw.seconds(), 0.100);
  EXPECT_LT(sw.seconds(), 0.300);
}

TEST_P(GatherTest, FirstExceptionPropagatesUnwrapped) {
  run([]() -> aio::Task<void> {
    try {
      co_await aio::gather(value_after(1, 50ms), fail_after(5ms, "first"), fail_after(10ms, "second"));
      ADD_FAILURE() << "gather did not throw";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "first");
    }
  }());
}

TEST_P(GatherTest, FirstExceptionCancelsTheOthersAndWaitsForThem) {
  Stopwatch sw;
  run([]() -> aio::Task<void> {
    bool cleaned = false, finished = false;
    EXPECT_THROW(co_await aio::gather(sleeper(1h, &cleaned, &finished), fail_after(5ms, "x")),
                 std::runtime_error);
    EXPECT_TRUE(cleaned);  // the sibling unwound before gather threw: nothing outlives it
    EXPECT_FALSE(finished);
  }());
  EXPECT_LT(sw.seconds(), 5.0);
}

TEST_P(GatherTest, ReturnExceptionsCollectsEveryOutcome) {
  run([]() -> aio::Task<void> {
    auto [a, b, c] = co_await aio::gather(aio::return_exceptions, value_after(1, 20ms),
                                          fail_after(5ms, "bad"), nap(10ms));
    CO_ASSERT(a.has_value());
    EXPECT_EQ(a.value(), 1);
    CO_ASSERT(!b.has_value());
    EXPECT_THROW(b.value(), std::runtime_error);
    EXPECT_TRUE(c.has_value());
  }());
}

TEST_P(GatherTest, ReturnExceptionsOverAVector) {
  run([]() -> aio::Task<void> {
    std::vector<aio::Task<int>> ts;
    ts.push_back(value_after(1, 10ms));
    ts.push_back(fail_after(1ms, "bad"));
    ts.push_back(value_after(3, 5ms));
    auto rs = co_await aio::gather(aio::return_exceptions, std::move(ts));
    CO_ASSERT(rs.size() == 3u);
    EXPECT_EQ(rs[0].value(), 1);
    EXPECT_TRUE(rs[1].error());
    EXPECT_EQ(rs[2].value(), 3);
  }());
}

TEST_P(GatherTest, CancellingTheAwaiterCancelsEveryChild) {
  run([]() -> aio::Task<void> {
    bool c1 = false, c2 = false, f1 = false, f2 = false;
    auto outer = aio::create_task(aio::gather(sleeper(1h, &c1, &f1), sleeper(1h, &c2, &f2)));
    co_await aio::sleep(5ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, aio::CancelledError);
    EXPECT_TRUE(c1 && c2);
    EXPECT_FALSE(f1 || f2);
  }());
}

TEST_P(GatherTest, AChildCancelledOnItsOwnFailsTheGather) {
  run([]() -> aio::Task<void> {
    bool cleaned = false, finished = false;
    auto child = aio::create_task(sleeper(1h, &cleaned, &finished));
    auto g = aio::create_task(aio::gather(child, value_after(1, 1h)));
    co_await aio::sleep(5ms);
    child.cancel();
    EXPECT_THROW(co_await g, aio::CancelledError);
  }());
}

TEST_P(GatherTest, MixesOtherAwaitables) {
  run([]() -> aio::Task<void> {
    aio::Future<int> fut;
    auto setter = aio::create_task([](aio::Future<int> f) -> aio::Task<void> {
      co_await aio::sleep(5ms);
      f.set_result(9);
    }(fut));
    auto [a, b, c] = co_await aio::gather(aio::sleep(5ms), fut, value_after(4, 1ms));
    (void)a;
    EXPECT_EQ(b, 9);
    EXPECT_EQ(c, 4);
  }());
}
