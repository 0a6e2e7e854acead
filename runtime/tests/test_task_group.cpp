// TaskGroup: waits for all; the first failure cancels the rest and is rethrown after all finish.
#include <stdexcept>

#include "common.hpp"

using aio_test::Flag;
using aio_test::Stopwatch;

class TaskGroupTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(TaskGroupTest);

namespace {

aio::Task<long> factorial(std::vector<std::string>* ev, std::string name, int n) {
  long r = 1;
  for (int i = 2; i <= n; ++i) {
    ev->push_back("Task " + name + ": Compute factorial(" + std::to_string(i) + ")");
    co_await aio::sleep(20ms);
    r *= i;
  }
  ev->push_back("Task " + name + ": factorial(" + std::to_string(n) + ") = " + std::to_string(r));
  co_return r;
}

aio::Task<void> sleeper(std::chrono::milliseconds d, bool* cleaned) {
  Flag f{cleaned};
  co_await aio::sleep(d);
}

aio::Task<void> fail_after(std::chrono::milliseconds d) {
  co_await aio::sleep(d);
  throw std::runtime_error("member failed");
}

}  // namespace

TEST_P(TaskGroupTest, WaitsForEveryMember) {
  Stopwatch sw;
  std::vector<std::string> ev;
  run([](std::vector<std::string>* ev) -> aio::Task<void> {
    aio::TaskGroup tg;
    auto a = tg.create_task(factorial(ev, "A", 2));
    tg.create_task(factorial(ev, "B", 3));
    tg.create_task(factorial(ev, "C", 4));
    ev->push_back("tasks pending to start");
    co_await tg.wait();
    ev->push_back("tasks complete");
    EXPECT_EQ(co_await a, 2);
    EXPECT_EQ(tg.size(), 0u);
  }(&ev));
  EXPECT_EQ(ev.front(), "tasks pending to start");
  EXPECT_EQ(ev.back(), "tasks complete");
  EXPECT_EQ(ev.size(), 11u);
  EXPECT_GE(sw.seconds(), 0.060);
  EXPECT_LT(sw.seconds(), 0.200);
}

TEST_P(TaskGroupTest, AFailureCancelsTheOthersAndIsRethrownAfterAllFinished) {
  Stopwatch sw;
  run([]() -> aio::Task<void> {
    bool c1 = false, c2 = false;
    aio::TaskGroup tg;
    tg.create_task(sleeper(1h, &c1));
    tg.create_task(fail_after(5ms));
    tg.create_task(sleeper(1h, &c2));
    try {
      co_await tg.wait();
      ADD_FAILURE() << "wait() did not throw";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "member failed");
      EXPECT_TRUE(c1 && c2);  // both siblings had unwound before the exception left wait()
    }
    EXPECT_THROW(tg.create_task(aio::sleep(1ms)), std::logic_error);
  }());
  EXPECT_LT(sw.seconds(), 5.0);
}

TEST_P(TaskGroupTest, CancellingTheWaiterCancelsTheGroup) {
  run([]() -> aio::Task<void> {
    bool c1 = false, c2 = false;
    auto body = [](bool* c1, bool* c2) -> aio::Task<void> {
      aio::TaskGroup tg;
      tg.create_task(sleeper(1h, c1));
      tg.create_task(sleeper(1h, c2));
      co_await tg.wait();
    };
    auto t = aio::create_task(body(&c1, &c2));
    co_await aio::sleep(5ms);
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
    EXPECT_TRUE(c1 && c2);
  }());
}

TEST_P(TaskGroupTest, DestroyedBeforeWaitCancelsItsMembers) {
  run([]() -> aio::Task<void> {
    bool cleaned = false;
    try {
      aio::TaskGroup tg;
      tg.create_task(sleeper(1h, &cleaned));
      co_await aio::sleep(1ms);
      throw std::runtime_error("body failed");
    } catch (const std::runtime_error&) {
    }
    co_await aio::sleep(5ms);
    EXPECT_TRUE(cleaned);
  }());
}

TEST_P(TaskGroupTest, MembersMayAddMembersWhileTheGroupWaits) {
  run([]() -> aio::Task<void> {
    aio::TaskGroup tg;
    int ran = 0;
    auto spawner = [](aio::TaskGroup* g, int* ran) -> aio::Task<void> {
      co_await aio::sleep(5ms);
      g->create_task([](int* r) -> aio::Task<void> {
        co_await aio::sleep(5ms);
        ++*r;
      }(ran));
      ++*ran;
    };
    tg.create_task(spawner(&tg, &ran));
    co_await tg.wait();
    EXPECT_EQ(ran, 2);
  }());
}

TEST_P(TaskGroupTest, CreateTaskAfterWaitIsAnError) {
  run([]() -> aio::Task<void> {
    aio::TaskGroup tg;
    co_await tg.wait();
    EXPECT_THROW(tg.create_task(aio::sleep(1ms)), std::logic_error);
  }());
}
