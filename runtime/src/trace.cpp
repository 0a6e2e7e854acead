#include "aio/trace.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "aio/detail/loop.hpp"
#include "aio/detail/trace.hpp"

namespace aio::detail {

namespace {

thread_local std::string t_enabled_path;  // aio::trace::enable on this thread

std::int64_t trace_now_ns() noexcept {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void json_string(std::string& out, std::string_view s) {
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

// Microseconds with nanosecond digits, as the trace-event format wants them.
void micros(std::string& out, std::int64_t ns) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ns / 1000),
                static_cast<long long>(ns % 1000));
  out += buf;
}

}  // namespace

class Tracer {
 public:
  explicit Tracer(std::string path) : m_path(std::move(path)), m_tid(int(::syscall(SYS_gettid))) {
    m_events.reserve(1 << 14);
  }

  void add(TraceKind kind, const TaskBase* task, const char* what) {
    m_events.push_back({trace_now_ns(), task, what, kind});
    if (kind == TraceKind::run) m_running = task;
    if (kind == TraceKind::pause) m_running = nullptr;
  }
  void name(std::string_view n) {
    if (m_running) m_labels.push_back({trace_now_ns(), m_running, std::string(n), true});
  }
  void mark(std::string_view text) {
    if (m_running) m_labels.push_back({trace_now_ns(), m_running, std::string(text), false});
  }
  void job(const void* owner, std::int64_t begin, std::int64_t end) {
    const int tid = int(::syscall(SYS_gettid));
    std::lock_guard lock(m_jobs_mutex);
    m_jobs.push_back({owner, begin, end, tid});
  }

  // Turns the events into Chrome trace events and appends them to the file, one per line.
  void write(const char* backend) const;

 private:
  struct Event {
    std::int64_t ns;
    const TaskBase* task;
    const char* what;
    TraceKind kind;
  };
  struct Label {
    std::int64_t ns;
    const TaskBase* task;
    std::string text;
    bool is_name;
  };
  struct Job {
    const void* owner;
    std::int64_t begin, end;
    int tid;
  };

  std::string m_path;
  int m_tid;
  std::vector<Event> m_events;
  std::vector<Label> m_labels;
  const TaskBase* m_running = nullptr;
  std::mutex m_jobs_mutex;
  std::vector<Job> m_jobs;
};

