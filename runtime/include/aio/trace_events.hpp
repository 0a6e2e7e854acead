// The trace-event lines, written once: what aio's tracer appends to its AIO_TRACE file at the end
// of aio::run (src/trace.cpp), and what the suite's other models append for their own tasks
// (workloads/common/trace.hpp; workloads/common/wl.py writes the same lines in Python). Chrome
// trace events (Perfetto, chrome://tracing), one JSON object per line, so that several processes
// may append to one file and `asyncbench trace` collects them:
//
//   {"ph":"M","pid":P,"tid":T,"name":"thread_name","args":{"name":"count 1","track":"task"}}
//   {"ph":"M","pid":P,"tid":T,"name":"thread_sort_index","args":{"sort_index":1}}
//   {"ph":"X","pid":P,"tid":T,"cat":"running","name":"running","ts":12.345,"dur":0.500}
//   {"ph":"i","s":"t","pid":P,"tid":T,"cat":"mark","name":"One","ts":12.400}
//
// Times are microseconds with nanosecond digits (CLOCK_MONOTONIC). A track declares what it is
// in its thread_name's "track" argument: "task" (a task, thread or process of the scenario) or
// "pool" (a worker thread of a pool running offloaded calls), so that a reader never guesses it
// from a track's number or name. Header-only: the workload programs that are not aio's use it
// without linking aio.
#pragma once

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace aio::trace::events {

inline std::int64_t now_ns() noexcept {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// `s` as a JSON string, quotes and escapes included.
inline void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// Nanoseconds as the format's microseconds, with the nanosecond digits.
inline void micros(std::string& out, std::int64_t ns) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ns / 1000),
                static_cast<long long>(ns % 1000));
  out += buf;
}

inline void head(std::string& out, const char* ph, int pid, int tid) {
  out += "{\"ph\":\"";
  out += ph;
  out += "\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid);
}

// The process's name in the viewer (tid 0).
inline void process_name(std::string& out, int pid, std::string_view name) {
  head(out, "M", pid, 0);
  out += ",\"name\":\"process_name\",\"args\":{\"name\":";
  json_string(out, name);
  out += "}}\n";
}

// A track: its name, what it is ("task" or "pool"), and where the viewer sorts it.
inline void track(std::string& out, int pid, int tid, std::string_view name, std::string_view kind,
                  long sort_index) {
  head(out, "M", pid, tid);
  out += ",\"name\":\"thread_name\",\"args\":{\"name\":";
  json_string(out, name);
  out += ",\"track\":";
  json_string(out, kind);
  out += "}}\n";
  head(out, "M", pid, tid);
  out += ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" + std::to_string(sort_index) +
         "}}\n";
}

// A span of the track from `from` to `to` (ns): `cat` running / ready / waiting / thread pool.
inline void span(std::string& out, int pid, int tid, std::string_view cat, std::string_view name,
                 std::int64_t from, std::int64_t to) {
  if (to < from) to = from;
  head(out, "X", pid, tid);
  out += ",\"cat\":";
  json_string(out, cat);
  out += ",\"name\":";
  json_string(out, name);
  out += ",\"ts\":";
  micros(out, from);
  out += ",\"dur\":";
  micros(out, to - from);
  out += "}\n";
}

// An instant on the track (what the task printed).
inline void mark(std::string& out, int pid, int tid, std::string_view text, std::int64_t ns) {
  head(out, "i", pid, tid);
  out += ",\"s\":\"t\",\"cat\":\"mark\",\"name\":";
  json_string(out, text);
  out += ",\"ts\":";
  micros(out, ns);
  out += "}\n";
}

// Appends `text` to the file at `path` with O_APPEND (lines of processes writing at once do not
// mix). Returns 0, or the errno of what failed.
inline int append(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  std::size_t done = 0;
  int err = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    done += std::size_t(n);
  }
  ::close(fd);
  return err;
}

}  // namespace aio::trace::events
