// What the HTTP client workloads (http-fetch, scraper) share beyond the client itself: the
// options that name the server and the page, the report (the checks and metrics every model
// gives), and the plumbing of the blocking models (FailFast: no new fetch after a failure; arrays
// in shared memory and a child's error carried to the parent, for the processes models).
//
//   --host H --port P   the delay server (started by the harness; H a numeric IPv4 address, so
//                       that no model resolves names inside its measured phase)
//   --delay-ms D        the server answers each request after D milliseconds
//   --bytes B           with a body of exactly B bytes (1256: example.com's page, the lecture's)
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <span>
#include <string>
#include <system_error>

#include "common/workload.hpp"
#include "http_client.hpp"

namespace http {

// A page slot whose fetch has not completed.
inline constexpr std::size_t kNotFetched = SIZE_MAX;

// The options naming the server and the page. The constructor declares them (before
// w.parse(), and the object must live until then); target() then checks what the declarations
// could not (a bad value is one line on stderr and exit 2, as for any bad argument), records the
// page's parameters, and returns the Target.
class TargetOptions {
 public:
  explicit TargetOptions(wl::Workload& w) {
    w.option("--host", m_host, "the delay server's address (numeric IPv4)");
    w.option("--port", m_port, "the delay server's port (required)", wl::range(1, 65535));
    w.option("--delay-ms", m_delay_ms, "the server's delay before each answer, in ms",
             wl::range(0, 600 * 1000));  // the delay server's limits (its README)
    w.option("--bytes", m_bytes, "each page's body size, in bytes",
             wl::range(std::uint64_t{0}, std::uint64_t{64} << 20));
  }
  TargetOptions(const TargetOptions&) = delete;
  TargetOptions& operator=(const TargetOptions&) = delete;

  // After w.parse(). The server's address is not recorded as a parameter of the run: the
  // harness picks a free port every time.
  Target target(wl::Workload& w) const {
    const auto bad = [&w](const std::string& what) {
      std::fprintf(stderr, "%s: %s\n", w.program_name(), what.c_str());  // as parse() does
      std::exit(2);
    };
    in_addr a{};
    if (::inet_pton(AF_INET, m_host.c_str(), &a) != 1)
      bad("--host: not a numeric IPv4 address: '" + m_host + "'");
    if (m_port == 0) bad("--port is required (the delay server's port)");
    w.params()["delay_ms"] = m_delay_ms;
    w.params()["bytes"] = m_bytes;
    return Target{m_host, static_cast<std::uint16_t>(m_port), static_cast<unsigned>(m_delay_ms),
                  static_cast<std::size_t>(m_bytes)};
  }

 private:
  std::string m_host = "127.0.0.1";
  int m_port = 0;
  int m_delay_ms = 100;
  std::uint64_t m_bytes = 1256;  // example.com's page, the lecture's
};

// The run's ideals: this model's, and those of sequential and fully concurrent code.
struct Ideals {
  double model;
  double sequential;
  double concurrent;
};

// The checks and metrics of every model: every page fetched (its slot not kNotFetched), each
// body exactly t.bytes (each fetch has already checked its status, Content-Length and bytes), and
// no run faster than the server's delays allow; metrics ideal_s, ideal_sequential_s,
// ideal_concurrent_s and bytes_total.
inline void report(wl::Workload& w, const Target& t, std::span<const std::size_t> pages,
                   double elapsed_s, const Ideals& ideal) {
  std::size_t fetched = 0, total = 0, wrong = 0;
  for (const std::size_t b : pages) {
    if (b == kNotFetched) continue;
    ++fetched;
    total += b;
    if (b != t.bytes) ++wrong;
  }
  w.elapsed(elapsed_s);
  w.metrics()["ideal_s"] = ideal.model;
  w.metrics()["ideal_sequential_s"] = ideal.sequential;
  w.metrics()["ideal_concurrent_s"] = ideal.concurrent;
  w.metrics()["bytes_total"] = total;
  w.check(fetched == pages.size(),
          std::to_string(fetched) + " of " + std::to_string(pages.size()) + " pages fetched");
  w.check(wrong == 0,
          std::to_string(wrong) + " bodies were not " + std::to_string(t.bytes) + " bytes long");
  // The server's delays are aio timers, which never fire early; the client's clock starts
  // before its first request is sent.
  w.check(elapsed_s >= ideal.model * 0.99, "finished before the server's delays could");
}

// `n` objects of type T, each made from `args`, in memory shared with the processes forked
// after it (MAP_SHARED | MAP_ANONYMOUS): where the processes models' children leave their results.
template <class T>
class SharedArray {
 public:
  template <class... Args>
  explicit SharedArray(std::size_t n, const Args&... args) : m_n(n) {
    void* p = ::mmap(nullptr, mapped(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::system_category(), "mmap");
    m_p = static_cast<T*>(p);
    for (std::size_t i = 0; i < n; ++i) new (m_p + i) T(args...);
  }
  ~SharedArray() {
    for (std::size_t i = 0; i < m_n; ++i) m_p[i].~T();
    ::munmap(m_p, mapped());
  }
  SharedArray(const SharedArray&) = delete;
  SharedArray& operator=(const SharedArray&) = delete;

  T& operator[](std::size_t i) noexcept { return m_p[i]; }
  std::size_t size() const noexcept { return m_n; }
  std::span<const T> span() const noexcept { return {m_p, m_n}; }

 private:
  std::size_t mapped() const noexcept { return std::max<std::size_t>(m_n, 1) * sizeof(T); }
  T* m_p = nullptr;
  std::size_t m_n;
};

// The fetches of the blocking models that go in waves (a pool, a limit): once one fails, those
// that have not started yet are skipped, as gather's remaining tasks are cancelled, so that a dead
// server fails the run after one deadline rather than one per wave. Lock-free: shared by threads,
// and by processes when it lives in MAP_SHARED memory.
class FailFast {
 public:
  // fetch_blocking, unless a fetch of the run has failed already: then kNotFetched at once. A
  // failure is recorded, then rethrown.
  std::size_t fetch(const Target& t, const std::string& request) {
    if (m_failed.load(std::memory_order_relaxed)) return kNotFetched;
    try {
      return fetch_blocking(t, request);
    } catch (...) {
      m_failed.store(true, std::memory_order_relaxed);
      throw;
    }
  }

 private:
  static_assert(std::atomic<bool>::is_always_lock_free, "FailFast must work in shared memory");
  std::atomic<bool> m_failed{false};
};

// A processes model's fetch in its child: a failure is also written to `errors` (one line, read
// by the parent after the children) before it ends the child with exit 1.
template <class Fetch>
std::size_t fetch_in_child(wl::PipeEventLog& errors, Fetch&& fetch) {
  try {
    return fetch();
  } catch (const std::exception& e) {
    errors.add(std::string(e.what()).substr(0, 1024));
    throw;
  }
}

}  // namespace http
