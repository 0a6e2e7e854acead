#include "load.hpp"

#include "proc.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

namespace asyncbench {

namespace {

std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

double own_cpu_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// The bytes messages are cut from: message k of connection c starts at offset (c·7 + k·13) mod
// 251 of this buffer, so neighbouring messages and connections differ and a byte from the
// wrong message or connection does not pass the check.
std::vector<unsigned char> make_pattern(std::size_t size) {
  std::vector<unsigned char> p(size + 256);
  std::uint32_t x = 2463534242u;
  for (auto& b : p) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<unsigned char>(x);
  }
  return p;
}

struct Conn {
  int fd = -1;
  int index = 0;
  std::uint64_t seq = 0;  // messages started on this connection
  const unsigned char* msg = nullptr;
  std::size_t sent = 0;
  std::size_t received = 0;
  bool busy = false;  // a message is out, its echo not complete
  bool dead = false;
  bool finished = false;  // --requests: made its requests and closed (not a loss)
  std::int64_t started_ns = 0;       // closed loop: sent; open loop: due
  std::deque<std::int64_t> backlog;  // open loop: due times of requests waiting for this conn
  std::uint64_t done_in_window = 0;
};

class EchoLoad {
 public:
  explicit EchoLoad(const LoadOptions& o) : m_o(o), m_pattern(make_pattern(o.size)) {}
  ~EchoLoad() {
    for (auto& c : m_conns)
      if (c.fd >= 0) ::close(c.fd);
    if (m_ep >= 0) ::close(m_ep);
  }

  LoadResult run();

 private:
  void fail(std::string why) {
    if (m_r.error.empty()) m_r.error = std::move(why);
  }
  void connect_all();
  void start(Conn& c, std::int64_t started_ns);
  void write_some(Conn& c);
  void read_some(Conn& c, std::int64_t now);
  void complete(Conn& c, std::int64_t now);
  void lose(Conn& c, const char* why);
  bool measured(std::int64_t started_ns) const {
    return m_window_open && started_ns >= m_t_measure && started_ns < m_t_end;
  }

