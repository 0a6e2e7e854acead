// Shared by aio's tests: every behaviour runs on both backends (uvloop writes each test once
// and runs it on both loops), skipped where io_uring is not available.
#pragma once

#include <gtest/gtest.h>

#include <aio/aio.hpp>
#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace aio_test {

bool io_uring_available();

class Backends : public ::testing::TestWithParam<aio::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == aio::Backend::io_uring && !io_uring_available())
      GTEST_SKIP() << "io_uring is not available on this machine";
  }
  template <class T>
  T run(aio::Task<T> t) {
    return aio::run(std::move(t), GetParam());
  }
};

std::string backend_name(const ::testing::TestParamInfo<aio::Backend>& info);

struct Stopwatch {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
};

// Runs the body's destructor at scope end and records that it ran (RAII in cancelled tasks).
struct Flag {
  bool* f;
  ~Flag() { *f = true; }
};

}  // namespace aio_test

// ASSERT_* returns, which a coroutine cannot: this fails the test and leaves a Task<void> body.
#define CO_ASSERT(cond)                              \
  do {                                               \
    if (!(cond)) {                                   \
      ADD_FAILURE() << "assertion failed: " #cond;   \
      co_return;                                     \
    }                                                \
  } while (false)

#define AIO_ON_BOTH_BACKENDS(Suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(, Suite,                                                       \
                           ::testing::Values(aio::Backend::epoll, aio::Backend::io_uring), \
                           ::aio_test::backend_name)
