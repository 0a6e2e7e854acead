// The HTTP/1.1 client that every C++ model of the http-fetch and scraper workloads shares, so that
// all of them send the same bytes and accept exactly the same responses; a model file holds only
// how the fetches are spread (a thread each, a pool, a process each, tasks on a loop).
//
// One fetch is one TCP connection (TCP_NODELAY), one request
//   GET /delay/<ms>/<bytes> HTTP/1.1\r\nHost: <host>:<port>\r\nConnection: close\r\n\r\n
// (Target::request, built once per run), and one response read until its Content-Length body is
// complete, within kTimeout of the start. The response goes through ResponseParser, an
// incremental strict parser fed whatever each read returned: an HTTP/1.x status line with status
// 200, CRLF-terminated `name: value` header lines, exactly one Content-Length (no
// Transfer-Encoding), equal to the body size asked for, a head of at most kMaxHeadSize bytes, and
// a body whose byte i is 'a' + i % 26 (the server's pattern), with nothing after it. Anything
// else is an error naming what was wrong, which a model reports as its run's failure:
//   GET http://127.0.0.1:8080/delay/50/1256: body byte 17 is 'x', expected 'r'
//
// fetch_blocking is the fetch of the blocking models (sync, threads, threadpool, processes); the
// event-loop models (aio, libuv, asio) write the same steps in their own idiom around the same
// Target::request and ResponseParser. InFlight counts the requests in flight for the scraper's
// limit check.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace http {

// Every request's deadline, from its connect to the last byte of its body: generous next to the
// delays asked for, so that a dead or stuck server fails the run instead of hanging it.
inline constexpr std::chrono::seconds kTimeout{30};
// A response head (status line, headers and the blank line) longer than this is an error.
inline constexpr std::size_t kMaxHeadSize = 16 * 1024;
// Each fetch reads into one buffer of this size, reused for every read of the fetch: the echo
// servers' size, and a 1,256-byte page with its head fits in one read.
inline constexpr std::size_t kReadBufferSize = 16 * 1024;

// What every fetch of a run asks for: the page /delay/<delay_ms>/<bytes> of the server at
// host:port (host: a numeric IPv4 address).
struct Target {
  std::string host;
  std::uint16_t port = 0;
  unsigned delay_ms = 0;
  std::size_t bytes = 0;

  std::string path() const {
    return "/delay/" + std::to_string(delay_ms) + "/" + std::to_string(bytes);
  }
  std::string url() const { return "http://" + host + ":" + std::to_string(port) + path(); }
  // The request every C++ model sends, byte for byte.
  std::string request() const {
    return "GET " + path() + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
           "\r\nConnection: close\r\n\r\n";
  }
};

// What a fetch that missed its deadline reports.
inline std::string timeout_text() {
  return "no complete response within " + std::to_string(kTimeout.count()) + " s";
}

// A failed fetch: "GET <url>: <what went wrong>".
class Error : public std::runtime_error {
 public:
  Error(const Target& t, const std::string& what)
      : std::runtime_error("GET " + t.url() + ": " + what) {}
};

// Reads one response, fed the bytes of each read as they come. Throws std::runtime_error with
// what was wrong (the status, a malformed or oversized head, a Content-Length other than the one
// expected, a wrong body byte, bytes after the body, a connection closed early).
class ResponseParser {
 public:
  explicit ResponseParser(std::size_t expected_body) : m_expected(expected_body) {}

  // Takes the next `n` bytes received; returns true once the response is complete.
  bool feed(const char* data, std::size_t n) {
    if (n == 0) return done();
    if (done()) throw std::runtime_error(std::to_string(n) + " bytes after the body");
    if (!m_in_body) {
      // Look for the blank line from where the last search stopped (it may straddle two reads),
      // keeping no more than a head may hold.
      const std::size_t old = m_head.size();
      m_head.append(data, std::min(n, kMaxHeadSize - old));
      const std::size_t end = m_head.find("\r\n\r\n", old < 3 ? 0 : old - 3);
      if (end == std::string::npos) {
        if (m_head.size() == kMaxHeadSize) throw head_too_long();
        return false;
      }
      const std::size_t head_size = end + 4;
      const std::size_t used = head_size - old;  // the bytes of this read that are head
      m_head.resize(head_size);
      parse_head();
      m_in_body = true;
      data += used;
      n -= used;
    }
    take_body(data, n);
    return done();
  }

