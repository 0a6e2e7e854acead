// aio::Task<T>: a lazy coroutine that is also asyncio's Task handle.
//
// `Task<T> f()` does nothing until it is awaited or scheduled (like calling an `async def`):
// `co_await f()` runs it inline in the awaiting task, by symmetric transfer, so a chain of a
// million nested co_awaits does not grow the stack; `create_task(f())` schedules it as a task of its
// own on the running loop (it starts on a later loop turn) and returns the same Task as a handle
// that can be awaited (as an lvalue, any number of times), cancelled, and asked `done()`.
// Awaiting a scheduled task does not run it: the awaiter waits for it to finish, and if the awaiter
// is cancelled meanwhile, the awaited task is cancelled too (asyncio does the same; aio::shield
// prevents it). Dropping the handle of a running task detaches it; the loop cancels what is still
// running when the main task ends (see aio::run).
//
// Results: a value or an exception, delivered by co_await (an lvalue await copies the value, an
// rvalue await moves it out). References are not supported as T.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "aio/detail/task_base.hpp"

namespace aio {

template <class T = void>
class Task;

namespace detail {

// Schedules a lazy task on the running loop (throws std::logic_error when there is none, or
// when the task has been started already).
void start_task(TaskBase& t);

struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    return h.promise().finish();
  }
  void await_resume() const noexcept {}
};

// A task of its own that was cancelled before its first step never runs its body: the
// CancelledError comes out of the initial suspension point, as asyncio throws into a coroutine
// that has not started.
struct InitialAwaiter {
  TaskBase* self;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const {
    if (self->status == TaskStatus::scheduled && self->cancel_requested) self->take_cancel();
  }
};

template <class T>
struct Promise : TaskBase {
  std::optional<T> value;

  Task<T> get_return_object() noexcept;
  InitialAwaiter initial_suspend() noexcept { return {this}; }
  FinalAwaiter final_suspend() noexcept { return {}; }
  template <class U = T>
  void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    value.emplace(std::forward<U>(v));
  }
  void unhandled_exception() noexcept { error = std::current_exception(); }

  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
  T copy() const {
    if (error) std::rethrow_exception(error);
    return *value;
  }
};

template <>
struct Promise<void> : TaskBase {
  Task<void> get_return_object() noexcept;
  InitialAwaiter initial_suspend() noexcept { return {this}; }
  FinalAwaiter final_suspend() noexcept { return {}; }
  void return_void() noexcept {}
  void unhandled_exception() noexcept { error = std::current_exception(); }

  void take() const {
    if (error) std::rethrow_exception(error);
  }
  void copy() const { take(); }
};

// Awaits a Task: starts a lazy one inline, or waits for a scheduled one to finish.
template <class T, bool Move>
class TaskAwaiter : JoinNode, Waiter {
 public:
  explicit TaskAwaiter(std::coroutine_handle<Promise<T>> child) noexcept : m_child(child) {
    AIO_ASSERT(child, "co_await on an empty aio::Task (moved from?)");
  }

  bool await_ready() const noexcept { return m_child.promise().done(); }

  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) {
    auto& child = m_child.promise();
    TaskBase* ctx = task_of(parent);
    if (child.status == TaskStatus::lazy) {
      child.ctx = ctx;
      child.continuation = parent;
      child.status = TaskStatus::inline_running;
      return transfer_to(m_child);
    }
    AIO_ASSERT(child.status == TaskStatus::scheduled, "aio::Task awaited while it runs inline");
    m_ctx = ctx;
    m_parent = parent;
    if (!begin_wait(ctx, this, "task")) {
      m_cancelled_before = true;
      return parent;
    }
    on_done = &TaskAwaiter::joined;
    on_cancel = &TaskAwaiter::cancel_child;
    link(child);
    return std::noop_coroutine();
  }

  T await_resume() {
    if (m_ctx) {
      if (m_cancelled_before) m_ctx->take_cancel();
      // Our cancellation went to the child; what the child did with it is the answer.
      if (m_forwarded_cancel) m_ctx->cancel_requested = false;
    }
    if constexpr (Move)
      return m_child.promise().take();
    else
      return m_child.promise().copy();
  }

 private:
  static void joined(JoinNode* n) noexcept {
    auto* self = static_cast<TaskAwaiter*>(n);
    end_wait(self->m_ctx);
    schedule(self->m_parent, self->m_ctx);
  }
  static void cancel_child(Waiter* w) noexcept {
    auto* self = static_cast<TaskAwaiter*>(w);
    self->m_forwarded_cancel = true;
    self->m_child.promise().cancel();
  }

  std::coroutine_handle<Promise<T>> m_child;
  TaskBase* m_ctx = nullptr;
  std::coroutine_handle<> m_parent;
  bool m_cancelled_before = false;
  bool m_forwarded_cancel = false;
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
  static_assert(!std::is_reference_v<T>, "aio::Task<T&> is not supported; return a pointer");

 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;

  Task() noexcept = default;
  explicit Task(std::coroutine_handle<promise_type> h) noexcept : m_h(h) {}
  Task(Task&& o) noexcept : m_h(std::exchange(o.m_h, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      reset();
      m_h = std::exchange(o.m_h, {});
    }
    return *this;
  }
  ~Task() { reset(); }

  // Holds a coroutine (false once moved from).
  bool valid() const noexcept { return static_cast<bool>(m_h); }
  // Finished, with a value or an exception.
  bool done() const noexcept { return m_h && m_h.promise().done(); }
  // Requests cancellation of a scheduled task (see TaskBase::cancel): CancelledError is thrown at
  // the co_await where it is suspended, or at its next one. Returns false if it is done or was
  // never scheduled.
  bool cancel() noexcept { return m_h && m_h.promise().cancel(); }
  // Finished by CancelledError.
  bool cancelled() const noexcept { return m_h && m_h.promise().cancelled(); }

  auto operator co_await() & noexcept
    requires(std::is_void_v<T> || std::is_copy_constructible_v<T>)
  {
    return detail::TaskAwaiter<T, false>{m_h};
  }
  auto operator co_await() && noexcept { return detail::TaskAwaiter<T, true>{m_h}; }

  // Internal: the promise (aio's combinators use it).
  promise_type& promise() const noexcept { return m_h.promise(); }
  std::coroutine_handle<promise_type> handle() const noexcept { return m_h; }

 private:
  void reset() noexcept {
    if (m_h) {
      AIO_ASSERT(m_h.promise().status != detail::TaskStatus::inline_running,
                 "aio::Task destroyed while it is being awaited");
      std::exchange(m_h, {}).promise().release();
    }
  }

  std::coroutine_handle<promise_type> m_h;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  auto h = std::coroutine_handle<Promise<T>>::from_promise(*this);
  frame = h;
  return Task<T>{h};
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  auto h = std::coroutine_handle<Promise<void>>::from_promise(*this);
  frame = h;
  return Task<void>{h};
}
}  // namespace detail

// Schedules `task` to run as a task of its own on the running loop, starting on a later loop turn
// (asyncio.create_task). Returns it as the handle. Throws std::logic_error outside a running loop
// or for a task that has already been started.
template <class T>
Task<T> create_task(Task<T> task) {
  AIO_ASSERT(task.valid(), "aio::create_task of an empty Task");
  detail::start_task(task.promise());
  return task;
}

}  // namespace aio
