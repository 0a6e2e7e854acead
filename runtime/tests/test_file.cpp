// Files (the ring on io_uring, the thread pool on epoll) and signals.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <system_error>
#include <thread>

#include "common.hpp"

class FileTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(FileTest);
class SignalTest : public aio_test::Backends {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_THREAD__)
    // ThreadSanitizer defers a signal's handler until the thread makes a call it intercepts;
    // the loop waits in epoll_pwait2 or io_uring_enter, which it does not, so the handler would
    // never run. The plain and ASan builds run these tests.
    GTEST_SKIP() << "signal delivery is deferred under ThreadSanitizer";
#endif
    aio_test::Backends::SetUp();
  }
};
AIO_ON_BOTH_BACKENDS(SignalTest);

namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& contents) {
    char name[] = "/tmp/aio_test_XXXXXX";
    const int fd = ::mkstemp(name);
    path = name;
    std::size_t off = 0;
    while (off < contents.size()) {
      const ssize_t n = ::write(fd, contents.data() + off, contents.size() - off);
      if (n <= 0) break;
      off += std::size_t(n);
    }
    ::close(fd);
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

std::string random_bytes(std::size_t n) {
  std::mt19937_64 rng(n);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

}  // namespace

TEST_P(FileTest, ReadsAFileLargerThanOneRead) {
  const std::string data = random_bytes((3 << 20) + 12345);  // reads go in pieces of 1 MiB
  TempFile f(data);
  const std::string got = run(aio::read_file(f.path));
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
}

TEST_P(FileTest, ReadsAnEmptyFileAndAProcFile) {
  TempFile empty("");
  EXPECT_EQ(run(aio::read_file(empty.path)), "");
  const std::string status = run(aio::read_file("/proc/self/status"));  // st_size is 0
  EXPECT_NE(status.find("VmRSS"), std::string::npos);
}

TEST_P(FileTest, AMissingFileIsEnoentNamingThePath) {
  try {
    run(aio::read_file("/no/such/file"));
    FAIL();
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
    EXPECT_NE(std::string(e.what()).find("open /no/such/file"), std::string::npos) << e.what();
  }
}

TEST_P(FileTest, ReadAtOffsets) {
  TempFile f("0123456789");
  run([](std::string path) -> aio::Task<void> {
    aio::File file = co_await aio::File::open(path);
    EXPECT_EQ(file.size(), 10u);
    std::array<std::byte, 4> buf;
    EXPECT_EQ(co_await file.read_at(3, buf), 4u);
    EXPECT_EQ(std::memcmp(buf.data(), "3456", 4), 0);
    EXPECT_EQ(co_await file.read_at(8, buf), 2u);
    EXPECT_EQ(co_await file.read_at(10, buf), 0u);
    // Reads of one file may run at once.
    std::array<std::byte, 2> x, y;
    auto [a, b] = co_await aio::gather(file.read_at(0, x), file.read_at(5, y));
    EXPECT_EQ(a + b, 4u);
    EXPECT_EQ(x[0], std::byte{'0'});
    EXPECT_EQ(y[0], std::byte{'5'});
  }(f.path));
}

TEST_P(FileTest, ManyFilesConcurrently) {
  std::vector<std::unique_ptr<TempFile>> files;
  for (int i = 0; i < 50; ++i) files.push_back(std::make_unique<TempFile>(random_bytes(10'000 + i)));
  run([](std::vector<std::unique_ptr<TempFile>>* files) -> aio::Task<void> {
    std::vector<aio::Task<std::string>> reads;
    for (auto& f : *files) reads.push_back(aio::read_file(f->path));
    auto contents = co_await aio::gather(std::move(reads));
    for (std::size_t i = 0; i < contents.size(); ++i)
      EXPECT_EQ(contents[i], random_bytes(10'000 + i));
  }(&files));
}

TEST_P(FileTest, CancellingAReadIsSafe) {
  const std::string data = random_bytes(8 << 20);
  TempFile f(data);
  run([](std::string path) -> aio::Task<void> {
    for (int i = 0; i < 20; ++i) {
      auto t = aio::create_task(aio::read_file(path));
      co_await aio::sleep(std::chrono::microseconds(100 * i));
      t.cancel();
      try {
        const std::string s = co_await t;
        EXPECT_EQ(s.size(), 8u << 20);  // finished before the cancellation landed
      } catch (const aio::CancelledError&) {
      }
    }
  }(f.path));
}

TEST_P(SignalTest, WaitsForASignalAndRestoresTheHandler) {
  struct sigaction before{};
  ::sigaction(SIGUSR1, nullptr, &before);
  const int sig = run([]() -> aio::Task<int> {
    std::thread t([] {
      std::this_thread::sleep_for(20ms);
      ::kill(::getpid(), SIGUSR1);
    });
    const int s = co_await aio::wait_signal(SIGUSR1, SIGUSR2);
    t.join();
    co_return s;
  }());
  EXPECT_EQ(sig, SIGUSR1);
  struct sigaction after{};
  ::sigaction(SIGUSR1, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

TEST_P(SignalTest, OneWaiterAtATimeAndCancellable) {
  run([]() -> aio::Task<void> {
    auto first = aio::create_task(aio::wait_signal(SIGUSR2));
    co_await aio::sleep(1ms);
    EXPECT_THROW(co_await aio::wait_signal(SIGUSR2), std::logic_error);
    first.cancel();
    EXPECT_THROW(co_await first, aio::CancelledError);
  }());
}
