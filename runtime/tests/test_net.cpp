// TCP streams and listeners on both backends: echo integrity at scale, end of stream, resets,
// refused connections, timeouts, cancellation of every pending operation, servers that survive
// misbehaving clients, and recovery from running out of descriptors.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "common.hpp"

using aio_test::Stopwatch;

class NetTest : public aio_test::Backends {};
AIO_ON_BOTH_BACKENDS(NetTest);

namespace {

std::byte pattern(int id, std::size_t i) {
  return static_cast<std::byte>((id * 131 + i * 7 + (i >> 9)) & 0xff);
}

// Echoes until the peer ends its side; a peer that resets ends only its own connection.
aio::Task<void> echo_connection(aio::TcpStream conn) {
  std::vector<std::byte> buf(16 * 1024);
  try {
    for (;;) {
      const std::size_t n = co_await conn.read_some(buf);
      if (n == 0) break;
      co_await conn.write_all(std::span(buf).first(n));
    }
  } catch (const std::system_error&) {
  }
}

aio::Task<void> echo_server(aio::TcpListener& l) {
  aio::TaskGroup clients;
  for (;;) {
    aio::TcpStream conn = co_await l.accept();
    clients.create_task(echo_connection(std::move(conn)));
  }
}

aio::Task<void> write_pattern(aio::TcpStream* s, int id, std::size_t size) {
  std::vector<std::byte> chunk(16 * 1024);
  for (std::size_t off = 0; off < size;) {
    const std::size_t n = std::min(chunk.size(), size - off);
    for (std::size_t i = 0; i < n; ++i) chunk[i] = pattern(id, off + i);
    co_await s->write_all(std::span(chunk).first(n));
    off += n;
  }
  s->shutdown_write();
}

// Reads to the end of the stream, checking every byte; returns how many matched.
aio::Task<std::size_t> read_pattern(aio::TcpStream* s, int id) {
  std::vector<std::byte> buf(16 * 1024);
  std::size_t got = 0;
  for (;;) {
    const std::size_t n = co_await s->read_some(buf);
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i)
      if (buf[i] != pattern(id, got + i)) co_return SIZE_MAX;  // corrupted
    got += n;
  }
  co_return got;
}

aio::Task<std::size_t> echo_client(std::uint16_t port, int id, std::size_t size) {
  aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", port);
  // Full duplex: the writer and the reader run at once on the same stream.
  auto [unused, got] = co_await aio::gather(write_pattern(&s, id, size), read_pattern(&s, id));
  co_return got;
}

// Raises the soft descriptor limit as far as allowed; returns how many connections fit.
int connections_that_fit(int wanted) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &rl);
  const long fit = (static_cast<long>(rl.rlim_cur) - 64) / 2;  // client and server side each
  return static_cast<int>(std::min<long>(wanted, fit));
}

void reset_on_close(aio::TcpStream& s) {
  linger lg{1, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

// A connected pair of streams: the client's end and the server's.
struct Pair {
  aio::TcpListener listener;
  aio::TcpStream client;
  aio::TcpStream server;
};
aio::Task<Pair> connected_pair() {
  Pair p;
  p.listener = aio::TcpListener::bind("127.0.0.1", 0);
  p.client = co_await aio::TcpStream::connect("127.0.0.1", p.listener.port());
  p.server = co_await p.listener.accept();
  co_return p;
}

}  // namespace

TEST_P(NetTest, EchoAThousandConnectionsOfRandomSizesEveryByteChecked) {
  const int n = connections_that_fit(1000);
  ASSERT_GE(n, 100) << "RLIMIT_NOFILE too low for this test";
  run([](int n) -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    auto server = aio::create_task(echo_server(listener));
    std::mt19937 rng(2026);
    std::vector<std::size_t> sizes;
    std::vector<aio::Task<std::size_t>> clients;
    for (int i = 0; i < n; ++i) {
      // Log-uniform from 1 byte to 1 MiB: every scale is covered, the total stays modest.
      const double e = std::uniform_real_distribution<double>(0.0, 20.0)(rng);
      sizes.push_back(std::max<std::size_t>(1, static_cast<std::size_t>(std::exp2(e))));
      clients.push_back(echo_client(listener.port(), i, sizes.back()));
    }
    std::vector<std::size_t> got = co_await aio::gather(std::move(clients));
    EXPECT_EQ(got, sizes);
    server.cancel();
  }(n));
}

