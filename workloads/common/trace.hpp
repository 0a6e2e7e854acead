// Traces of the models that are not aio (aio traces its own tasks: runtime/include/aio/trace.hpp).
// The workload code says when each of its tasks runs and when it waits, and on what; with
// AIO_TRACE=<file> set (asyncbench trace sets it), the spans are appended to that file at the end
// of the process as Chrome trace events, one per line, in the same form aio writes: one track
// per task, "running" and "waiting: <on>" spans, marks for what the task printed. Without
// AIO_TRACE every call returns at once.
//
//   wl::trace::Track t("count 1");   // a task's track; it is running from now
//   t.mark("One");
//   t.waiting("timer");              // sleeps: waiting on a timer from now
//   t.running();                     // and running again
//   // the destructor (or finish()) ends the last span
//
// A Track may be used from any thread (one thread at a time); tracks of different threads and
// processes may interleave freely. The events are written when the program exits (atexit); a
// wl::Children child, which leaves with _exit, writes its own before it goes.
#pragma once

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace wl::trace {

namespace detail {

inline const char* path() {
  static const char* p = [] {
    const char* e = std::getenv("AIO_TRACE");
    return e && *e ? e : nullptr;
  }();
  return p;
}

inline std::int64_t now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline void json_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

inline std::string micros(std::int64_t ns) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ns / 1000),
                static_cast<long long>(ns % 1000));
  return buf;
}

struct Buffer {
  std::mutex mutex;
  std::string lines;
  int next_track = 1;
  pid_t pid = 0;  // the process these lines belong to (a forked child starts afresh)
};

inline Buffer& buffer() {
  static Buffer b;
  return b;
}

// The caller holds the mutex.
inline void reset_if_forked(Buffer& b) {
  if (b.pid != ::getpid()) {
    b.pid = ::getpid();
    b.lines.clear();
    b.next_track = 1;
  }
}

}  // namespace detail

inline bool enabled() { return detail::path() != nullptr; }

// Appends this process's events to the AIO_TRACE file (one write, O_APPEND, so that processes
// writing at the same time do not mix their lines) and forgets them.
inline void flush() {
  if (!enabled()) return;
  auto& b = detail::buffer();
  std::string out;
  {
    std::lock_guard lock(b.mutex);
    detail::reset_if_forked(b);
    out.swap(b.lines);
  }
  if (out.empty()) return;
  const int fd = ::open(detail::path(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "trace: cannot write %s\n", detail::path());
    return;
  }
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n <= 0) break;
    done += std::size_t(n);
  }
  ::close(fd);
}

class Track {
 public:
  // `process_name`, once per process, names the process's group of tracks in the viewer.
  explicit Track(const std::string& name) {
    if (!enabled()) return;
    auto& b = detail::buffer();
    std::lock_guard lock(b.mutex);
    detail::reset_if_forked(b);
    m_pid = b.pid;
    m_tid = b.next_track++;
    if (m_tid == 1) {
      meta(b, 0, "process_name", "\"name\":\"pid " + std::to_string(m_pid) + "\"");
      static const bool registered = (std::atexit(flush), true);  // a forked child inherits it
      (void)registered;
    }
    std::string n;
    detail::json_string(n, name);
    meta(b, m_tid, "thread_name", "\"name\":" + n);
    meta(b, m_tid, "thread_sort_index", "\"sort_index\":" + std::to_string(m_tid));
    m_since = detail::now_ns();
  }
  Track(const Track&) = delete;
  Track& operator=(const Track&) = delete;
  ~Track() { finish(); }

  void running() { change("running", "running"); }
  void waiting(const char* on) { change("waiting", std::string("waiting: ") + on); }
  void mark(const std::string& text) {
    if (!m_tid) return;
    std::string line = "{\"ph\":\"i\",\"s\":\"t\",\"pid\":" + std::to_string(m_pid) +
                       ",\"tid\":" + std::to_string(m_tid) + ",\"cat\":\"mark\",\"name\":";
    detail::json_string(line, text);
    line += ",\"ts\":" + detail::micros(detail::now_ns()) + "}\n";
    append(line);
  }
  // Ends the current span; the track records nothing more.
  void finish() {
    if (!m_tid) return;
    close_span(detail::now_ns());
    m_tid = 0;
  }

 private:
  void meta(detail::Buffer& b, int tid, const char* what, const std::string& args) {
    b.lines += "{\"ph\":\"M\",\"pid\":" + std::to_string(m_pid) + ",\"tid\":" +
               std::to_string(tid) + ",\"name\":\"" + what + "\",\"args\":{" + args + "}}\n";
  }
  void append(const std::string& line) {
    auto& b = detail::buffer();
    std::lock_guard lock(b.mutex);
    if (b.pid == m_pid) b.lines += line;
  }
  void change(const char* cat, std::string name) {
    if (!m_tid) return;
    const std::int64_t now = detail::now_ns();
    close_span(now);
    m_cat = cat;
    m_name = std::move(name);
    m_since = now;
  }
  void close_span(std::int64_t now) {
    std::string line = "{\"ph\":\"X\",\"pid\":" + std::to_string(m_pid) +
                       ",\"tid\":" + std::to_string(m_tid) + ",\"cat\":\"" + m_cat +
                       "\",\"name\":";
    detail::json_string(line, m_name);
    line += ",\"ts\":" + detail::micros(m_since) +
            ",\"dur\":" + detail::micros(now > m_since ? now - m_since : 0) + "}\n";
    append(line);
  }

  pid_t m_pid = 0;
  int m_tid = 0;  // 0: not recording
  std::int64_t m_since = 0;
  std::string m_cat = "running";
  std::string m_name = "running";
};

}  // namespace wl::trace
