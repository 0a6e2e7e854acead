// wl-http-server: the HTTP delay server that the network workloads (http-fetch, scraper) fetch
// from, in place of the lectures' example.com. Built on aio; README.md holds the routes, the body
// pattern, the limits and the knobs.
//
//   wl-http-server [--host 127.0.0.1] [--port 0] [--delay-ms 0] [--body-bytes 1256]
//                  [--backend automatic|epoll|io_uring] [--header-timeout-ms 10000]
//                  [--max-connections 20000]
//
// The shape is the aio echo server's (../echo/aio.cpp): a task per connection, all in a
// TaskGroup; a task waiting for SIGINT or SIGTERM cancels the accept loop and, through the group,
// every connection, so the server exits 0 however many clients sit idle on keep-alive. A
// connection task reads into its own buffer (1 KiB, doubling up to the 8 KiB head limit), hands
// the bytes to http::RequestParser, and answers each complete request in turn: pipelined requests
// are simply the bytes left behind the head just answered. Every read of a request head runs
// under aio::wait_for with what is left of the header deadline (set when the connection arrives
// and again after each response), so a client trickling bytes cannot hold a connection open.
// An error is answered with Connection: close, after which the server shuts down its side and
// reads what the client still sends, for up to a second, before closing (a close with unread
// bytes would send a reset, which can destroy the answer before the client reads it).
#include <sys/socket.h>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <aio/aio.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../echo/server.hpp"
#include "common/cli.hpp"
#include "http_parser.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// 2,000 clients connecting at once (the server's test) overflow echo's backlog of 1,024 and
// wait out SYN retransmissions (1 s, then 3 s). Linux caps it at net.core.somaxconn (4,096 by
// default since 5.4).
constexpr int kBacklog = 4096;
// A head is rarely over a few hundred bytes: start small so that 20,000 idle connections cost
// 20 MiB of buffers, not 160 MiB, and double up to the head limit when a head needs it.
constexpr std::size_t kInitialBuffer = 1024;
// Bodies up to this size go out with their head in one send; larger ones in kChunk sends
// straight from the shared pattern, with no copy.
constexpr std::size_t kSmallBody = 16 * 1024;
constexpr std::size_t kChunk = 256 * 1024;
constexpr std::uint64_t kMaxBodyBytes = 64ull * 1024 * 1024;
constexpr std::uint64_t kMaxDelayMs = 600'000;
// After answering with Connection: close: how long, and how much, to read before closing.
constexpr auto kLingerTime = 1s;
constexpr std::size_t kLingerBytes = 256 * 1024;

struct Config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::uint64_t delay_ms = 0;
  std::uint64_t body_bytes = 1256;  // example.com's page
  aio::Backend backend = aio::Backend::automatic;
  std::uint64_t header_timeout_ms = 10'000;
  std::size_t max_connections = 20'000;
};

// Body byte i is 'a' + i % 26: kChunk bytes of it and 25 more, so that a chunk starting at any
// body offset is one slice of it.
const char* body_pattern() {
  static const std::array<char, kChunk + 26> pattern = [] {
    std::array<char, kChunk + 26> p{};
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>('a' + i % 26);
    return p;
  }();
  return pattern.data();
}

// The head of every response: HTTP/1.1 whatever the request's version (RFC 9110 §6.2).
std::string response_head(int status, std::uint64_t content_length, std::string_view content_type,
                          bool keep_alive) {
  std::string h;
  h.reserve(160);
  h += "HTTP/1.1 ";
  h += std::to_string(status);
  h += ' ';
  h += http::status_text(status);
  h += "\r\nContent-Length: ";
  h += std::to_string(content_length);
  h += "\r\nContent-Type: ";
  h += content_type;
  if (status == 405) h += "\r\nAllow: GET, HEAD";  // RFC 9110 §15.5.6: a 405 lists what is
  h += keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  return h;
}

// Plain decimal digits (no sign, no spaces, not empty) with a value at most `max`.
bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > max) return false;  // max is far below UINT64_MAX / 10: no overflow before this
  }
  out = v;
  return true;
}

struct Route {
  std::string_view error;  // non-empty: answer 400 with it
  std::uint64_t delay_ms = 0;
  std::uint64_t bytes = 0;
};