TEST_P(NetTest, EndOfStreamAfterHalfClose) {
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    auto server = aio::create_task(echo_server(listener));
    aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", listener.port());
    co_await s.write_all(std::string_view("half"));
    s.shutdown_write();
    std::array<std::byte, 4> buf;
    co_await s.read_exact(buf);
    EXPECT_EQ(std::memcmp(buf.data(), "half", 4), 0);
    EXPECT_EQ(co_await s.read_some(buf), 0u);  // the server closed after echoing
    EXPECT_EQ(co_await s.read_some(buf), 0u);  // and stays at the end
    server.cancel();
  }());
}

TEST_P(NetTest, ReadExactThrowsIncompleteReadError) {
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    auto server = aio::create_task([](aio::TcpListener* l) -> aio::Task<void> {
      aio::TcpStream c = co_await l->accept();
      co_await c.write_all(std::string_view("abc"));
    }(&listener));
    aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", listener.port());
    std::array<std::byte, 5> buf;
    try {
      co_await s.read_exact(buf);
      ADD_FAILURE() << "read_exact returned";
    } catch (const aio::IncompleteReadError& e) {
      EXPECT_EQ(e.partial(), 3u);
      EXPECT_EQ(e.expected(), 5u);
    }
    co_await server;
  }());
}

TEST_P(NetTest, ConnectRefusedIsASystemErrorNamingTheEndpoint) {
  run([]() -> aio::Task<void> {
    std::uint16_t port;
    {
      auto l = aio::TcpListener::bind("127.0.0.1", 0);
      port = l.port();
    }
    try {
      co_await aio::TcpStream::connect("127.0.0.1", port);
      ADD_FAILURE() << "connected to a closed port";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code().value(), ECONNREFUSED);
      EXPECT_NE(std::string(e.what()).find("connect 127.0.0.1:" + std::to_string(port)), std::string::npos)
          << e.what();
    }
  }());
}

TEST_P(NetTest, ConnectResolvesNames) {
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    auto server = aio::create_task(echo_server(listener));
    aio::TcpStream s = co_await aio::TcpStream::connect("localhost", listener.port());
    co_await s.write_all(std::string_view("x"));
    std::array<std::byte, 1> b;
    co_await s.read_exact(b);
    EXPECT_EQ(b[0], std::byte{'x'});
    server.cancel();
  }());
}

TEST_P(NetTest, BindingABusyPortIsEaddrinuse) {
  auto a = aio::TcpListener::bind("127.0.0.1", 0);
  try {
    auto b = aio::TcpListener::bind("127.0.0.1", a.port());
    FAIL() << "bound twice";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EADDRINUSE);
    EXPECT_NE(std::string(e.what()).find("bind 127.0.0.1:"), std::string::npos);
  }
}

TEST_P(NetTest, ResetMidReadIsEconnreset) {
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    auto reader = aio::create_task([](aio::TcpListener* l) -> aio::Task<int> {
      aio::TcpStream c = co_await l->accept();
      std::array<std::byte, 64> buf;
      try {
        co_await c.read_some(buf);
      } catch (const std::system_error& e) {
        co_return e.code().value();
      }
      co_return 0;
    }(&listener));
    aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", listener.port());
    co_await aio::sleep(10ms);  // the reader is waiting
    reset_on_close(s);
    s.close();
    EXPECT_EQ(co_await reader, ECONNRESET);
  }());
}

