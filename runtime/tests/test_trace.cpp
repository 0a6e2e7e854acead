// Tracing (aio/trace.hpp): off, nothing is written; on, each task has a track with its running,
// ready and waiting spans, what it waited on, its name and marks, and the pool's jobs.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common.hpp"

using namespace aio_test;

namespace {

class TraceTest : public Backends {
 protected:
  void SetUp() override {
    Backends::SetUp();
    char tmpl[] = "/tmp/aio-trace-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ::close(fd);
    ::unlink(tmpl);
    m_path = tmpl;
  }
  void TearDown() override {
    aio::trace::disable();
    std::remove(m_path.c_str());
  }
  std::vector<std::string> lines() const {
    std::ifstream in(m_path);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  static bool has(const std::string& l, const std::string& part) {
    return l.find(part) != std::string::npos;
  }
  // The [ts, ts + dur] of an "X" event, in µs.
  static std::pair<double, double> interval(const std::string& l) {
    const double ts = std::stod(l.substr(l.find("\"ts\":") + 5));
    const double dur = std::stod(l.substr(l.find("\"dur\":") + 6));
    return {ts, ts + dur};
  }
  std::string m_path;
};

AIO_ON_BOTH_BACKENDS(TraceTest);

aio::Task<void> count(int i) {
  aio::trace::name_task("count " + std::to_string(i));
  aio::trace::mark("One");
  co_await aio::sleep(50ms);
  aio::trace::mark("Two");
}

aio::Task<void> three() { co_await aio::gather(count(1), count(2), count(3)); }

}  // namespace

TEST_P(TraceTest, OffByDefaultWritesNothing) {
  ::unsetenv("AIO_TRACE");
  EXPECT_FALSE(aio::trace::enabled());
  run(three());
  EXPECT_TRUE(lines().empty());
}

TEST_P(TraceTest, ThreeSleepingTasksOverlapOnTheirOwnTracks) {
  aio::trace::enable(m_path);
  bool inside = false;
  auto probe = [&]() -> aio::Task<void> {
    inside = aio::trace::enabled();
    co_await three();
  };
  run(probe());
  EXPECT_TRUE(inside);
  EXPECT_FALSE(aio::trace::enabled());  // only while the loop runs
  const auto ls = lines();
  ASSERT_FALSE(ls.empty());
  std::vector<std::pair<double, double>> waits;
  int names = 0, ones = 0, twos = 0;
  for (const auto& l : ls) {
    EXPECT_EQ(l.front(), '{');
    EXPECT_EQ(l.back(), '}');
    EXPECT_TRUE(has(l, "\"pid\":" + std::to_string(::getpid())));
    if (has(l, "\"name\":\"waiting: timer\"")) waits.push_back(interval(l));
    if (has(l, "\"thread_name\"") && has(l, "count ")) ++names;
    if (has(l, "\"ph\":\"i\"") && has(l, "\"One\"")) ++ones;
    if (has(l, "\"ph\":\"i\"") && has(l, "\"Two\"")) ++twos;
  }
  EXPECT_EQ(names, 3);
  EXPECT_EQ(ones, 3);
  EXPECT_EQ(twos, 3);
  ASSERT_EQ(waits.size(), 3u);
  for (const auto& w : waits) EXPECT_GE(w.second - w.first, 49'000.0);  // µs
  // Concurrent: every sleep overlaps every other.
  for (const auto& a : waits)
    for (const auto& b : waits) EXPECT_LT(std::max(a.first, b.first), std::min(a.second, b.second));
}

TEST_P(TraceTest, SaysWhatATaskWaitsOn) {
  aio::trace::enable(m_path);
  auto body = []() -> aio::Task<void> {
    aio::Lock lock;
    auto holder = [&]() -> aio::Task<void> {
      auto g = co_await lock.acquire();
      co_await aio::sleep(20ms);
    };
    auto waiter = [&]() -> aio::Task<void> {
      co_await aio::sleep(1ms);
      auto g = co_await lock.acquire();
    };
    auto blocking = [] { ::usleep(20'000); };
    co_await aio::gather(holder(), waiter(), aio::to_thread(blocking));
  };
  run(body());
  std::string all;
  for (const auto& l : lines()) all += l + "\n";
  EXPECT_TRUE(has(all, "\"waiting: lock\"")) << all;
  EXPECT_TRUE(has(all, "\"waiting: thread pool\"")) << all;
  EXPECT_TRUE(has(all, "\"waiting: tasks\"")) << all;
  EXPECT_TRUE(has(all, "\"pool thread 1\"")) << all;
  EXPECT_TRUE(has(all, "\"to_thread (task ")) << all;
}

TEST_P(TraceTest, EnvironmentVariableSwitchesItOn) {
  ::setenv("AIO_TRACE", m_path.c_str(), 1);
  run(three());
  ::unsetenv("AIO_TRACE");
  EXPECT_FALSE(lines().empty());
}
