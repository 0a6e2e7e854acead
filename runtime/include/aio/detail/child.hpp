// What gather, wait_for, shield, as_completed and TaskGroup accept, made uniform.
//
// They take Tasks (owned when passed as rvalues, borrowed when passed as lvalues, as asyncio's
// gather takes coroutines and existing tasks alike) and any other aio awaitable (a sleep, a
// Future, an Event wait...), which is wrapped in a Task of its own. Each becomes a *child*: a task
// scheduled on the loop, so that it runs concurrently and can be cancelled on its own.
#pragma once

#include <coroutine>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aio/task.hpp"

namespace aio::detail {

template <class A>
concept HasMemberCoAwait = requires(A&& a) { std::forward<A>(a).operator co_await(); };

template <class A>
decltype(auto) get_awaiter(A&& a) {
  if constexpr (HasMemberCoAwait<A>)
    return std::forward<A>(a).operator co_await();
  else
    return std::forward<A>(a);
}

template <class A>
using await_result_t = decltype(get_awaiter(std::declval<A>()).await_resume());

template <class T>
struct is_task : std::false_type {};
template <class T>
struct is_task<Task<T>> : std::true_type {};

// What aio's combinators accept: a Task, or anything with the awaiter interface.
template <class A>
concept Awaitable = is_task<std::remove_cvref_t<A>>::value ||
                    requires(A&& a) { get_awaiter(std::forward<A>(a)).await_ready(); };

// void results become std::monostate where a value is needed (a tuple, a vector).
template <class T>
using value_or_monostate_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class A>
Task<await_result_t<A>> await_as_task(A aw) {
  if constexpr (std::is_void_v<await_result_t<A>>)
    co_await std::move(aw);
  else
    co_return co_await std::move(aw);
}

template <class T>
class Child {
 public:
  using value_type = value_or_monostate_t<T>;
  using result_type = T;

  explicit Child(Task<T>&& t) noexcept : m_owned(std::move(t)) {}
  explicit Child(Task<T>& t) noexcept : m_borrowed(&t) {}
  Child(Child&&) noexcept = default;

  Task<T>& task() noexcept { return m_borrowed ? *m_borrowed : m_owned; }
  TaskBase& base() noexcept { return task().promise(); }

  // Makes it a task of its own if it is not one yet.
  void schedule() {
    if (base().status == TaskStatus::lazy) start_task(base());
  }
  // The result: moved out of an owned task, copied from a borrowed one so that it may be awaited
  // again (a move-only result can only be moved out, even then).
  value_or_monostate_t<T> take() {
    auto& p = task().promise();
    if constexpr (std::is_void_v<T>) {
      p.take();
      return {};
    } else if constexpr (std::is_copy_constructible_v<T>) {
      return m_borrowed ? p.copy() : p.take();
    } else {
      return p.take();
    }
  }
  T result() {
    if constexpr (std::is_void_v<T>)
      take();
    else
      return take();
  }

 private:
  Task<T> m_owned;
  Task<T>* m_borrowed = nullptr;
};

// Makes each child a task of its own; returns their task states, in order.
template <class T>
std::vector<TaskBase*> schedule_all(std::vector<Child<T>>& cs) {
  std::vector<TaskBase*> children;
  children.reserve(cs.size());
  for (auto& c : cs) {
    c.schedule();
    children.push_back(&c.base());
  }
  return children;
}

template <class T>
Child<T> make_child(Task<T>&& t) {
  return Child<T>(std::move(t));
}
template <class T>
Child<T> make_child(Task<T>& t) {
  return Child<T>(t);
}
template <class A>
  requires(!is_task<std::remove_cvref_t<A>>::value)
auto make_child(A&& aw) {
  using R = await_result_t<std::remove_cvref_t<A>>;
  return Child<R>(await_as_task(std::remove_cvref_t<A>(std::forward<A>(aw))));
}

// The result type of what make_child(a) makes: T for a Task<T>, the await result otherwise.
template <class A>
using child_result_t = typename decltype(make_child(std::declval<A>()))::result_type;

}  // namespace aio::detail