TEST_P(NetTest, ResetMidWriteIsAnErrorNotSigpipe) {
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    auto writer = aio::create_task([](aio::TcpListener* l) -> aio::Task<int> {
      aio::TcpStream c = co_await l->accept();
      std::vector<std::byte> big(64 << 20, std::byte{7});
      try {
        co_await c.write_all(big);
      } catch (const std::system_error& e) {
        co_return e.code().value();
      }
      co_return 0;
    }(&listener));
    aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", listener.port());
    std::array<std::byte, 1024> buf;
    co_await s.read_some(buf);  // the writer is under way
    reset_on_close(s);
    s.close();
    const int err = co_await writer;
    EXPECT_TRUE(err == ECONNRESET || err == EPIPE) << err;
  }());
}

TEST_P(NetTest, AcceptHandsOutAConnectionResetBeforeItWasAccepted) {
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    {
      aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", listener.port());
      reset_on_close(s);
    }
    co_await aio::sleep(10ms);
    aio::TcpStream c = co_await listener.accept();
    std::array<std::byte, 8> buf;
    try {
      co_await c.read_some(buf);
      ADD_FAILURE() << "no reset reported";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code().value(), ECONNRESET);
    }
  }());
}

TEST_P(NetTest, ReadTimeoutViaWaitForLeavesTheStreamUsable) {
  run([]() -> aio::Task<void> {
    auto [listener, client, server_side] = co_await connected_pair();
    std::array<std::byte, 16> buf;
    Stopwatch sw;
    EXPECT_THROW(co_await aio::wait_for(client.read_some(buf), 50ms), aio::TimeoutError);
    EXPECT_GE(sw.seconds(), 0.050);
    co_await server_side.write_all(std::string_view("late"));
    std::array<std::byte, 4> four;
    co_await client.read_exact(four);
    EXPECT_EQ(std::memcmp(four.data(), "late", 4), 0);
  }());
}

TEST_P(NetTest, CancellingAPendingReadLeavesTheStreamUsable) {
  run([]() -> aio::Task<void> {
    auto [listener, client, server_side] = co_await connected_pair();
    std::array<std::byte, 16> buf;
    auto t = aio::create_task(client.read_some(buf));
    co_await aio::sleep(5ms);
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
    co_await server_side.write_all(std::string_view("ok"));
    EXPECT_EQ(co_await client.read_some(buf), 2u);
  }());
}

TEST_P(NetTest, CancellingAPendingWriteThenClosing) {
  run([]() -> aio::Task<void> {
    auto [listener, client, server_side] = co_await connected_pair();
    std::vector<std::byte> big(64 << 20, std::byte{1});
    auto t = aio::create_task(client.write_all(big));
    co_await aio::sleep(20ms);  // the socket buffers are full; the write waits
    EXPECT_FALSE(t.done());
    t.cancel();
    EXPECT_THROW(co_await t, aio::CancelledError);
    client.close();
    EXPECT_FALSE(client.is_open());
  }());
}

TEST_P(NetTest, CancellingAPendingAcceptLeavesTheListenerUsable) {
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    auto t = aio::create_task(listener.accept());
    co_await aio::sleep(5ms);
    t.cancel();
    EXPECT_THROW(co_await std::move(t), aio::CancelledError);
    auto server = aio::create_task(echo_server(listener));
    aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", listener.port());
    co_await s.write_all(std::string_view("again"));
    std::array<std::byte, 5> buf;
    co_await s.read_exact(buf);
    server.cancel();
  }());
}

TEST_P(NetTest, CancellingAPendingConnect) {
  run([]() -> aio::Task<void> {
    // A listener that never accepts, with a backlog of one: after a couple of connections the
    // kernel drops further SYNs, and those connects hang.
    auto listener = aio::TcpListener::bind("127.0.0.1", 0, 1);
    std::vector<aio::TcpStream> filled;
    aio::Task<aio::TcpStream> hanging;
    for (int i = 0; i < 8; ++i) {
      auto t = aio::create_task(aio::TcpStream::connect("127.0.0.1", listener.port()));
      co_await aio::sleep(20ms);
      if (!t.done()) {
        hanging = std::move(t);
        break;
      }
      filled.push_back(co_await std::move(t));
    }
    CO_ASSERT(hanging.valid());
    hanging.cancel();
    EXPECT_THROW(co_await std::move(hanging), aio::CancelledError);
  }());
}