  bool done() const noexcept { return m_in_body && m_received == m_content_length; }
  // The peer closed the connection: an error unless the response is complete.
  void end_of_stream() const {
    if (done()) return;
    if (!m_in_body)
      throw std::runtime_error("connection closed after " + std::to_string(m_head.size()) +
                               " bytes, before the end of the response head");
    throw std::runtime_error("connection closed after " + std::to_string(m_received) + " of " +
                             std::to_string(m_content_length) + " body bytes");
  }
  // The body bytes received (all checked).
  std::size_t body_bytes() const noexcept { return m_received; }

 private:
  static std::runtime_error head_too_long() {
    return std::runtime_error("no end of the response head within " + std::to_string(kMaxHeadSize) +
                              " bytes");
  }
  static bool is_token_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  }
  static bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return (x | 0x20) == (y | 0x20);
           });
  }
  static std::string shown_byte(char c) {
    if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
    return "byte " + std::to_string(static_cast<unsigned char>(c));
  }
  static bool has_line_break(std::string_view line) {
    return line.find_first_of("\r\n") != std::string_view::npos;
  }
  static std::string shown(std::string_view s) {
    std::string out;
    for (const char c : s.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
  }

  void parse_head() {
    const std::string_view head(m_head.data(), m_head.size() - 2);  // every line ends in CRLF
    std::size_t pos = head.find("\r\n");
    const std::string_view status_line = head.substr(0, pos);
    // HTTP/1.x SP 3DIGIT SP reason
    if (status_line.size() < 13 || has_line_break(status_line) ||
        status_line.substr(0, 7) != "HTTP/1." || (status_line[7] != '0' && status_line[7] != '1') ||
        status_line[8] != ' ' || status_line[12] != ' ' ||
        !std::all_of(status_line.begin() + 9, status_line.begin() + 12,
                     [](char c) { return c >= '0' && c <= '9'; }))
      throw std::runtime_error("malformed status line \"" + shown(status_line) + "\"");
    if (status_line.substr(9, 3) != "200")
      throw std::runtime_error("status \"" + shown(status_line.substr(9)) + "\", expected 200");
    bool have_length = false;
    for (pos += 2; pos < head.size();) {
      const std::size_t eol = head.find("\r\n", pos);
      const std::string_view line = head.substr(pos, eol - pos);
      pos = eol + 2;
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0 || has_line_break(line) ||
          !std::all_of(line.begin(), line.begin() + colon, is_token_char))
        throw std::runtime_error("malformed header line \"" + shown(line) + "\"");
      const std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
      if (iequals(name, "Transfer-Encoding"))
        throw std::runtime_error("Transfer-Encoding \"" + shown(value) +
                                 "\": only Content-Length bodies are expected");
      if (!iequals(name, "Content-Length")) continue;
      if (have_length) throw std::runtime_error("more than one Content-Length header");
      if (value.empty() || value.size() > 18 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw std::runtime_error("malformed Content-Length \"" + shown(value) + "\"");
      m_content_length = std::stoull(std::string(value));
      have_length = true;
    }
    if (!have_length) throw std::runtime_error("no Content-Length header");
    if (m_content_length != m_expected)
      throw std::runtime_error("Content-Length " + std::to_string(m_content_length) +
                               ", expected " + std::to_string(m_expected));
  }

  void take_body(const char* data, std::size_t n) {
    if (n > m_content_length - m_received)
      throw std::runtime_error(std::to_string(n - (m_content_length - m_received)) +
                               " bytes after the body");
    for (std::size_t k = 0; k < n; ++k) {
      const char want = static_cast<char>('a' + m_letter);
      if (data[k] != want)
        throw std::runtime_error("body byte " + std::to_string(m_received + k) + " is " +
                                 shown_byte(data[k]) + ", expected " + shown_byte(want));
      if (++m_letter == 26) m_letter = 0;
    }
    m_received += n;
  }

  std::size_t m_expected;
  std::string m_head;
  bool m_in_body = false;
  std::size_t m_content_length = 0;
  std::size_t m_received = 0;
  unsigned m_letter = 0;  // the next body byte is 'a' + m_letter: i % 26 without a division
};

