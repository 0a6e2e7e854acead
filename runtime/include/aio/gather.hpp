// aio::gather: run awaitables concurrently and collect their results in order.
//
//   auto [a, b, c] = co_await aio::gather(f(), g(), h());       // std::tuple; void -> monostate
//   std::vector<int> v = co_await aio::gather(std::move(tasks)); // a vector<Task<int>>
//   co_await aio::gather(std::move(void_tasks));                 // a vector<Task<void>>: nothing
//   auto rs = co_await aio::gather(aio::return_exceptions, f(), g()); // Result<T> per child
//
// Each argument becomes a task of its own (a Task passed as an lvalue, e.g. a create_task handle,
// is waited for where it is; its result is copied). The first exception leaves gather exactly as
// it was thrown. Where asyncio lets the other children run on unobserved, aio cancels them and
// waits for them to finish unwinding before rethrowing: in C++ a child may refer to the caller's
// locals, so none may outlive the gather. With `return_exceptions` every child runs to its end and
// each result or exception is returned. If the task awaiting gather is cancelled, every child is
// cancelled, and gather throws CancelledError once all have finished.
#pragma once

#include <array>
#include <coroutine>
#include <exception>
#include <memory>
#include <span>
#include <tuple>
#include <variant>
#include <vector>

#include "aio/detail/child.hpp"

namespace aio {

// A child's outcome under return_exceptions: its value, or the exception it ended with.
template <class T>
class Result {
 public:
  explicit Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
  explicit Result(std::exception_ptr e) : m_v(std::in_place_index<1>, std::move(e)) {}

  bool has_value() const noexcept { return m_v.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  // The value; rethrows the exception if there is one.
  T& value() & {
    rethrow_if_error();
    return std::get<0>(m_v);
  }
  const T& value() const& {
    rethrow_if_error();
    return std::get<0>(m_v);
  }
  T&& value() && {
    rethrow_if_error();
    return std::get<0>(std::move(m_v));
  }
  // The exception, or null.
  std::exception_ptr error() const noexcept { return has_value() ? nullptr : std::get<1>(m_v); }

 private:
  void rethrow_if_error() const {
    if (!has_value()) std::rethrow_exception(std::get<1>(m_v));
  }
  std::variant<T, std::exception_ptr> m_v;
};

template <>
class Result<void> {
 public:
  Result() = default;
  explicit Result(std::exception_ptr e) : m_error(std::move(e)) {}
  bool has_value() const noexcept { return !m_error; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {
    if (m_error) std::rethrow_exception(m_error);
  }
  std::exception_ptr error() const noexcept { return m_error; }

 private:
  std::exception_ptr m_error;
};

struct return_exceptions_t {
  explicit constexpr return_exceptions_t() = default;
};
// Tag for gather's variant that collects every outcome instead of stopping at the first error.
inline constexpr return_exceptions_t return_exceptions{};

namespace detail {

// Waits for a set of children (see the file comment for the two policies).
class JoinAll : Waiter {
 public:
  JoinAll(std::span<TaskBase* const> children, bool fail_fast);
  JoinAll(const JoinAll&) = delete;
  JoinAll& operator=(const JoinAll&) = delete;

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return suspend(task_of(h), h);
  }
  // Throws CancelledError if the waiting task was cancelled.
  void await_resume();

  // fail_fast: the child whose failure stopped the gather, or null.
  TaskBase* first_failure() const noexcept { return m_first_failure; }

 private:
  struct Node : JoinNode {
    JoinAll* owner = nullptr;
  };
  bool suspend(TaskBase* ctx, std::coroutine_handle<> h);
  void cancel_children() noexcept;
  static void child_done(JoinNode* n) noexcept;
  static void cancel(Waiter* w) noexcept;