TEST_P(NetTest, ClosingAStreamFailsTheOtherTasksPendingRead) {
  run([]() -> aio::Task<void> {
    auto [listener, client, server_side] = co_await connected_pair();
    std::array<std::byte, 16> buf;
    auto t = aio::create_task(client.read_some(buf));
    co_await aio::sleep(5ms);
    client.close();
    try {
      co_await t;
      ADD_FAILURE() << "the read survived the close";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code().value(), ECANCELED);
    }
    EXPECT_THROW(co_await client.read_some(buf), std::system_error);  // EBADF now
  }());
}

TEST_P(NetTest, ASecondConcurrentReadIsALogicError) {
  run([]() -> aio::Task<void> {
    auto [listener, client, server_side] = co_await connected_pair();
    std::array<std::byte, 16> a, b;
    auto first = aio::create_task(client.read_some(a));
    co_await aio::sleep(5ms);
    EXPECT_THROW(co_await client.read_some(b), std::logic_error);
    first.cancel();
    EXPECT_THROW(co_await first, aio::CancelledError);
  }());
}

TEST_P(NetTest, TheServerSurvivesResetsHalfClosesAndVanishingClients) {
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    auto server = aio::create_task(echo_server(listener));
    const auto port = listener.port();
    {  // resets in the middle of a message it will never finish reading
      aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", port);
      std::vector<std::byte> big(4 << 20, std::byte{3});
      co_await s.write_all(std::span(big).first(1 << 20));
      reset_on_close(s);
    }
    {  // half-closes: still gets its echo, then the end of stream
      aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", port);
      co_await s.write_all(std::string_view("bye"));
      s.shutdown_write();
      std::array<std::byte, 3> buf;
      co_await s.read_exact(buf);
      std::array<std::byte, 1> rest;
      EXPECT_EQ(co_await s.read_some(rest), 0u);
    }
    {  // connects and vanishes at once
      aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", port);
    }
    co_await aio::sleep(10ms);
    EXPECT_FALSE(server.done());
    aio::TcpStream s = co_await aio::TcpStream::connect("127.0.0.1", port);
    co_await s.write_all(std::string_view("still here"));
    std::array<std::byte, 10> buf;
    co_await s.read_exact(buf);
    EXPECT_EQ(std::memcmp(buf.data(), "still here", 10), 0);
    server.cancel();
  }());
}

TEST_P(NetTest, MovingAndDestroyingClosesTheSocketExactlyOnce) {
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    aio::TcpStream a = co_await aio::TcpStream::connect("127.0.0.1", listener.port());
    const int fd = a.native_handle();
    aio::TcpStream b = std::move(a);
    EXPECT_FALSE(a.is_open());
    EXPECT_EQ(b.native_handle(), fd);
    aio::TcpStream c;
    c = std::move(b);
    { aio::TcpStream gone = std::move(c); }
    co_await aio::sleep(1ms);  // an io_uring close is a ring operation: let it be submitted
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
    // A new descriptor may reuse the number; the moved-from streams must not close it.
    const int again = ::socket(AF_INET, SOCK_STREAM, 0);
    a = aio::TcpStream();
    b.close();
    co_await aio::sleep(1ms);
    EXPECT_NE(::fcntl(again, F_GETFD), -1);
    ::close(again);
  }());
}

TEST_P(NetTest, WritesToAClosedPeerNeverRaiseSigpipe) {
  // Were SIGPIPE raised, its default action would kill this test process.
  run([]() -> aio::Task<void> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    aio::TcpStream client = co_await aio::TcpStream::connect("127.0.0.1", listener.port());
    { aio::TcpStream server_side = co_await listener.accept(); }
    co_await aio::sleep(10ms);
    std::vector<std::byte> data(1 << 16, std::byte{9});
    int err = 0;
    for (int i = 0; i < 50 && err == 0; ++i) {
      try {
        co_await client.write_all(data);
      } catch (const std::system_error& e) {
        err = e.code().value();
      }
    }
    EXPECT_TRUE(err == EPIPE || err == ECONNRESET) << err;
  }());
}

