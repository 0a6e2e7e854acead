// Readiness waits on descriptors the caller owns (wait_readable / wait_writable), on both
// backends: pipes and socketpairs becoming readable or writable, hang-ups, cancellation by
// wait_for, Task::cancel and a TaskGroup (after which the descriptor can be waited on again and
// closed, and no epoll registration is left behind), errors, and many waits at once.
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "common.hpp"

class ReadyTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(ReadyTest);

namespace {

// Generous bound on any wait that should complete: a broken wait fails the test instead of
// hanging it until ctest's timeout.
constexpr auto patience = 10s;

struct Pipe {
  int r = -1;
  int w = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
      throw std::system_error(errno, std::system_category(), "pipe2");
    r = fds[0];
    w = fds[1];
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() { close(); }
  void close() {
    if (r >= 0) ::close(r);
    if (w >= 0) ::close(w);
    r = w = -1;
  }
};

struct SocketPair {
  int a = -1;
  int b = -1;
  SocketPair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0)
      throw std::system_error(errno, std::system_category(), "socketpair");
    a = fds[0];
    b = fds[1];
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
  ~SocketPair() {
    if (a >= 0) ::close(a);
    if (b >= 0) ::close(b);
  }
};

// Is `fd` in any epoll set of this process? Read from /proc/self/fdinfo of every eventpoll
// descriptor ("tfd: N" per registration), so the test sees what the kernel holds, not what aio
// believes.
bool in_an_epoll_set(int fd) {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return false;
  bool found = false;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    char target[256] = {};
    const std::string link = std::string("/proc/self/fd/") + e->d_name;
    if (::readlink(link.c_str(), target, sizeof target - 1) <= 0) continue;
    if (std::string(target) != "anon_inode:[eventpoll]") continue;
    std::ifstream info(std::string("/proc/self/fdinfo/") + e->d_name);
    std::string line;
    while (std::getline(info, line)) {
      std::istringstream in(line);
      std::string key;
      int tfd = -1;
      if (in >> key >> tfd && key == "tfd:" && tfd == fd) found = true;
    }
  }
  ::closedir(d);
  return found;
}

// Writes into a non-blocking descriptor until it would block.
void fill(int fd) {
  static const std::vector<char> chunk(64 * 1024, 'f');
  while (::write(fd, chunk.data(), chunk.size()) > 0) {
  }
  ASSERT_EQ(errno, EAGAIN);
}

// Reads a non-blocking descriptor until it would block; returns the count.
std::size_t drain(int fd) {
  std::vector<char> buf(64 * 1024);
  std::size_t total = 0;
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) total += static_cast<std::size_t>(n);
  return total;
}

int error_of(const std::system_error& e) { return e.code().value(); }

}  // namespace

TEST_P(ReadyTest, APipeBecomesReadableOnlyAfterTheWrite) {
  run([]() -> aio::Task<void> {
    Pipe p;
    const int flags = ::fcntl(p.r, F_GETFL);
    bool written = false;
    auto writer = aio::create_task([](int fd, bool* written) -> aio::Task<void> {
      co_await aio::sleep(20ms);
      *written = true;
      EXPECT_EQ(::write(fd, "x", 1), 1);
    }(p.w, &written));
    co_await aio::wait_for(aio::wait_readable(p.r), patience);
    EXPECT_TRUE(written) << "the wait completed before anything was written";
    char c = 0;
    EXPECT_EQ(::read(p.r, &c, 1), 1);
    EXPECT_EQ(c, 'x');
    co_await writer;
    EXPECT_EQ(::fcntl(p.r, F_GETFL), flags) << "aio changed the descriptor's flags";
    EXPECT_FALSE(in_an_epoll_set(p.r));
  }());
}

TEST_P(ReadyTest, AnEmptyPipesWriteEndIsWritableAtOnce) {
  run([]() -> aio::Task<void> {
    Pipe p;
    co_await aio::wait_for(aio::wait_writable(p.w), patience);
    EXPECT_FALSE(in_an_epoll_set(p.w));
  }());
}

TEST_P(ReadyTest, AFullPipeBecomesWritableOnlyAfterTheReaderDrains) {
  run([]() -> aio::Task<void> {
    Pipe p;
    fill(p.w);
    bool drained = false;
    auto reader = aio::create_task([](int fd, bool* drained) -> aio::Task<void> {
      co_await aio::sleep(20ms);
      EXPECT_GT(drain(fd), 0u);
      *drained = true;
    }(p.r, &drained));
    co_await aio::wait_for(aio::wait_writable(p.w), patience);
    EXPECT_TRUE(drained) << "the full pipe was reported writable";
    EXPECT_EQ(::write(p.w, "y", 1), 1);
    co_await reader;
  }());
}

