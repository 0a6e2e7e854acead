// aio::to_thread: run a blocking call on the loop's thread pool (asyncio.to_thread).
//
//   int v = co_await aio::to_thread(blocking_io, arg1, arg2);
//
// `f` and the arguments are decay-copied, as std::thread does, and invoked on a worker thread of
// the pool (asyncio's default size, min(32, cores + 4), started lazily); the result or exception
// comes back to the awaiting task, and the worker wakes the loop through its backend.
// The call is lazy like any Task: it is queued when the Task is first awaited or scheduled.
//
// Cancellation: a call still queued is taken back and CancelledError is thrown at once; a call
// already running cannot be interrupted, so the task waits for it to return, discards the result
// and then throws CancelledError (asyncio throws at once and leaves the thread running; waiting
// keeps the call from outliving the coroutine whose data it may use).
//
// g++ 12 pitfall: `co_await aio::to_thread([x] { ... })`, a capturing lambda created as a
// temporary inside the co_await expression, can be destroyed twice. Name the lambda first, or pass
// a function and its arguments.
#pragma once

#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "aio/detail/loop.hpp"
#include "aio/detail/thread_pool.hpp"
#include "aio/task.hpp"

namespace aio {
namespace detail {

template <class R, class Fn>
class JobAwaiter : JobNode, Waiter {
 public:
  explicit JobAwaiter(Fn& fn) noexcept : m_fn(fn) {}

  bool await_ready() const noexcept { return false; }

  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    m_ctx = task_of(h);
    m_h = h;
    if (!begin_wait(m_ctx, this, "thread pool")) {
      m_cancelled = true;
      return false;
    }
    run = &JobAwaiter::run_job;
    complete = &JobAwaiter::completed;
    owner = m_ctx;
    on_cancel = &JobAwaiter::cancel;
    try {
      Loop::current().submit_job(this);
    } catch (...) {
      end_wait(m_ctx);
      throw;
    }
    return true;
  }

  R await_resume() {
    end_wait(m_ctx);
    if (m_cancelled) m_ctx->take_cancel();
    if (m_error) std::rethrow_exception(m_error);
    if constexpr (!std::is_void_v<R>) return std::move(*m_result);
  }

 private:
  static void run_job(JobNode* n) noexcept {
    auto* self = static_cast<JobAwaiter*>(n);
    try {
      if constexpr (std::is_void_v<R>)
        self->m_fn();
      else
        self->m_result.emplace(self->m_fn());
    } catch (...) {
      self->m_error = std::current_exception();
    }
  }
  static void completed(JobNode* n) noexcept {
    auto* self = static_cast<JobAwaiter*>(n);
    if (self->m_cancel_on_completion) self->m_cancelled = true;
    end_wait(self->m_ctx);
    schedule(self->m_h, self->m_ctx);
  }
  static void cancel(Waiter* w) noexcept {
    auto* self = static_cast<JobAwaiter*>(w);
    if (Loop::current().withdraw_job(self)) {
      self->m_cancelled = true;
      end_wait(self->m_ctx);
      schedule(self->m_h, self->m_ctx);
    } else {
      self->m_cancel_on_completion = true;  // running: wait for it, then throw
    }
  }

  Fn& m_fn;
  TaskBase* m_ctx = nullptr;
  std::coroutine_handle<> m_h;
  std::conditional_t<std::is_void_v<R>, char, std::optional<R>> m_result{};
  std::exception_ptr m_error;
  bool m_cancelled = false;
  bool m_cancel_on_completion = false;
};

template <class R, class F, class... Args>
Task<R> to_thread_impl(F f, Args... args) {
  auto call = [&]() -> R { return std::invoke(std::move(f), std::move(args)...); };
  JobAwaiter<R, decltype(call)> job(call);
  if constexpr (std::is_void_v<R>)
    co_await job;
  else
    co_return co_await job;
}

}  // namespace detail

// See the file comment. Returns Task<R>, R being what f(args...) returns.
template <class F, class... Args>
auto to_thread(F&& f, Args&&... args)
    -> Task<std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>> {
  using R = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;
  return detail::to_thread_impl<R>(std::decay_t<F>(std::forward<F>(f)),
                                   std::decay_t<Args>(std::forward<Args>(args))...);
}

}  // namespace aio