// The server runs in a child process whose descriptor limit is low; the parent opens more
// connections than the child can hold. accept hits EMFILE, backs off without burning the CPU,
// and serves the rest once the first clients leave.
TEST_P(NetTest, AcceptBacksOffOnEmfileAndRecovers) {
  int port_pipe[2];
  ASSERT_EQ(::pipe(port_pipe), 0);
  const aio::Backend backend = GetParam();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(port_pipe[0]);
    rlimit rl{48, 48};
    ::setrlimit(RLIMIT_NOFILE, &rl);
    try {
      aio::run([](int wfd) -> aio::Task<void> {
        auto listener = aio::TcpListener::bind("127.0.0.1", 0);
        const std::uint16_t port = listener.port();
        [[maybe_unused]] ssize_t w = ::write(wfd, &port, sizeof port);
        ::close(wfd);
        auto server = aio::create_task(echo_server(listener));
        co_await aio::wait_signal(SIGTERM);
        server.cancel();
      }(port_pipe[1]), backend);
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  ::close(port_pipe[1]);
  std::uint16_t port = 0;
  ASSERT_EQ(::read(port_pipe[0], &port, sizeof port), ssize_t(sizeof port));
  ::close(port_pipe[0]);

  constexpr int n = 80;
  std::vector<int> fds;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < n; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ASSERT_EQ(::send(fd, "x", 1, 0), 1);
    fds.push_back(fd);
  }
  auto cpu_ticks = [pid] {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), {});
    std::istringstream in(s.substr(s.rfind(')') + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {
      if (i == 14) utime = std::stol(field);
      if (i == 15) stime = std::stol(field);
    }
    return utime + stime;
  };
  ::usleep(200'000);  // the child is now out of descriptors, with connections pending
  const long before = cpu_ticks();
  ::usleep(600'000);
  const long spent_ms = (cpu_ticks() - before) * 1000 / ::sysconf(_SC_CLK_TCK);
  EXPECT_LT(spent_ms, 200) << "accept spins while out of descriptors";

  // Some connections were served, not all: the child really ran out of descriptors.
  int served_first = 0;
  std::vector<bool> echoed(n);
  for (int i = 0; i < n; ++i) {
    char c = 0;
    echoed[i] = ::recv(fds[i], &c, 1, MSG_DONTWAIT) == 1;
    served_first += echoed[i];
  }
  EXPECT_GT(served_first, 0);
  EXPECT_LT(served_first, n) << "the descriptor limit was never reached";
  // Close the first half to give the child descriptors back.
  for (int i = 0; i < n / 2; ++i) ::close(fds[i]);
  int served_later = 0;
  for (int i = n / 2; i < n; ++i) {
    char c = 0;
    if (echoed[i] || (::recv(fds[i], &c, 1, 0) == 1 && c == 'x')) ++served_later;
    ::close(fds[i]);
  }
  EXPECT_EQ(served_later, n - n / 2) << "accept did not recover";
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// Kernels before 5.19 have no multishot accept; this one does, so force the single-shot path.
TEST(NetIoUring, SingleShotAcceptPath) {
  if (!aio_test::io_uring_available()) GTEST_SKIP() << "io_uring is not available";
  ::setenv("AIO_IO_URING_MULTISHOT_ACCEPT", "0", 1);
  const std::string description = aio::run([]() -> aio::Task<std::string> {
    auto listener = aio::TcpListener::bind("127.0.0.1", 0);
    auto server = aio::create_task(echo_server(listener));
    std::vector<aio::Task<std::size_t>> clients;
    for (int i = 0; i < 20; ++i) clients.push_back(echo_client(listener.port(), i, 1000 + i));
    const std::vector<std::size_t> got = co_await aio::gather(std::move(clients));
    for (int i = 0; i < 20; ++i) EXPECT_EQ(got[i], std::size_t(1000 + i));
    server.cancel();
    co_return aio::backend_description();
  }(), aio::Backend::io_uring);
  ::unsetenv("AIO_IO_URING_MULTISHOT_ACCEPT");
  EXPECT_NE(description.find("single-shot accept"), std::string::npos) << description;
}
