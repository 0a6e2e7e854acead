#include "aio/detail/loop.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "aio/detail/config.hpp"
#include "aio/loop.hpp"

namespace aio::detail {

namespace {

thread_local Loop* t_current = nullptr;

// Stalls survived before giving up: each one cancels every task, so a further stall means tasks
// caught CancelledError and went back to waiting on something nobody can provide.
constexpr unsigned max_stalls = 3;

aio::Backend backend_from_env(aio::Backend requested) {
  if (requested != aio::Backend::automatic) return requested;
  const char* env = std::getenv("AIO_BACKEND");
  if (env == nullptr || *env == '\0' || std::string_view(env) == "automatic")
    return aio::Backend::automatic;
  const std::string_view v(env);
  if (v == "epoll") return aio::Backend::epoll;
  if (v == "io_uring" || v == "uring") return aio::Backend::io_uring;
  throw std::invalid_argument("AIO_BACKEND must be 'epoll' or 'io_uring', not '" + std::string(v) +
                              "'");
}

std::unique_ptr<IoBackend> make_backend(aio::Backend requested) {
  const aio::Backend wanted = backend_from_env(requested);
  if (wanted == aio::Backend::epoll) return make_epoll_backend();
  if (wanted == aio::Backend::io_uring) return make_io_uring_backend();  // explicit: errors go up
  try {
    return make_io_uring_backend();
  } catch (const std::system_error& e) {
    // The one thing the library prints: once per process, so a program that runs many loops
    // (a test suite, a benchmark's repetitions) is not flooded.
    static std::atomic<bool> told{false};
    if (!told.exchange(true))
      std::fprintf(stderr, "aio: io_uring is not available (%s); using epoll\n", e.what());
    return make_epoll_backend();
  }
}

}  // namespace

[[noreturn]] void invariant_failed(const char* what, const char* file, int line) noexcept {
  std::fprintf(stderr, "aio: invariant broken: %s (%s:%d)\n", what, file, line);
  std::abort();
}

void schedule(std::coroutine_handle<> h, TaskBase* ctx) { Loop::current().schedule(h, ctx); }

void start_task(TaskBase& t) { Loop::current().start(t); }

Loop::Loop(aio::Backend requested) {
  static std::atomic<std::uint64_t> next_id{1};
  if (t_current != nullptr)
    throw std::logic_error("aio::run() cannot be called from a running event loop");
  m_id = next_id.fetch_add(1);
  m_backend = make_backend(requested);
  m_kind = m_backend->kind();
  m_tracer = make_tracer();
  t_tracer = m_tracer;
  t_current = this;
}

Loop::~Loop() {
  // Workers may still be posting completions; join them before anything they touch goes.
  m_pool.reset();
  if (m_tracer) {
    t_tracer = nullptr;
    finish_tracer(*m_tracer, m_kind == aio::Backend::io_uring ? "io_uring" : "epoll");
    destroy_tracer(m_tracer);
  }
  t_current = nullptr;
}

Loop* Loop::current_or_null() noexcept { return t_current; }

Loop& Loop::current() {
  if (t_current == nullptr)
    throw std::logic_error("aio: no running event loop (call this inside aio::run)");
  return *t_current;
}

std::int64_t Loop::now_ns() noexcept {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void Loop::ReadyQueue::push(Ready r) {
  if (m_size == m_buf.size()) {
    std::vector<Ready> bigger(m_buf.empty() ? 256 : m_buf.size() * 2);
    for (std::size_t i = 0; i < m_size; ++i) bigger[i] = m_buf[(m_head + i) & (m_buf.size() - 1)];
    m_buf.swap(bigger);
    m_head = 0;
  }
  m_buf[(m_head + m_size) & (m_buf.size() - 1)] = r;
  ++m_size;
}

void Loop::schedule(std::coroutine_handle<> h, TaskBase* ctx) {
  m_ready.push({h, ctx});
  if (t_tracer) [[unlikely]]
    trace_event(TraceKind::ready, ctx);
}

void Loop::start(TaskBase& t) {
  if (t.status != TaskStatus::lazy)
    throw std::logic_error("aio::create_task: the task has already been started or awaited");
  m_ready.push({t.frame, &t});  // first, so a bad_alloc leaves the task untouched
  t.status = TaskStatus::scheduled;
  t.ctx = &t;
  t.add_ref();  // the running task's own reference, dropped when it finishes
  t.live_prev = nullptr;
  t.live_next = m_live;
  if (m_live) m_live->live_prev = &t;
  m_live = &t;
  if (t_tracer) [[unlikely]]
    trace_event(TraceKind::created, &t);
}

void Loop::task_finished(TaskBase& t) noexcept {
  if (t.live_prev)
    t.live_prev->live_next = t.live_next;
  else
    m_live = t.live_next;
  if (t.live_next) t.live_next->live_prev = t.live_prev;
  t.live_prev = t.live_next = nullptr;
}

void Loop::submit_job(JobNode* job) {
  if (!m_pool) m_pool = std::make_unique<ThreadPool>(ThreadPool::default_size());
  job->loop = this;
  m_pool->submit(job);
  ++m_pending_jobs;
}

bool Loop::withdraw_job(JobNode* job) noexcept {
  if (!m_pool || !m_pool->try_remove(job)) return false;
  --m_pending_jobs;
  return true;
}

void Loop::post_completion(JobNode* job) noexcept {
  bool was_empty;
  {
    std::lock_guard lock(m_completions_mutex);
    job->next = nullptr;
    was_empty = m_completions_head == nullptr;
    if (was_empty)
      m_completions_head = job;
    else
      m_completions_tail->next = job;
    m_completions_tail = job;
  }
  // Only the first completion of a batch needs to wake the loop: it drains all of them.
  if (was_empty) m_backend->wakeup();
}

void Loop::drain_completions() {
  if (m_pending_jobs == 0) return;
  JobNode* job;
  {
    std::lock_guard lock(m_completions_mutex);
    job = m_completions_head;
    m_completions_head = m_completions_tail = nullptr;
  }
  while (job) {
    JobNode* next = job->next;
    --m_pending_jobs;
    job->complete(job);
    job = next;
  }
}

void Loop::expire_timers() {
  if (m_timers.empty()) return;
  const std::int64_t now = now_ns();
  while (TimerNode* t = m_timers.top()) {
    if (t->deadline_ns > now) break;
    m_timers.pop();
    t->fire(t);
  }
}

void Loop::cancel_all() noexcept {
  for (TaskBase* t = m_live; t; t = t->live_next) t->cancel();
}

void Loop::on_stall() {
  if (++m_stalls_in_a_row > max_stalls)
    invariant_failed("deadlock: tasks went back to waiting after every task was cancelled", __FILE__,
                     __LINE__);
  m_deadlocked = true;
  cancel_all();
}

void Loop::run_once() {
  std::optional<std::chrono::nanoseconds> timeout;
  bool poll = true;
  if (!m_ready.empty()) {
    timeout = std::chrono::nanoseconds(0);
    // Nothing outstanding in the kernel: a non-blocking poll could only find a pool wakeup, and
    // pool completions are drained below without it.
    poll = m_pending_io != 0 || m_backend->has_unsubmitted();
  } else if (TimerNode* t = m_timers.top()) {
    const std::int64_t left = t->deadline_ns - now_ns();
    timeout = std::chrono::nanoseconds(left > 0 ? left : 0);
  } else if (m_pending_io == 0 && m_pending_jobs == 0) {
    if (m_backend->has_unsubmitted()) m_backend->wait(std::chrono::nanoseconds(0));
    on_stall();
    return;
  }
  if (poll) m_backend->wait(timeout);
  expire_timers();
  drain_completions();

  std::size_t n = m_ready.size();
  if (n) m_stalls_in_a_row = 0;
  if (t_tracer) [[unlikely]] {
    while (n--) {
      const Ready r = m_ready.pop();
      trace_event(TraceKind::run, r.ctx);
      resume_flat(r.h);
      trace_event(TraceKind::pause, r.ctx);  // the address only: the task may be gone
    }
    return;
  }
  while (n--) resume_flat(m_ready.pop().h);
}

void Loop::add_persistent(IoRequest* r) { m_persistent.push_back(r); }

void Loop::remove_persistent(IoRequest* r) noexcept {
  for (auto& p : m_persistent)
    if (p == r) {
      p = m_persistent.back();
      m_persistent.pop_back();
      return;
    }
}

void Loop::run(TaskBase& main) {
  while (!main.done()) run_once();
  // asyncio.run: cancel what is left and let it finish.
  cancel_all();
  while (m_live) run_once();
  // No task is left to take what a persistent request delivers: cancel them, and wait for their
  // final completions (bounded, in case a kernel never sends one).
  if (!m_persistent.empty()) {
    for (IoRequest* r : std::vector<IoRequest*>(m_persistent)) m_backend->cancel(*r);
    for (int i = 0; i < 100 && !m_persistent.empty(); ++i)
      m_backend->wait(std::chrono::milliseconds(10));
  }
  if (m_deadlocked)
    throw std::runtime_error(
        "aio::run: deadlock: every task was waiting and no timer, I/O or thread-pool job could wake "
        "one; all tasks were cancelled");
}

}  // namespace aio::detail

namespace aio {

void check_backend(Backend backend) { detail::make_backend(backend); }

}  // namespace aio
