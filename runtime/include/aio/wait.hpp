// Waiting with a deadline, protecting from cancellation, and taking results as they come.
//
// wait_for(aw, timeout): runs `aw` as a task of its own; if it is not done within `timeout`, it is
// cancelled, and once it has finished unwinding (its cleanup may itself await, as in the
// lectures' another_eternity), TimeoutError is thrown. A child that swallows the cancellation and
// returns a value anyway has that value returned, as in asyncio. If the awaiting task is
// cancelled, the child is cancelled too and its outcome (normally CancelledError) propagates.
//
// shield(aw): runs `aw` as a task of its own that the awaiter's cancellation does not reach: the
// awaiter gets CancelledError at once, and the shielded task runs on (until the loop shuts down).
//
// as_completed(tasks): iterate to get one awaitable per task; each co_await gives the next result
// to finish (or rethrows that task's exception), in completion order. Destroying the object
// cancels the tasks that have not finished.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/detail/child.hpp"
#include "aio/detail/timer_heap.hpp"
#include "aio/detail/wait_list.hpp"
#include "aio/loop.hpp"

namespace aio {

namespace detail {

class WaitFor : JoinNode, TimerNode, Waiter {
 public:
  WaitFor(TaskBase& child, std::int64_t timeout_ns) noexcept : m_child(child), m_timeout_ns(timeout_ns) {}
  bool await_ready() const noexcept { return m_child.done(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return suspend(task_of(h), h);
  }
  void await_resume() noexcept;
  // The deadline passed and it was our cancellation that ended the child.
  bool timed_out() const noexcept { return m_timed_out && !m_parent_cancelled && m_child.cancelled(); }

 private:
  bool suspend(TaskBase* ctx, std::coroutine_handle<> h);
  static void child_done(JoinNode* n) noexcept;
  static void expired(TimerNode* t) noexcept;
  static void cancel(Waiter* w) noexcept;

  TaskBase& m_child;
  std::int64_t m_timeout_ns;
  TaskBase* m_ctx = nullptr;
  std::coroutine_handle<> m_h;
  bool m_timed_out = false;
  bool m_parent_cancelled = false;
};

[[noreturn]] void throw_timeout(std::int64_t timeout_ns);

template <class T>
Task<T> wait_for_impl(Child<T> child, std::int64_t timeout_ns) {
  child.schedule();
  WaitFor w(child.base(), timeout_ns);
  co_await w;
  if (w.timed_out()) throw_timeout(timeout_ns);
  co_return child.result();
}

class ShieldWait : JoinNode, Waiter {
 public:
  explicit ShieldWait(TaskBase& child) noexcept : m_child(child) {}
  bool await_ready() const noexcept { return m_child.done(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return suspend(task_of(h), h);
  }
  void await_resume();

 private:
  bool suspend(TaskBase* ctx, std::coroutine_handle<> h);
  static void child_done(JoinNode* n) noexcept;
  static void cancel(Waiter* w) noexcept;

  TaskBase& m_child;
  TaskBase* m_ctx = nullptr;
  std::coroutine_handle<> m_h;
  bool m_cancelled = false;
};

template <class T>
Task<T> shield_impl(Child<T> child) {
  child.schedule();
  ShieldWait w(child.base());
  co_await w;
  co_return child.result();
}

// as_completed's shared state, type-erased where it can be.
class CompletionQueue {
 public:
  struct Next : WaitNode {
    std::size_t index = SIZE_MAX;  // the child handed over to this waiter
  };

  CompletionQueue() = default;
  CompletionQueue(const CompletionQueue&) = delete;
  CompletionQueue& operator=(const CompletionQueue&) = delete;
  ~CompletionQueue();

  void watch(std::vector<TaskBase*> children);
  bool has_finished() const noexcept { return !m_finished.empty(); }
  bool suspend(Next& n, TaskBase* ctx, std::coroutine_handle<> h) noexcept {
    return m_waiters.suspend(n, ctx, h);
  }
  // The index of the child whose result the resumed Next takes.
  std::size_t take(Next& n);
  std::size_t size() const noexcept { return m_children.size(); }
  std::size_t claim();  // counts a Next handed out; throws once all are

 private:
  struct Node : JoinNode {
    CompletionQueue* queue = nullptr;
    std::size_t index = 0;
  };
  static void child_done(JoinNode* n) noexcept;

  std::vector<TaskBase*> m_children;
  std::unique_ptr<Node[]> m_nodes;
  std::deque<std::size_t> m_finished;
  WaitList m_waiters{"task"};  // tasks waiting for the next completion
  std::size_t m_claimed = 0;
};

}  // namespace detail

// See the file comment. Throws TimeoutError (after the child has unwound), or whatever the child
// threw. `timeout` is any std::chrono::duration; zero or less expires on the next loop turn.
template <class A, class Rep, class Period>
  requires detail::Awaitable<A>
auto wait_for(A&& aw, std::chrono::duration<Rep, Period> timeout) {
  return detail::wait_for_impl(detail::make_child(std::forward<A>(aw)), detail::to_ns(timeout));
}

// See the file comment.
template <class A>
  requires detail::Awaitable<A>
auto shield(A&& aw) {
  return detail::shield_impl(detail::make_child(std::forward<A>(aw)));
}

template <class T>
class AsCompleted {
  struct State {
    std::vector<detail::Child<T>> children;
    detail::CompletionQueue queue;
  };

 public:
  // One result to come: co_await it for the next task to finish.
  class Next {
   public:
    explicit Next(State* s) : m_s(s) { m_s->queue.claim(); }
    bool await_ready() const noexcept { return m_s->queue.has_finished(); }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      return m_s->queue.suspend(m_node, detail::task_of(h), h);
    }
    T await_resume() { return m_s->children[m_s->queue.take(m_node)].result(); }

   private:
    State* m_s;
    detail::CompletionQueue::Next m_node;
  };

  class iterator {
   public:
    iterator(State* s, std::size_t i) : m_s(s), m_i(i) {}
    Next operator*() const { return Next(m_s); }
    iterator& operator++() {
      ++m_i;
      return *this;
    }
    bool operator==(const iterator& o) const noexcept { return m_i == o.m_i; }

   private:
    State* m_s;
    std::size_t m_i;
  };

  explicit AsCompleted(std::vector<detail::Child<T>> children) : m_s(std::make_unique<State>()) {
    m_s->children = std::move(children);
    m_s->queue.watch(detail::schedule_all(m_s->children));
  }

  iterator begin() { return iterator(m_s.get(), 0); }
  iterator end() { return iterator(m_s.get(), m_s->children.size()); }
  std::size_t size() const noexcept { return m_s->children.size(); }
  // The next result to come (the same as one step of the iteration). Throws std::logic_error
  // when every result has been asked for.
  Next next() { return Next(m_s.get()); }

 private:
  std::unique_ptr<State> m_s;
};

// Starts every task now (they must be awaited inside aio::run). See the file comment.
template <class T>
AsCompleted<T> as_completed(std::vector<Task<T>>&& tasks) {
  std::vector<detail::Child<T>> cs;
  cs.reserve(tasks.size());
  for (auto& t : tasks) cs.emplace_back(std::move(t));
  return AsCompleted<T>(std::move(cs));
}
template <class T>
AsCompleted<T> as_completed(std::vector<Task<T>>& tasks) {
  std::vector<detail::Child<T>> cs;
  cs.reserve(tasks.size());
  for (auto& t : tasks) cs.emplace_back(t);
  return AsCompleted<T>(std::move(cs));
}

}  // namespace aio
