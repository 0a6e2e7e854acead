// Traces of the models that are not aio (aio traces its own tasks: runtime/include/aio/trace.hpp).
// The workload code says when each of its tasks runs and when it waits, and on what; with
// AIO_TRACE=<file> set (asyncbench trace sets it), the spans are appended to that file at the end
// of the process as Chrome trace events, one per line, written by the same code aio's tracer uses
// (aio/trace_events.hpp): one track per task, "running" and "waiting: <on>" spans, marks for
// what the task printed. Without AIO_TRACE every call returns at once.
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

#include <unistd.h>

#include <aio/trace_events.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace wl::trace {

namespace detail {

inline const char* path() {
  static const char* p = [] {
    const char* e = std::getenv("AIO_TRACE");
    return e && *e ? e : nullptr;
  }();
  return p;
}

namespace ev = aio::trace::events;

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
  if (const int err = detail::ev::append(detail::path(), out); err != 0)
    std::fprintf(stderr, "trace: cannot write %s: %s\n", detail::path(), std::strerror(err));
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
      detail::ev::process_name(b.lines, m_pid, "pid " + std::to_string(m_pid));
      static const bool registered = (std::atexit(flush), true);  // a forked child inherits it
      (void)registered;
    }
    detail::ev::track(b.lines, m_pid, m_tid, name, "task", m_tid);
    m_since = detail::ev::now_ns();
  }
  Track(const Track&) = delete;
  Track& operator=(const Track&) = delete;
  ~Track() { finish(); }

  void running() { change("running", "running"); }
  void waiting(const char* on) { change("waiting", std::string("waiting: ") + on); }
  void mark(const std::string& text) {
    if (!m_tid) return;
    std::string line;
    detail::ev::mark(line, m_pid, m_tid, text, detail::ev::now_ns());
    append(line);
  }
  // Ends the current span; the track records nothing more.
  void finish() {
    if (!m_tid) return;
    close_span(detail::ev::now_ns());
    m_tid = 0;
  }

 private:
  void append(const std::string& line) {
    auto& b = detail::buffer();
    std::lock_guard lock(b.mutex);
    if (b.pid == m_pid) b.lines += line;
  }
  void change(const char* cat, std::string name) {
    if (!m_tid) return;
    const std::int64_t now = detail::ev::now_ns();
    close_span(now);
    m_cat = cat;
    m_name = std::move(name);
    m_since = now;
  }
  void close_span(std::int64_t now) {
    std::string line;
    detail::ev::span(line, m_pid, m_tid, m_cat, m_name, m_since, now);
    append(line);
  }

  pid_t m_pid = 0;
  int m_tid = 0;  // 0: not recording
  std::int64_t m_since = 0;
  std::string m_cat = "running";
  std::string m_name = "running";
};

}  // namespace wl::trace
