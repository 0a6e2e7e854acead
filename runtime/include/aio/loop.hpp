// Running the loop (aio::run), choosing its backend, and the loop's clock (aio::sleep).
//
// aio::run(task, backend) is asyncio.run: it makes a new event loop for this thread, runs `task`
// as the main task until it is done, cancels every task still running and waits for them to
// unwind, joins the thread pool, and returns the main task's result (or rethrows its exception).
//
// Backend choice: `automatic` uses io_uring and falls back to epoll, with one line on stderr, when
// the kernel refuses io_uring (seccomp, io_uring_disabled, an old kernel); the environment
// variable AIO_BACKEND=epoll|io_uring overrides `automatic` (not an explicit choice). io_uring
// counts as available once a ring has been set up and a NOP submitted and reaped through it (a
// filter may allow io_uring_setup and refuse io_uring_enter). Asking for io_uring explicitly
// where it cannot be set up throws std::system_error with the errno and the refused call.
#pragma once

#include <chrono>
#include <cmath>
#include <coroutine>
#include <cstdint>
#include <string_view>

#include "aio/detail/child.hpp"
#include "aio/detail/loop.hpp"
#include "aio/task.hpp"

namespace aio {

constexpr std::string_view to_string(Backend b) noexcept {
  switch (b) {
    case Backend::epoll: return "epoll";
    case Backend::io_uring: return "io_uring";
    default: return "automatic";
  }
}

// Runs `main` to completion on a new event loop for this thread and returns its result.
// Throws: whatever `main` threw; std::logic_error when called inside a running loop;
// std::invalid_argument for a bad AIO_BACKEND; std::system_error when the backend cannot be set
// up; std::runtime_error when the tasks deadlocked (every task waiting on something no timer,
// I/O or thread job could provide: asyncio would hang, aio cancels them all and says so).
template <class T>
T run(Task<T> main, Backend backend = Backend::automatic) {
  AIO_ASSERT(main.valid(), "aio::run of an empty Task");
  detail::Loop loop(backend);
  detail::start_task(main.promise());
  loop.run(main.promise());
  return main.promise().take();
}

// Any other awaitable (a sleep, a to_thread call): run as a task of its own.
template <class A>
  requires(!detail::is_task<std::remove_cvref_t<A>>::value && detail::Awaitable<A>)
auto run(A&& aw, Backend backend = Backend::automatic) {
  return run(detail::await_as_task(std::remove_cvref_t<A>(std::forward<A>(aw))), backend);
}

// Can `backend` run here? Sets it up as aio::run(task, backend) would (io_uring: a ring, and a
// NOP through it) and tears it down. Throws what aio::run would: std::system_error with the
// errno and the call that failed ("io_uring_enter: Operation not permitted") when it cannot,
// std::invalid_argument for a bad AIO_BACKEND. `automatic` falls back, so it does not throw for
// want of io_uring (and prints the fallback line, once per process, as aio::run does).
void check_backend(Backend backend);

// The backend of the loop running on this thread (epoll or io_uring, never automatic).
// Throws std::logic_error outside aio::run.
inline Backend current_backend() { return detail::Loop::current().kind(); }

// A description of the running loop's backend: its setup flags and kernel features.
inline std::string backend_description() { return detail::Loop::current().backend().describe(); }

namespace detail {

// Any duration to whole nanoseconds, rounded up (a sleep is never shorter than asked),
// clamped to [0, max]. NaN counts as zero.
template <class Rep, class Period>
std::int64_t to_ns(std::chrono::duration<Rep, Period> d) noexcept {
  const long double ns = std::chrono::duration<long double, std::nano>(d).count();
  if (!(ns > 0)) return 0;
  if (ns >= 9.2e18L) return INT64_MAX;
  return static_cast<std::int64_t>(std::ceil(ns));
}

Task<void> sleep_task(std::int64_t ns);

class SleepAwaiter : TimerNode, Waiter {
 public:
  explicit SleepAwaiter(std::int64_t ns) noexcept : m_ns(ns) {}

  bool await_ready() const noexcept { return false; }

  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    m_ctx = task_of(h);
    m_h = h;
    if (!begin_wait(m_ctx, this, "timer")) {
      m_cancelled = true;
      return false;
    }
    on_cancel = &SleepAwaiter::cancel;
    try {
      arm();
    } catch (...) {
      end_wait(m_ctx);
      throw;
    }
    return true;
  }

  void await_resume() {
    end_wait(m_ctx);
    if (m_cancelled) m_ctx->take_cancel();
  }

  // So that a sleep can stand wherever a Task is expected: in a std::vector<Task<void>> for
  // gather, as a TaskGroup member, under wait_for.
  operator Task<void>() && { return sleep_task(m_ns); }

 private:
  void arm();
  static void fired(TimerNode* t) noexcept;
  static void cancel(Waiter* w) noexcept;

  std::int64_t m_ns;
  TaskBase* m_ctx = nullptr;
  std::coroutine_handle<> m_h;
  bool m_cancelled = false;
};

}  // namespace detail

// Suspends the current task for `delay` (any std::chrono::duration; fractions round up to the
// nanosecond). sleep(0) or a negative delay is a pure yield: the task goes to the back of the
// ready queue, letting every other ready task run first (asyncio's sleep(0)). Cancellable: the
// timer is removed and CancelledError is thrown here. Usable only inside aio coroutines.
template <class Rep, class Period>
[[nodiscard]] detail::SleepAwaiter sleep(std::chrono::duration<Rep, Period> delay) noexcept {
  return detail::SleepAwaiter{detail::to_ns(delay)};
}

}  // namespace aio