TEST_P(ReadyTest, ThePeerClosingASocketpairMakesItReadable) {
  run([]() -> aio::Task<void> {
    SocketPair s;
    bool closed = false;
    auto closer = aio::create_task([](int* fd, bool* closed) -> aio::Task<void> {
      co_await aio::sleep(20ms);
      ::close(*fd);
      *fd = -1;
      *closed = true;
    }(&s.b, &closed));
    co_await aio::wait_for(aio::wait_readable(s.a), patience);
    EXPECT_TRUE(closed);
    char c;
    EXPECT_EQ(::recv(s.a, &c, 1, 0), 0) << "the next read reports the end of stream";
    co_await closer;
  }());
}

TEST_P(ReadyTest, AHangUpEndsAPendingWriteWaitAndTheWriteReportsIt) {
  run([]() -> aio::Task<void> {
    SocketPair s;
    fill(s.a);
    auto closer = aio::create_task([](int* fd) -> aio::Task<void> {
      co_await aio::sleep(20ms);
      ::close(*fd);  // with unread bytes: the survivor sees an error and a hang-up
      *fd = -1;
    }(&s.b));
    co_await aio::wait_for(aio::wait_writable(s.a), patience);
    EXPECT_EQ(s.b, -1) << "the write wait completed before the hang-up";
    const ssize_t sent = ::send(s.a, "z", 1, MSG_NOSIGNAL);
    const int err = errno;
    EXPECT_EQ(sent, -1);
    EXPECT_TRUE(err == EPIPE || err == ECONNRESET) << err;
    co_await closer;
  }());
}

TEST_P(ReadyTest, AWaitForTimeoutRemovesTheInterestAndTheDescriptorCanBeWaitedOnAgain) {
  run([]() -> aio::Task<void> {
    Pipe p;
    for (int round = 0; round < 3; ++round) {
      EXPECT_THROW(co_await aio::wait_for(aio::wait_readable(p.r), 30ms), aio::TimeoutError);
      EXPECT_FALSE(in_an_epoll_set(p.r)) << "round " << round;
      EXPECT_EQ(::write(p.w, "x", 1), 1);
      co_await aio::wait_for(aio::wait_readable(p.r), patience);
      EXPECT_EQ(drain(p.r), 1u);
    }
    p.close();  // nothing of aio's refers to it any more
  }());
}

TEST_P(ReadyTest, CancellingTheWaitingTaskRemovesTheInterest) {
  run([]() -> aio::Task<void> {
    Pipe p;
    auto t = aio::create_task(aio::wait_readable(p.r));
    co_await aio::sleep(10ms);
    EXPECT_FALSE(t.done());
    if (aio::current_backend() == aio::Backend::epoll) EXPECT_TRUE(in_an_epoll_set(p.r));
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
    EXPECT_FALSE(in_an_epoll_set(p.r));
    EXPECT_EQ(::write(p.w, "x", 1), 1);
    co_await aio::wait_for(aio::wait_readable(p.r), patience);
    const int r = p.r;
    p.close();
    // The number may come back for a new pipe: waiting on it starts from nothing.
    Pipe q;
    EXPECT_EQ(::write(q.w, "x", 1), 1);
    co_await aio::wait_for(aio::wait_readable(q.r), patience);
    EXPECT_FALSE(in_an_epoll_set(r));
  }());
}

TEST_P(ReadyTest, ATaskGroupFailureCancelsTheWaitAndTheDescriptorCanBeWaitedOnAgain) {
  run([]() -> aio::Task<void> {
    SocketPair s;
    {
      aio::TaskGroup tg;
      tg.create_task(aio::wait_readable(s.a));
      tg.create_task([]() -> aio::Task<void> {
        co_await aio::sleep(10ms);
        throw std::runtime_error("member failed");
      }());
      EXPECT_THROW(co_await tg.wait(), std::runtime_error);
    }
    EXPECT_FALSE(in_an_epoll_set(s.a));
    EXPECT_EQ(::send(s.b, "x", 1, 0), 1);
    co_await aio::wait_for(aio::wait_readable(s.a), patience);
  }());
}

TEST_P(ReadyTest, AReadWaitAndAWriteWaitShareADescriptor) {
  run([]() -> aio::Task<void> {
    SocketPair s;
    auto reading = aio::create_task(aio::wait_readable(s.a));
    co_await aio::sleep(10ms);
    co_await aio::wait_for(aio::wait_writable(s.a), patience);  // at once, while the read waits
    EXPECT_FALSE(reading.done());
    EXPECT_EQ(::send(s.b, "x", 1, 0), 1);
    co_await aio::wait_for(reading, patience);
    EXPECT_FALSE(in_an_epoll_set(s.a));
  }());
}