  std::span<TaskBase* const> m_children;
  std::unique_ptr<Node[]> m_nodes;
  std::size_t m_pending = 0;
  TaskBase* m_first_failure = nullptr;
  TaskBase* m_ctx = nullptr;
  std::coroutine_handle<> m_h;
  bool m_fail_fast;
  bool m_cancelled = false;
};

template <class T>
Result<T> outcome(Child<T>& c) {
  auto& p = c.task().promise();
  if (p.error) return Result<T>(p.error);
  if constexpr (std::is_void_v<T>)
    return Result<void>();
  else
    return Result<T>(c.take());
}

template <class... Cs>
Task<std::tuple<typename Cs::value_type...>> gather_tuple(Cs... cs) {
  (cs.schedule(), ...);
  const std::array<TaskBase*, sizeof...(Cs)> children{&cs.base()...};
  JoinAll join(children, true);
  co_await join;
  if (TaskBase* f = join.first_failure()) std::rethrow_exception(f->error);
  co_return std::tuple<typename Cs::value_type...>{cs.take()...};
}

template <class... Cs>
Task<std::tuple<Result<typename Cs::result_type>...>> gather_tuple_settled(Cs... cs) {
  (cs.schedule(), ...);
  const std::array<TaskBase*, sizeof...(Cs)> children{&cs.base()...};
  JoinAll join(children, false);
  co_await join;
  co_return std::tuple<Result<typename Cs::result_type>...>{outcome(cs)...};
}

template <class T>
using gather_vector_t = std::conditional_t<std::is_void_v<T>, void, std::vector<T>>;

template <class T>
Task<gather_vector_t<T>> gather_vector(std::vector<Child<T>> cs) {
  const std::vector<TaskBase*> children = schedule_all(cs);
  JoinAll join(children, true);
  co_await join;
  if (TaskBase* f = join.first_failure()) std::rethrow_exception(f->error);
  if constexpr (std::is_void_v<T>) {
    co_return;
  } else {
    std::vector<T> out;
    out.reserve(cs.size());
    for (auto& c : cs) out.push_back(c.take());
    co_return out;
  }
}

template <class T>
Task<std::vector<Result<T>>> gather_vector_settled(std::vector<Child<T>> cs) {
  const std::vector<TaskBase*> children = schedule_all(cs);
  JoinAll join(children, false);
  co_await join;
  std::vector<Result<T>> out;
  out.reserve(cs.size());
  for (auto& c : cs) out.push_back(outcome(c));
  co_return out;
}

template <class T>
std::vector<Child<T>> own_all(std::vector<Task<T>>&& tasks) {
  std::vector<Child<T>> cs;
  cs.reserve(tasks.size());
  for (auto& t : tasks) cs.emplace_back(std::move(t));
  return cs;
}
template <class T>
std::vector<Child<T>> borrow_all(std::vector<Task<T>>& tasks) {
  std::vector<Child<T>> cs;
  cs.reserve(tasks.size());
  for (auto& t : tasks) cs.emplace_back(t);
  return cs;
}

}  // namespace detail

// Variadic: a Task<std::tuple<...>> with one element per argument (std::monostate for void).
template <class... As>
  requires(detail::Awaitable<As> && ...)
auto gather(As&&... aws) {
  return detail::gather_tuple(detail::make_child(std::forward<As>(aws))...);
}

// Variadic, collecting outcomes: a Task<std::tuple<Result<T>...>>.
template <class... As>
  requires(detail::Awaitable<As> && ...)
auto gather(return_exceptions_t, As&&... aws) {
  return detail::gather_tuple_settled(detail::make_child(std::forward<As>(aws))...);
}

// A range of tasks: Task<std::vector<T>> in the tasks' order (Task<void> for Task<void>s).
// An rvalue vector is taken over; an lvalue vector's tasks are waited for where they are.
template <class T>
Task<detail::gather_vector_t<T>> gather(std::vector<Task<T>>&& tasks) {
  return detail::gather_vector(detail::own_all(std::move(tasks)));
}
template <class T>
Task<detail::gather_vector_t<T>> gather(std::vector<Task<T>>& tasks) {
  return detail::gather_vector(detail::borrow_all(tasks));
}
template <class T>
Task<std::vector<Result<T>>> gather(return_exceptions_t, std::vector<Task<T>>&& tasks) {
  return detail::gather_vector_settled(detail::own_all(std::move(tasks)));
}
template <class T>
Task<std::vector<Result<T>>> gather(return_exceptions_t, std::vector<Task<T>>& tasks) {
  return detail::gather_vector_settled(detail::borrow_all(tasks));
}

}  // namespace aio