  const LoadOptions& m_o;
  std::vector<unsigned char> m_pattern;
  std::vector<Conn> m_conns;
  int m_ep = -1;
  LoadResult m_r;
  bool m_window_open = false;
  std::int64_t m_t_measure = 0;
  std::int64_t m_t_end = 0;
  std::vector<unsigned char> m_buf = std::vector<unsigned char>(64 * 1024);
};

void EchoLoad::connect_all() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* ai = nullptr;
  const std::string port = std::to_string(m_o.port);
  if (const int rc = ::getaddrinfo(m_o.host.c_str(), port.c_str(), &hints, &ai); rc != 0) {
    fail("cannot resolve " + m_o.host + ": " + ::gai_strerror(rc));
    return;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(ai, ::freeaddrinfo);
  m_conns.resize(std::size_t(m_o.connections));
  for (int i = 0; i < m_o.connections; ++i) {
    Conn& c = m_conns[std::size_t(i)];
    c.index = i;
    c.fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return fail(errno_text("socket"));
    // Blocking connect (the handshake completes in the server's backlog even for the iterative
    // server), then non-blocking for the run.
    if (::connect(c.fd, ai->ai_addr, ai->ai_addrlen) < 0) {
      std::ostringstream s;
      s << "connection " << i + 1 << " of " << m_o.connections << " to " << m_o.host << ":"
        << m_o.port << ": " << std::strerror(errno);
      return fail(s.str());
    }
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &c;
    if (::epoll_ctl(m_ep, EPOLL_CTL_ADD, c.fd, &ev) < 0) return fail(errno_text("epoll_ctl"));
  }
}

void EchoLoad::start(Conn& c, std::int64_t started_ns) {
  c.msg = m_pattern.data() + (std::size_t(c.index) * 7 + c.seq * 13) % 251;
  ++c.seq;
  c.sent = 0;
  c.received = 0;
  c.busy = true;
  c.started_ns = started_ns;
  write_some(c);
}

void EchoLoad::write_some(Conn& c) {
  while (c.busy && !c.dead && c.sent < m_o.size) {
    const ssize_t n = ::send(c.fd, c.msg + c.sent, m_o.size - c.sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.sent += std::size_t(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;  // EPOLLOUT will say when
    } else {
      return lose(c, "send");
    }
  }
}

void EchoLoad::lose(Conn& c, const char* why) {
  if (c.dead) return;
  (void)why;
  c.dead = true;
  ++m_r.errors;
  ::epoll_ctl(m_ep, EPOLL_CTL_DEL, c.fd, nullptr);
  ::close(c.fd);
  c.fd = -1;
  c.busy = false;
  c.backlog.clear();
}

void EchoLoad::read_some(Conn& c, std::int64_t now) {
  while (!c.dead && !c.finished) {
    const ssize_t n = ::recv(c.fd, m_buf.data(), m_buf.size(), 0);
    if (n > 0) {
      const auto got = std::size_t(n);
      const std::size_t expected = c.busy ? std::min(c.sent, m_o.size) - c.received : 0;
      if (got > expected) {
        std::ostringstream s;
        s << "connection " << c.index + 1 << ": the server sent " << got - expected
          << (got - expected == 1 ? " byte" : " bytes") << " more than it had been sent";
        return fail(s.str());
      }
      if (std::memcmp(m_buf.data(), c.msg + c.received, got) != 0) {
        std::ostringstream s;
        s << "connection " << c.index + 1 << ", message " << c.seq << ": the echo differs from "
          << "what was sent (bytes " << c.received << ".." << c.received + got << ")";
        return fail(s.str());
      }
      c.received += got;
      if (c.received == m_o.size) complete(c, now);
    } else if (n == 0) {
      return lose(c, "closed by the server");
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else {
      return lose(c, "recv");
    }
  }
}

void EchoLoad::complete(Conn& c, std::int64_t now) {
  c.busy = false;
  ++m_r.requests_total;
  if (measured(c.started_ns)) {
    m_r.latency.record(now - c.started_ns);
    ++m_r.requests;
    ++c.done_in_window;
  }
  if (m_o.rate > 0) {
    if (!c.backlog.empty()) {
      const std::int64_t due = c.backlog.front();
      c.backlog.pop_front();
      start(c, due);
    }
  } else if (m_o.requests > 0 && c.seq >= m_o.requests) {
    // Its share done: closed by the client, as a client of a counted run does.
    c.finished = true;
    ::epoll_ctl(m_ep, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
  } else if (!m_window_open || now < m_t_end) {
    start(c, now);
  }
}

LoadResult EchoLoad::run() {
  m_ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (m_ep < 0) {
    fail(errno_text("epoll_create1"));
    return m_r;
  }
  if (m_o.server_pid > 0 && process_tree_cpu_s(m_o.server_pid) < 0) {
    fail("--server-pid " + std::to_string(m_o.server_pid) + ": no such process");
    return m_r;
  }
  connect_all();
  if (!m_r.error.empty()) return m_r;

  const std::int64_t t0 = now_ns();
  const auto ns = [](double s) { return static_cast<std::int64_t>(s * 1e9); };
  // --requests: no warm-up and no time window; the run is its requests.
  const bool counted = m_o.requests > 0;
  std::int64_t t_measure_planned = counted ? t0 : t0 + ns(m_o.warmup_s);
  const bool open = m_o.rate > 0;
  const double interval_ns = open ? 1e9 / m_o.rate : 0;
  std::uint64_t due_index = 0;  // open loop: the next request to become due, over all conns
  double server_cpu0 = 0, client_cpu0 = 0;
  std::int64_t stop_at = INT64_MAX;

  if (counted) {
    // The window is the whole run: open it before the first request.
    if (m_o.server_pid > 0) server_cpu0 = process_tree_cpu_s(m_o.server_pid);
    client_cpu0 = own_cpu_s();
    m_t_measure = now_ns();
    m_t_end = INT64_MAX;
    m_window_open = true;
  }
  if (!open)
    for (auto& c : m_conns) start(c, counted ? m_t_measure : t0);

  std::vector<epoll_event> events(512);
  for (;;) {
    std::int64_t now = now_ns();
    if (!m_window_open && now >= t_measure_planned) {
      // The window opens after the server's CPU has been read (a /proc scan of a few ms), so
      // that requests delayed by the scan are not counted.
      if (m_o.server_pid > 0) server_cpu0 = process_tree_cpu_s(m_o.server_pid);
      client_cpu0 = own_cpu_s();
      now = now_ns();
      m_t_measure = now;
      m_t_end = counted ? INT64_MAX : now + ns(m_o.duration_s);
      m_window_open = true;
      stop_at = open ? m_t_end + ns(m_o.drain_s) : m_t_end;
    }
    const bool all_finished =
        counted && std::all_of(m_conns.begin(), m_conns.end(),
                               [](const Conn& c) { return c.finished || c.dead; });
    if (m_window_open && (now >= m_t_end || all_finished) && m_r.window_s == 0) {
      m_r.window_s = double(now - m_t_measure) / 1e9;
      if (m_o.server_pid > 0) {
        const double end = process_tree_cpu_s(m_o.server_pid);
        if (server_cpu0 < 0 || end < 0) {
          fail("the server (pid " + std::to_string(m_o.server_pid) +
               ") was gone when its CPU time was read");
          break;
        }
        m_r.server_cpu_s = end - server_cpu0;
      }
      m_r.client_cpu_s = own_cpu_s() - client_cpu0;
    }
    if (now >= stop_at || all_finished || !m_r.error.empty()) break;
    if (open && m_window_open && now >= m_t_end) {
      // Draining: stop once every request due in the window has its echo.
      const bool pending = std::any_of(m_conns.begin(), m_conns.end(), [&](const Conn& c) {
        return !c.dead && ((c.busy && measured(c.started_ns)) ||
                           std::any_of(c.backlog.begin(), c.backlog.end(),
                                       [&](std::int64_t d) { return measured(d); }));
      });
      if (!pending) break;
    }
    std::int64_t wake = m_window_open ? (now < m_t_end ? m_t_end : stop_at) : t_measure_planned;
    if (open) {
      for (;;) {
        const auto due = t0 + static_cast<std::int64_t>(double(due_index) * interval_ns);
        if (m_window_open && due >= m_t_end) break;  // nothing more is due after the window
        if (due > now) {
          wake = std::min(wake, due);
          break;
        }
        Conn& c = m_conns[due_index % m_conns.size()];
        ++due_index;
        if (c.dead) continue;
        if (c.busy)
          c.backlog.push_back(due);
        else
          start(c, due);
      }
    }
    if (std::all_of(m_conns.begin(), m_conns.end(), [](const Conn& c) { return c.dead; })) {
      // (--requests: finished connections are not dead; the run ended above when all were.)
      fail("every connection was closed or reset by the server");
      break;
    }
    const std::int64_t wait =
        std::min<std::int64_t>(std::max<std::int64_t>(0, wake - now_ns()), 1'000'000'000);
    timespec ts{time_t(wait / 1'000'000'000), long(wait % 1'000'000'000)};
    const int n = ::epoll_pwait2(m_ep, events.data(), int(events.size()), &ts, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno_text("epoll_pwait2"));
      break;
    }
    now = now_ns();
    for (int i = 0; i < n; ++i) {
      Conn& c = *static_cast<Conn*>(events[std::size_t(i)].data.ptr);
      if (c.dead || c.finished) continue;
      if (events[std::size_t(i)].events & EPOLLOUT) write_some(c);
      if (events[std::size_t(i)].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        read_some(c, now);
    }
  }
  if (m_r.window_s == 0 && m_window_open) m_r.window_s = double(now_ns() - m_t_measure) / 1e9;
  for (const auto& c : m_conns) {
    if (!c.dead && !c.finished && c.done_in_window == 0) ++m_r.stalled_connections;
    if (open && !c.dead) {
      m_r.unfinished += std::uint64_t(
          std::count_if(c.backlog.begin(), c.backlog.end(), [&](std::int64_t d) { return measured(d); }));
      if (c.busy && measured(c.started_ns)) ++m_r.unfinished;
    }
  }
  if (m_r.error.empty() && !m_window_open) fail("the run ended before its measured window");
  return m_r;
}

}  // namespace

LoadResult run_echo_load(const LoadOptions& opts) {
  // Many connections need many descriptors: the soft limit up to the hard one.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  EchoLoad load(opts);
  return load.run();
}

}  // namespace asyncbench
