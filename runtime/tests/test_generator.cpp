// Generator<T>: async generators consumed with co_await gen.next().
#include <memory>
#include <stdexcept>

#include "common.hpp"

using aio_test::Flag;

class GeneratorTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(GeneratorTest);

namespace {

aio::Generator<int> ticker(int upto) {
  for (int i = 0; i < upto; ++i) {
    co_await aio::sleep(2ms);
    co_yield i;
  }
}

aio::Generator<int> nothing() { co_return; }

aio::Generator<int> fails_after(int n) {
  for (int i = 0; i < n; ++i) co_yield i;
  throw std::runtime_error("generator failed");
}

aio::Generator<int> endless(bool* cleaned) {
  Flag f{cleaned};
  for (int i = 0;; ++i) {
    co_await aio::sleep(1ms);
    co_yield i;
  }
}

}  // namespace

TEST_P(GeneratorTest, YieldsInOrderThenEnds) {
  run([]() -> aio::Task<void> {
    std::vector<int> got;
    auto gen = ticker(3);
    while (auto v = co_await gen.next()) got.push_back(*v);
    EXPECT_EQ(got, (std::vector<int>{0, 1, 2}));
    EXPECT_FALSE(co_await gen.next());  // stays ended
  }());
}

TEST_P(GeneratorTest, EmptyGenerator) {
  run([]() -> aio::Task<void> {
    auto gen = nothing();
    EXPECT_FALSE(co_await gen.next());
  }());
}

TEST_P(GeneratorTest, AnExceptionComesOutOfNext) {
  run([]() -> aio::Task<void> {
    auto gen = fails_after(2);
    EXPECT_EQ(*co_await gen.next(), 0);
    EXPECT_EQ(*co_await gen.next(), 1);
    EXPECT_THROW(co_await gen.next(), std::runtime_error);
  }());
}

TEST_P(GeneratorTest, DroppingItEarlyRunsItsDestructors) {
  run([]() -> aio::Task<void> {
    bool cleaned = false;
    {
      auto gen = endless(&cleaned);
      EXPECT_EQ(*co_await gen.next(), 0);
      EXPECT_EQ(*co_await gen.next(), 1);
    }
    EXPECT_TRUE(cleaned);
  }());
}

TEST_P(GeneratorTest, CancellingTheConsumerCancelsInsideTheGenerator) {
  run([]() -> aio::Task<void> {
    bool cleaned = false;
    auto consumer = aio::create_task([](bool* c) -> aio::Task<void> {
      auto gen = endless(c);
      while (co_await gen.next()) {
      }
    }(&cleaned));
    co_await aio::sleep(5ms);
    consumer.cancel();
    EXPECT_THROW(co_await consumer, aio::CancelledError);
    EXPECT_TRUE(cleaned);
  }());
}

TEST_P(GeneratorTest, MoveOnlyValues) {
  run([]() -> aio::Task<void> {
    auto gen = []() -> aio::Generator<std::unique_ptr<int>> {
      co_yield std::make_unique<int>(1);
      co_yield std::make_unique<int>(2);
    }();
    int sum = 0;
    while (auto p = co_await gen.next()) sum += **p;
    EXPECT_EQ(sum, 3);
  }());
}

TEST_P(GeneratorTest, AMillionSynchronousYieldsKeepTheStackFlat) {
  run([]() -> aio::Task<void> {
    auto gen = []() -> aio::Generator<int> {
      for (int i = 0; i < 1'000'000; ++i) co_yield 1;
    }();
    long sum = 0;
    while (auto v = co_await gen.next()) sum += *v;
    EXPECT_EQ(sum, 1'000'000);
  }());
}