// /delay/<ms>/<bytes> (any path starting with /delay/ must be exactly that), else the defaults.
Route route(std::string_view path, const Config& cfg) {
  constexpr std::string_view prefix = "/delay/";
  if (!path.starts_with(prefix)) return {{}, cfg.delay_ms, cfg.body_bytes};
  const std::string_view rest = path.substr(prefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {"expected /delay/<ms>/<bytes>"};
  Route r;
  if (!parse_decimal(rest.substr(0, slash), kMaxDelayMs, r.delay_ms))
    return {"/delay/<ms>/<bytes>: <ms> must be plain decimal, at most 600000"};
  if (!parse_decimal(rest.substr(slash + 1), kMaxBodyBytes, r.bytes))
    return {"/delay/<ms>/<bytes>: <bytes> must be plain decimal, at most 67108864"};
  return r;
}

class Connection {
 public:
  Connection(aio::TcpStream conn, const Config& cfg)
      : m_conn(std::move(conn)), m_cfg(cfg), m_buf(kInitialBuffer) {}

  // Serves requests until the client closes, an error is answered, or the header deadline passes.
  aio::Task<void> run() {
    bool first = true;
    Clock::time_point deadline = Clock::now() + header_timeout();
    for (;;) {
      const http::ParseResult r = m_parser.parse(std::string_view(m_buf.data(), m_len));
      if (r.status == http::ParseStatus::need_more) {
        const Read got = co_await read_more(deadline);
        if (got == Read::end) co_return;
        if (got == Read::timed_out) {
          // A client idle between requests on keep-alive is closed quietly: a 408 nobody asked
          // for could be read as the answer to a request the client sends at that moment.
          if (first || m_len > 0) co_await answer_error(408, "no complete request head in time");
          co_return;
        }
        continue;
      }
      if (r.status == http::ParseStatus::error) {
        co_await answer_error(r.http_status, r.reason);
        co_return;
      }
      const http::Request& req = m_parser.request();
      const Route to = route(http::request_path(req.target), m_cfg);
      const bool head_only = req.method == http::Method::head;
      const bool keep_alive = req.keep_alive;
      consume(r.consumed);  // req.target is gone from here on
      m_parser.reset();
      if (!to.error.empty()) {
        co_await answer_error(400, to.error);
        co_return;
      }
      if (to.delay_ms > 0) co_await aio::sleep(std::chrono::milliseconds(to.delay_ms));
      co_await respond(to.bytes, head_only, keep_alive);
      if (!keep_alive) {
        co_await linger_close();
        co_return;
      }
      first = false;
      deadline = Clock::now() + header_timeout();
    }
  }

 private:
  enum class Read { data, end, timed_out };

  std::chrono::milliseconds header_timeout() const {
    return std::chrono::milliseconds(m_cfg.header_timeout_ms);
  }

  // Reads what comes behind the buffered bytes, waiting until `deadline` at most. The parser
  // asks for more only while fewer than the head limit are buffered, so there is always room,
  // growing the buffer if need be.
  aio::Task<Read> read_more(Clock::time_point deadline) {
    if (m_len == m_buf.size())
      m_buf.resize(std::min(m_buf.size() * 2, m_parser.limits().max_head_bytes));
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) co_return Read::timed_out;
    std::size_t n = 0;
    bool timed_out = false;
    try {
      n = co_await aio::wait_for(m_conn.read_some(std::span<char>(m_buf).subspan(m_len)), left);
    } catch (const aio::TimeoutError&) {
      timed_out = true;
    }
    if (timed_out) co_return Read::timed_out;
    if (n == 0) co_return Read::end;
    m_len += n;
    co_return Read::data;
  }

  void consume(std::size_t n) {
    std::copy(m_buf.begin() + static_cast<std::ptrdiff_t>(n),
              m_buf.begin() + static_cast<std::ptrdiff_t>(m_len), m_buf.begin());
    m_len -= n;
  }

  aio::Task<void> respond(std::uint64_t bytes, bool head_only, bool keep_alive) {
    std::string out = response_head(200, bytes, "application/octet-stream", keep_alive);
    if (head_only) {
      co_await m_conn.write_all(out);
      co_return;
    }
    if (bytes <= kSmallBody) {
      out.append(body_pattern(), bytes);
      co_await m_conn.write_all(out);
      co_return;
    }
    co_await m_conn.write_all(out);
    for (std::uint64_t sent = 0; sent < bytes;) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, bytes - sent));
      co_await m_conn.write_all(std::string_view(body_pattern() + sent % 26, n));
      sent += n;
    }
  }

  // Answers `status` with `reason` as a text body and Connection: close, then closes.
  aio::Task<void> answer_error(int status, std::string_view reason) {
    std::string out = response_head(status, reason.size() + 1, "text/plain", false);
    out += reason;
    out += '\n';
    co_await m_conn.write_all(out);
    co_await linger_close();
  }

  // Ends our side, then reads (and drops) what the client still sends until it closes, for
  // kLingerTime and kLingerBytes at most, so that the close does not turn into a reset while
  // the client has yet to read our last response (nginx's lingering_close).
  aio::Task<void> linger_close() {
    m_conn.shutdown_write();
    m_buf.resize(m_parser.limits().max_head_bytes);
    const Clock::time_point deadline = Clock::now() + kLingerTime;
    for (std::size_t drained = 0; drained < kLingerBytes;) {
      const auto left = deadline - Clock::now();
      if (left <= Clock::duration::zero()) break;
      std::size_t n = 0;
      bool timed_out = false;
      try {
        n = co_await aio::wait_for(m_conn.read_some(std::span<char>(m_buf)), left);
      } catch (const aio::TimeoutError&) {
        timed_out = true;
      }
      if (timed_out || n == 0) break;
      drained += n;
    }
    m_conn.close();
  }

  aio::TcpStream m_conn;
  const Config& m_cfg;
  std::vector<char> m_buf;
  std::size_t m_len = 0;  // bytes in m_buf: the start of the next request
  http::RequestParser m_parser;
};

