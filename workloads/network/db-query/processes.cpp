// db-query on k fork()ed worker processes (multiprocessing.Pool(k)'s way): each child opens its
// own connection after the fork (a libpq connection must never cross one), says so through one
// pipe and waits for the parent's go on another, so that the clock starts once all k are
// connected. Then the children take query indexes from a counter in shared memory (mapped
// MAP_SHARED before the forks) until none is left, each counting its checked rows in its own
// slot. A child that fails writes its error into a pipe the parent reads after, and from then on
// no child takes another query.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include "network/common/http_workload.hpp"  // http::SharedArray
#include "scenario.hpp"

namespace {

// What the parent and its children share.
struct Shared {
  std::atomic<long> next{0};  // the next query to take
  pg::FailFast fail_fast;     // a query whose turn comes after a failure is skipped
};
static_assert(std::atomic<long>::is_always_lock_free, "the counter must work across processes");

// The start line of the parent and its children, two pipes made before the forks: each child
// writes one byte into `ready` once connected (or once it could not), then reads one from `go`;
// the parent reads k bytes from `ready`, then writes k into `go`, or closes it with none to call
// the run off (a child then reads end of file). Destroyed in the parent before the children are
// reaped, so that none can wait for a go that never comes.
class StartLine {
 public:
  StartLine() {
    if (::pipe(m_ready) < 0 || ::pipe(m_go) < 0)
      throw std::system_error(errno, std::system_category(), "pipe");
  }
  ~StartLine() {
    for (int* fds : {m_ready, m_go}) {
      close_fd(fds[0]);
      close_fd(fds[1]);
    }
  }
  StartLine(const StartLine&) = delete;
  StartLine& operator=(const StartLine&) = delete;

  // In a child, first: its copies of the parent's ends closed (else no child would see the end of
  // file of a run called off).
  void child_begins() {
    close_fd(m_ready[0]);
    close_fd(m_go[1]);
  }
  // In a child: the parent may count it. Not an error to fail: the parent then sees end of file.
  void ready() {
    const char b = 'r';
    while (::write(m_ready[1], &b, 1) < 0 && errno == EINTR) {
    }
    close_fd(m_ready[1]);
  }
  // In a child: true once the parent says go, false when the run is called off.
  bool wait_for_go() {
    char b;
    ssize_t n;
    while ((n = ::read(m_go[0], &b, 1)) < 0 && errno == EINTR) {
    }
    return n == 1;
  }

  // In the parent, after the forks: waits until `n` children are ready; false when they have all
  // ended first.
  bool wait_ready(int n) {
    close_fd(m_ready[1]);
    close_fd(m_go[0]);
    char buf[256];
    for (int got = 0; got < n;) {
      const ssize_t r = ::read(m_ready[0], buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw std::system_error(errno, std::system_category(), "read");
      if (r == 0) return false;
      got += static_cast<int>(r);
    }
    return true;
  }
  // In the parent: lets `n` children go (or none, and calls the run off).
  void go(int n) {
    const std::string bytes(static_cast<std::size_t>(n), 'g');  // n <= 150: one write, < PIPE_BUF
    if (n > 0 && ::write(m_go[1], bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
      throw std::system_error(errno, std::system_category(), "write");
    close_fd(m_go[1]);
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int m_ready[2] = {-1, -1};
  int m_go[2] = {-1, -1};
};

// A child's step: a failure is also written to `errors` (one line, read by the parent after the
// children) and stops the others, before it ends the child with exit 1.
template <class Step>
auto in_child(wl::PipeEventLog& errors, pg::FailFast& fail_fast, Step&& step) {
  try {
    return step();
  } catch (const std::exception& e) {
    fail_fast.fail();
    errors.add(std::string(e.what()).substr(0, 1024));
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-query", [](wl::Workload& w) {
    const db_query::Params p(w);
    http::SharedArray<Shared> shared(1);
    Shared& s = shared[0];
    http::SharedArray<long> rows(static_cast<std::size_t>(p.connections), 0L);
    wl::PipeEventLog errors;
    wl::Children children;
    bool connected, all_ok;
    double elapsed;
    {
      StartLine start;  // destroyed first: a child waiting for its go then reads end of file
      for (int c = 0; c < p.connections; ++c)
        children.spawn([&, c] {
          start.child_begins();
          pg::Conn conn;
          try {
            conn = in_child(errors, s.fail_fast, [&] { return pg::connect_blocking(p.target); });
          } catch (...) {
            start.ready();
            throw;
          }
          start.ready();
          if (!start.wait_for_go()) return;  // another child could not connect
          for (long i; (i = s.next.fetch_add(1)) < p.queries;) {
            const bool ran = in_child(errors, s.fail_fast, [&] {
              return s.fail_fast.run(
                  [&] { pg::slow_query_blocking(conn.get(), i, p.delay_s(), p.rows); });
            });
            if (!ran) break;
            rows[c] += p.rows;
          }
        });
      connected = start.wait_ready(p.connections) && !s.fail_fast.failed();
      wl::Stopwatch clock;
      start.go(connected ? p.connections : 0);
      all_ok = children.wait_all();
      elapsed = clock.seconds();
    }
    if (const auto e = errors.collect(); !e.empty()) throw std::runtime_error(e.front());
    if (!connected) throw std::runtime_error("the worker processes ended before they connected");
    w.check(all_ok, "a child process failed");
    long total = 0;
    for (const long r : rows.span()) total += r;
    db_query::report(w, p, total, p.connections, elapsed, false);
  });
}
