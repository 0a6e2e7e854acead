// The event loop: one per thread, driven by aio::run.
//
// One turn (asyncio's `_run_once`, libuv's `uv_run`): wait in the backend for I/O (not blocking
// when tasks are ready, at most until the nearest timer otherwise), move expired timers and
// finished thread-pool jobs to the ready queue, then resume the tasks that were ready when the
// turn began (tasks made ready during the turn wait for the next, so a task that keeps yielding
// cannot starve the timers or the I/O). Pure coroutine work makes no system call at all: the
// backend is consulted without blocking only while I/O is outstanding.
//
// When the main task finishes, the loop cancels every task still running and runs until they
// have unwound, as asyncio.run does. A stall (tasks waiting, and no timer, I/O or pool job
// that could ever wake one) is a deadlock: asyncio would hang forever; aio cancels every task,
// lets them unwind, and aio::run reports the deadlock.
#pragma once

#include <coroutine>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "aio/detail/backend.hpp"
#include "aio/detail/task_base.hpp"
#include "aio/detail/thread_pool.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/detail/trace.hpp"

namespace aio {
enum class Backend { automatic, epoll, io_uring };
}

namespace aio::detail {

class Loop {
 public:
  // Creates the backend (see aio::run for the choice) and becomes this thread's running loop.
  // Throws std::logic_error if a loop already runs on this thread, std::invalid_argument for a
  // bad AIO_BACKEND, std::system_error when the backend cannot be set up.
  explicit Loop(aio::Backend requested);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  static Loop* current_or_null() noexcept;
  // Throws std::logic_error("no running event loop") outside aio::run.
  static Loop& current();

  void schedule(std::coroutine_handle<> h, TaskBase* ctx);
  void start(TaskBase& task);
  void task_finished(TaskBase& task) noexcept;

  void add_timer(TimerNode& t) { m_timers.push(&t); }
  void remove_timer(TimerNode& t) noexcept { m_timers.remove(&t); }
  static std::int64_t now_ns() noexcept;

  // Thread pool (to_thread).
  void submit_job(JobNode* job);
  bool withdraw_job(JobNode* job) noexcept;
  void post_completion(JobNode* job) noexcept;  // any thread

  // Outstanding I/O operations: while there are some, the loop polls the backend each turn.
  void io_started() noexcept { ++m_pending_io; }
  void io_finished() noexcept { --m_pending_io; }

  // Requests that outlive any one task (a listener's multishot accept). When every task has
  // finished, the loop cancels them and waits for their last completion before it goes.
  void add_persistent(IoRequest* r);
  void remove_persistent(IoRequest* r) noexcept;

  IoBackend& backend() noexcept { return *m_backend; }
  // Recording a trace (aio/trace.hpp), or null.
  Tracer* tracer() const noexcept { return m_tracer; }
  aio::Backend kind() const noexcept { return m_kind; }
  // Unique for the life of the process: tells a descriptor which loop it is registered with.
  std::uint64_t id() const noexcept { return m_id; }

  // Runs until `main` is done, then cancels every other task and runs until all are finished.
  // Throws std::runtime_error if the run deadlocked (see above).
  void run(TaskBase& main);

 private:
  struct Ready {
    std::coroutine_handle<> h;
    TaskBase* ctx;
  };
  // FIFO of ready coroutines: a power-of-two ring that only grows.
  class ReadyQueue {
   public:
    bool empty() const noexcept { return m_size == 0; }
    std::size_t size() const noexcept { return m_size; }
    void push(Ready r);
    Ready pop() noexcept {
      Ready r = m_buf[m_head];
      m_head = (m_head + 1) & (m_buf.size() - 1);
      --m_size;
      return r;
    }

   private:
    std::vector<Ready> m_buf;
    std::size_t m_head = 0;
    std::size_t m_size = 0;
  };

  void run_once();
  void expire_timers();
  void drain_completions();
  void on_stall();
  void cancel_all() noexcept;

  aio::Backend m_kind;
  std::uint64_t m_id;
  std::unique_ptr<IoBackend> m_backend;
  Tracer* m_tracer = nullptr;  // owned; see aio/trace.hpp
  std::vector<IoRequest*> m_persistent;
  ReadyQueue m_ready;
  TimerHeap m_timers;
  TaskBase* m_live = nullptr;  // scheduled, unfinished tasks (intrusive, doubly linked)
  std::size_t m_pending_io = 0;
  std::size_t m_pending_jobs = 0;
  unsigned m_stalls_in_a_row = 0;
  bool m_deadlocked = false;

  std::mutex m_completions_mutex;  // guards m_completions_head/tail
  JobNode* m_completions_head = nullptr;
  JobNode* m_completions_tail = nullptr;
  std::unique_ptr<ThreadPool> m_pool;  // created on first use, joined before the backend goes
};

}  // namespace aio::detail