TEST_P(ReadyTest, ASecondWaitInTheSameDirectionIsALogicError) {
  run([]() -> aio::Task<void> {
    Pipe p;
    auto first = aio::create_task(aio::wait_readable(p.r));
    co_await aio::sleep(10ms);
    try {
      co_await aio::wait_readable(p.r);
      ADD_FAILURE() << "a second read wait was accepted";
    } catch (const std::logic_error& e) {
      EXPECT_NE(std::string(e.what()).find("already waiting for fd " + std::to_string(p.r)),
                std::string::npos)
          << e.what();
    }
    EXPECT_FALSE(first.done());
    first.cancel();
    EXPECT_THROW(co_await first, aio::CancelledError);
    EXPECT_FALSE(in_an_epoll_set(p.r));
  }());
}

TEST_P(ReadyTest, ABadDescriptorIsEbadf) {
  run([]() -> aio::Task<void> {
    int closed;
    {
      Pipe p;
      closed = p.r;
    }
    const int bad[] = {-1, closed};
    for (int fd : bad) {
      try {
        co_await aio::wait_readable(fd);
        ADD_FAILURE() << "waited on fd " << fd;
      } catch (const std::system_error& e) {
        EXPECT_EQ(error_of(e), EBADF);
        EXPECT_NE(std::string(e.what()).find("wait_readable fd " + std::to_string(fd)),
                  std::string::npos)
            << e.what();
      }
      try {
        co_await aio::wait_writable(fd);
        ADD_FAILURE() << "waited on fd " << fd;
      } catch (const std::system_error& e) {
        EXPECT_EQ(error_of(e), EBADF);
        EXPECT_NE(std::string(e.what()).find("wait_writable fd"), std::string::npos) << e.what();
      }
    }
  }());
}

TEST_P(ReadyTest, ARegularFileOrADirectoryIsRefusedWithEperm) {
  run([]() -> aio::Task<void> {
    char path[] = "/tmp/aio-ready-XXXXXX";
    const int file = ::mkstemp(path);
    CO_ASSERT(file >= 0);
    ::unlink(path);
    const int dir = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CO_ASSERT(dir >= 0);
    const int fds[] = {file, dir};
    for (int fd : fds) {
      try {
        co_await aio::wait_readable(fd);
        ADD_FAILURE() << "waited on fd " << fd;
      } catch (const std::system_error& e) {
        EXPECT_EQ(error_of(e), EPERM);
        EXPECT_NE(std::string(e.what()).find("cannot be waited on"), std::string::npos) << e.what();
      }
      EXPECT_FALSE(in_an_epoll_set(fd));
    }
    ::close(file);
    ::close(dir);
  }());
}

TEST_P(ReadyTest, ACharacterDeviceWithoutPollIsReadyAtOnce) {
  run([]() -> aio::Task<void> {
    const int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    CO_ASSERT(fd >= 0);
    co_await aio::wait_for(aio::wait_readable(fd), patience);
    co_await aio::wait_for(aio::wait_writable(fd), patience);
    EXPECT_FALSE(in_an_epoll_set(fd));
    ::close(fd);
  }());
}

TEST_P(ReadyTest, AHundredConcurrentWaitersOnDifferentPipesAllComplete) {
  run([]() -> aio::Task<void> {
    constexpr int n = 100;
    std::vector<std::unique_ptr<Pipe>> pipes;
    for (int i = 0; i < n; ++i) pipes.push_back(std::make_unique<Pipe>());
    std::vector<aio::Task<void>> waits;
    for (auto& p : pipes) waits.push_back(aio::wait_readable(p->r));
    auto writer =
        aio::create_task([](std::vector<std::unique_ptr<Pipe>>* pipes) -> aio::Task<void> {
          co_await aio::sleep(20ms);
          for (auto it = pipes->rbegin(); it != pipes->rend(); ++it) {  // in reverse, for variety
            EXPECT_EQ(::write((*it)->w, "x", 1), 1);
            co_await aio::sleep(0s);
          }
        }(&pipes));
    co_await aio::wait_for(aio::gather(std::move(waits)), patience);
    co_await writer;
    for (auto& p : pipes) {
      EXPECT_EQ(drain(p->r), 1u);
      EXPECT_FALSE(in_an_epoll_set(p->r));
    }
  }());
}