void Tracer::write(const char* backend) const {
  const int pid = int(::getpid());
  std::string out;
  auto meta = [&](int tid, const char* what, const std::string& value, bool is_index) {
    out += "{\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) +
           ",\"name\":\"" + what + "\",\"args\":{";
    if (is_index) {
      out += "\"sort_index\":" + value;
    } else {
      out += "\"name\":";
      json_string(out, value);
    }
    out += "}}\n";
  };
  auto span = [&](int tid, const char* cat, const std::string& name, std::int64_t from,
                  std::int64_t to) {
    if (to < from) to = from;
    out += "{\"ph\":\"X\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) +
           ",\"cat\":\"" + cat + "\",\"name\":";
    json_string(out, name);
    out += ",\"ts\":";
    micros(out, from);
    out += ",\"dur\":";
    micros(out, to - from);
    out += "}\n";
  };
  {
    std::string pname = "aio (";
    pname += backend;
    pname += "), pid " + std::to_string(pid);
    meta(0, "process_name", pname, false);
  }

  // Tracks: one per task, numbered in order of creation. A frame address can be reused once its
  // task has finished, so the address maps to the task created last at it.
  struct Track {
    int id;
    std::int64_t created, finished = -1;
    enum State { ready, running, waiting, done } state = ready;
    std::int64_t since;
    const char* on = nullptr;  // what it suspended on, during its current run
    bool ready_pending = false;
    std::string name;
  };
  std::vector<Track> tracks;
  std::map<const TaskBase*, std::size_t> live;  // address -> index in tracks
  std::vector<std::pair<const TaskBase*, std::size_t>> history;
  auto track_of = [&](const TaskBase* t) -> Track* {
    auto it = live.find(t);
    return it == live.end() ? nullptr : &tracks[it->second];
  };
  for (const Event& e : m_events) {
    if (e.task == nullptr) continue;
    if (e.kind == TraceKind::created) {
      tracks.push_back({int(tracks.size()) + 1, e.ns, -1, Track::ready, e.ns, nullptr, false,
                        "task " + std::to_string(tracks.size() + 1)});
      live[e.task] = tracks.size() - 1;
      history.push_back({e.task, tracks.size() - 1});
      continue;
    }
    Track* t = track_of(e.task);
    if (!t || t->state == Track::done) continue;
    switch (e.kind) {
      case TraceKind::ready:
        if (t->state == Track::running) {
          t->ready_pending = true;  // a yield: ready again as soon as this run ends
        } else if (t->state == Track::waiting) {
          span(t->id, "waiting", t->on ? std::string("waiting: ") + t->on : "waiting", t->since,
               e.ns);
          t->state = Track::ready;
          t->since = e.ns;
        }
        break;
      case TraceKind::run:
        if (t->state == Track::ready || t->state == Track::waiting) {
          if (t->state == Track::ready && e.ns > t->since) span(t->id, "ready", "ready", t->since, e.ns);
          t->state = Track::running;
          t->since = e.ns;
          t->on = nullptr;
          t->ready_pending = false;
        }
        break;
      case TraceKind::wait:
        t->on = e.what;
        break;
      case TraceKind::pause:
        if (t->state == Track::running) {
          span(t->id, "running", "running", t->since, e.ns);
          t->state = t->ready_pending ? Track::ready : Track::waiting;
          t->since = e.ns;
        }
        break;
      case TraceKind::finished:
        if (t->state == Track::running) span(t->id, "running", "running", t->since, e.ns);
        t->state = Track::done;
        t->finished = e.ns;
        live.erase(e.task);
        break;
      case TraceKind::created: break;
    }
  }
  // The track of `task` at time `ns`: the last one created at that address by then.
  auto track_at = [&](const void* task, std::int64_t ns) -> Track* {
    Track* found = nullptr;
    for (const auto& [addr, idx] : history)
      if (addr == task && tracks[idx].created <= ns) found = &tracks[idx];
    return found;
  };
  for (const Label& l : m_labels) {
    Track* t = track_at(l.task, l.ns);
    if (!t) continue;
    if (l.is_name) {
      t->name = l.text;
    } else {
      out += "{\"ph\":\"i\",\"s\":\"t\",\"pid\":" + std::to_string(pid) +
             ",\"tid\":" + std::to_string(t->id) + ",\"cat\":\"mark\",\"name\":";
      json_string(out, l.text);
      out += ",\"ts\":";
      micros(out, l.ns);
      out += "}\n";
    }
  }
  for (const Track& t : tracks) {
    meta(t.id, "thread_name", t.name, false);
    meta(t.id, "thread_sort_index", std::to_string(t.id), true);
  }
  // The thread pool's jobs, on a track per worker thread after the tasks'.
  std::map<int, int> workers;  // thread id -> track
  for (const Job& j : m_jobs) {
    auto [it, fresh] = workers.emplace(j.tid, 1'000'000 + int(workers.size()) + 1);
    if (fresh) {
      meta(it->second, "thread_name", "pool thread " + std::to_string(workers.size()), false);
      meta(it->second, "thread_sort_index", std::to_string(100'000 + workers.size()), true);
    }
    const Track* owner = track_at(j.owner, j.begin);
    span(it->second, "thread pool",
         owner ? "to_thread (" + owner->name + ")" : std::string("to_thread"), j.begin, j.end);
  }

  const int fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "aio: cannot write the trace to %s: %s\n", m_path.c_str(),
                 std::strerror(errno));
    return;
  }
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::fprintf(stderr, "aio: cannot write the trace to %s: %s\n", m_path.c_str(),
                   std::strerror(errno));
      break;
    }
    done += std::size_t(n);
  }
  ::close(fd);
}

void trace_event(TraceKind kind, const TaskBase* task, const char* what) noexcept {
  if (Tracer* t = t_tracer) {
    try {
      t->add(kind, task, what);
    } catch (...) {
      // Out of memory for the trace: the run goes on, the trace is short.
    }
  }
}

void trace_job(Tracer* tracer, const void* owner, std::int64_t begin, std::int64_t end) noexcept {
  try {
    tracer->job(owner, begin, end);
  } catch (...) {
  }
}

std::int64_t trace_clock_ns() noexcept { return trace_now_ns(); }

Tracer* make_tracer() {
  std::string path = t_enabled_path;
  if (path.empty())
    if (const char* env = std::getenv("AIO_TRACE")) path = env;
  if (path.empty()) return nullptr;
  return new Tracer(std::move(path));
}

void finish_tracer(Tracer& t, const char* backend) noexcept {
  try {
    t.write(backend);
  } catch (...) {
    std::fprintf(stderr, "aio: the trace could not be written\n");
  }
}

void destroy_tracer(Tracer* t) noexcept { delete t; }

}  // namespace aio::detail

namespace aio::trace {

void enable(const std::string& path) { detail::t_enabled_path = path; }
void disable() noexcept { detail::t_enabled_path.clear(); }
bool enabled() noexcept { return detail::t_tracer != nullptr; }

void name_task(std::string_view name) {
  if (detail::Tracer* t = detail::t_tracer) t->name(name);
}
void mark(std::string_view text) {
  if (detail::Tracer* t = detail::t_tracer) t->mark(text);
}

}  // namespace aio::trace