aio::Task<void> serve_connection(aio::TcpStream conn, const Config& cfg) {
  Connection c(std::move(conn), cfg);
  try {
    co_await c.run();
  } catch (const std::exception&) {
    // ECONNRESET, EPIPE: this client is gone, the others are not affected. (A cancellation is
    // no std::exception: it goes on up.)
  }
}

// Over --max-connections: a best-effort 503 (what the client sent so far is read first, so that
// the close is not a reset) and a close, without a task or a buffer for the connection.
void turn_away(aio::TcpStream& conn) {
  static constexpr std::string_view busy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 21\r\nContent-Type: text/plain\r\n"
      "Connection: close\r\n\r\ntoo many connections\n";
  const int fd = conn.native_handle();
  char sink[4096];
  for (int i = 0; i < 16 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
  }
  [[maybe_unused]] const ssize_t n = ::send(fd, busy.data(), busy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  conn.close();
}

aio::Task<void> accept_loop(aio::TcpListener& listener, const Config& cfg) {
  aio::TaskGroup connections;
  for (;;) {
    aio::TcpStream conn = co_await listener.accept();
    if (connections.size() >= cfg.max_connections) {
      turn_away(conn);
      continue;
    }
    try {
      conn.set_nodelay(true);
    } catch (const std::system_error&) {
      // Already reset by the client: its connection's first read will say so.
    }
    connections.create_task(serve_connection(std::move(conn), cfg));
  }
}

aio::Task<void> stop_on_signal(aio::Task<void>& server) {
  co_await aio::wait_signal(SIGINT, SIGTERM);
  server.cancel();  // the accept, and through the TaskGroup every connection
}

aio::Task<void> serve(aio::TcpListener& listener, const Config& cfg) {
  auto server = aio::create_task(accept_loop(listener, cfg));
  auto stopper = aio::create_task(stop_on_signal(server));
  // One turn of the loop for the stopper to install its signal handlers: a client that reads
  // the "listening" line and at once sends SIGTERM must see a clean stop, not a kill.
  co_await aio::sleep(0ms);
  echo::print_listening(cfg.host, listener.port());
  std::exception_ptr failure;
  try {
    co_await server;
  } catch (const aio::CancelledError&) {
  } catch (const std::exception&) {
    failure = std::current_exception();  // accept failed for good: exit 1 with its message
  }
  stopper.cancel();
  try {
    co_await stopper;
  } catch (const aio::CancelledError&) {
  }
  if (failure) std::rethrow_exception(failure);
}

Config parse_args(int argc, char** argv) {
  Config c;
  std::string backend = "automatic";
  CLI::App app{"HTTP delay server: GET /delay/<ms>/<bytes>, any other path answered after "
               "--delay-ms with --body-bytes bytes"};
  app.add_option("--host", c.host, "address to listen on");
  app.add_option("--port", c.port, "port to listen on (0: any free port)");
  app.add_option("--delay-ms", c.delay_ms, "delay of every path but /delay/...")
      ->check(CLI::Range(std::uint64_t{0}, kMaxDelayMs));
  app.add_option("--body-bytes", c.body_bytes, "body size of every path but /delay/...")
      ->check(CLI::Range(std::uint64_t{0}, kMaxBodyBytes));
  app.add_option("--backend", backend, "aio's backend")
      ->check(CLI::IsMember({"automatic", "epoll", "io_uring"}));
  app.add_option("--header-timeout-ms", c.header_timeout_ms,
                 "time a client has to send a request head (408 after it)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{86'400'000}));
  app.add_option("--max-connections", c.max_connections,
                 "connections served at once (more are answered 503)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  double exit_after_s = 0;
  app.add_option("--exit-after-s", exit_after_s,
                 "end by itself (SIGALRM's default action) this many seconds after starting, as "
                 "the echo servers do (network/echo/server.hpp)")
      ->check(CLI::Range(1.0, 86400.0));
  wl::parse_or_exit(app, argc, argv);
  if (exit_after_s > 0) {
    ::signal(SIGALRM, SIG_DFL);
    ::alarm(static_cast<unsigned>(std::ceil(exit_after_s)));
  }
  c.backend = backend == "epoll"      ? aio::Backend::epoll
              : backend == "io_uring" ? aio::Backend::io_uring
                                      : aio::Backend::automatic;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const Config cfg = parse_args(argc, argv);
  echo::raise_fd_limit();
  try {
    aio::TcpListener listener = aio::TcpListener::bind(cfg.host, cfg.port, kBacklog);
    aio::run(serve(listener, cfg), cfg.backend);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}