// How many requests are in flight now, and the most there ever were (the scraper's limit check).
// Lock-free atomics: shared by threads, and by processes when it lives in MAP_SHARED memory. A
// model calls enter() when its request starts (after taking its permit) and leave() when it is
// over (before giving the permit back); the count's modification order then sees every leave()
// before the enter() its released permit allowed, so max() exceeds the limit only if the
// limiting did.
class InFlight {
 public:
  void enter() noexcept {
    const int now = m_now.fetch_add(1, std::memory_order_relaxed) + 1;
    int max = m_max.load(std::memory_order_relaxed);
    while (now > max && !m_max.compare_exchange_weak(max, now, std::memory_order_relaxed)) {
    }
  }
  void leave() noexcept { m_now.fetch_sub(1, std::memory_order_relaxed); }
  int max() const noexcept { return m_max.load(std::memory_order_relaxed); }

  // Counts one request while it lives (enter() now, leave() at scope end): declare it after the
  // permit, so that it is destroyed first.
  class [[nodiscard]] Count {
   public:
    explicit Count(InFlight& f) noexcept : m_f(f) { m_f.enter(); }
    ~Count() { m_f.leave(); }
    Count(const Count&) = delete;
    Count& operator=(const Count&) = delete;

   private:
    InFlight& m_f;
  };

 private:
  static_assert(std::atomic<int>::is_always_lock_free, "InFlight must work in shared memory");
  std::atomic<int> m_now{0};
  std::atomic<int> m_max{0};
};

namespace detail {

class Socket {
 public:
  Socket() : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (m_fd < 0) throw std::system_error(errno, std::system_category(), "socket");
  }
  ~Socket() { ::close(m_fd); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const noexcept { return m_fd; }

 private:
  int m_fd;
};

// Sets SO_RCVTIMEO or SO_SNDTIMEO to what is left until `deadline` (at least 1 ms: 0 would mean
// "no timeout"); false when nothing is left.
inline bool wait_at_most(int fd, int option, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  const long us = std::max<long>(left.count(), 1000);
  const timeval tv{us / 1000000, us % 1000000};
  if (::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv) < 0)
    throw std::system_error(errno, std::system_category(), "setsockopt");
  return true;
}

[[noreturn]] inline void throw_timeout() { throw std::runtime_error(timeout_text()); }

inline std::size_t fetch_blocking(const Target& t, const std::string& request) {
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  Socket s;
  const int one = 1;
  if (::setsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
    throw std::system_error(errno, std::system_category(), "setsockopt TCP_NODELAY");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(t.port);
  if (::inet_pton(AF_INET, t.host.c_str(), &addr.sin_addr) != 1)
    throw std::invalid_argument("not a numeric IPv4 address: " + t.host);
  // A blocking connect honours SO_SNDTIMEO (it then fails with EINPROGRESS).
  wait_at_most(s.fd(), SO_SNDTIMEO, deadline);
  while (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
    if (errno == EINTR) continue;
    if (errno == EINPROGRESS || errno == EAGAIN) throw_timeout();
    throw std::system_error(errno, std::system_category(), "connect");
  }
  for (std::size_t sent = 0; sent < request.size();) {
    if (!wait_at_most(s.fd(), SO_SNDTIMEO, deadline)) throw_timeout();
    const ssize_t n = ::send(s.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) throw_timeout();
      throw std::system_error(errno, std::system_category(), "send");
    }
    sent += static_cast<std::size_t>(n);
  }
  ResponseParser response(t.bytes);
  char buf[kReadBufferSize];
  for (;;) {
    if (!wait_at_most(s.fd(), SO_RCVTIMEO, deadline)) throw_timeout();
    const ssize_t n = ::recv(s.fd(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) throw_timeout();
      throw std::system_error(errno, std::system_category(), "recv");
    }
    if (n == 0) {
      response.end_of_stream();
      break;
    }
    if (response.feed(buf, static_cast<std::size_t>(n))) break;
  }
  return response.body_bytes();
}

}  // namespace detail

// One fetch with blocking calls, for the sync, threads, threadpool and processes models: connect,
// send `request` (t.request()), read and check the response, close. Returns the body's size.
// Throws http::Error (with the URL and what went wrong: a refused connection, the deadline, a
// failed check).
inline std::size_t fetch_blocking(const Target& t, const std::string& request) {
  try {
    return detail::fetch_blocking(t, request);
  } catch (const std::exception& e) {
    throw Error(t, e.what());
  }
}

}  // namespace http
