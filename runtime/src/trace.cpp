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
#include "aio/trace_events.hpp"

namespace aio::detail {

namespace {

thread_local std::string t_enabled_path;  // aio::trace::enable on this thread

std::int64_t trace_now_ns() noexcept { return aio::trace::events::now_ns(); }

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
  namespace ev = aio::trace::events;
  const int pid = int(::getpid());
  std::string out;
  auto span = [&](int tid, const char* cat, const std::string& name, std::int64_t from,
                  std::int64_t to) { ev::span(out, pid, tid, cat, name, from, to); };
  ev::process_name(out, pid, std::string("aio (") + backend + "), pid " + std::to_string(pid));

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
    if (l.is_name)
      t->name = l.text;
    else
      ev::mark(out, pid, t->id, l.text, l.ns);
  }
  for (const Track& t : tracks) ev::track(out, pid, t.id, t.name, "task", t.id);
  // The thread pool's jobs, on a track per worker thread after the tasks' (numbered past them;
  // the track's kind, not its number, says it is a pool thread).
  std::map<int, int> workers;  // thread id -> track
  for (const Job& j : m_jobs) {
    auto [it, fresh] = workers.emplace(j.tid, int(tracks.size() + workers.size()) + 1);
    if (fresh)
      ev::track(out, pid, it->second, "pool thread " + std::to_string(workers.size()), "pool",
                long(tracks.size() + workers.size()));
    const Track* owner = track_at(j.owner, j.begin);
    span(it->second, "thread pool",
         owner ? "to_thread (" + owner->name + ")" : std::string("to_thread"), j.begin, j.end);
  }

  if (const int err = ev::append(m_path, out); err != 0)
    std::fprintf(stderr, "aio: cannot write the trace to %s: %s\n", m_path.c_str(),
                 std::strerror(err));
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
