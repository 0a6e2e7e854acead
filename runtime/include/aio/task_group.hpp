// aio::TaskGroup: structured concurrency (asyncio.TaskGroup, Python 3.11).
//
//   aio::TaskGroup tg;
//   auto a = tg.create_task(factorial("A", 2));
//   tg.create_task(factorial("B", 3));
//   co_await tg.wait();          // the end of `async with asyncio.TaskGroup() as tg:`
//
// wait() returns when every task of the group has finished. The first task to fail (with anything
// but CancelledError) makes the group cancel all the others; wait() still waits for all of them and
// then rethrows that first exception (asyncio raises an ExceptionGroup of all of them; aio rethrows
// the first, unchanged). If the task in wait() is cancelled, the whole group is cancelled and
// CancelledError is thrown once every member has finished. C++ has no `async with`, so the body's
// own code is not interrupted by a member's failure; and a group destroyed before wait() (an
// exception left the scope) cancels its unfinished members, which then unwind on their own.
#pragma once

#include <coroutine>
#include <exception>
#include <stdexcept>
#include <utility>

#include "aio/detail/child.hpp"

namespace aio {

// What TaskGroup::create_task returns: the member's Task<T> handle, which, unlike a plain Task, may
// be discarded without a warning, since the group keeps the task and waits for it.
template <class T>
class GroupTask : public Task<T> {
 public:
  explicit GroupTask(Task<T>&& t) noexcept : Task<T>(std::move(t)) {}
};

class TaskGroup {
 public:
  TaskGroup() = default;
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;
  ~TaskGroup();

  // Schedules `task` as a member and returns it as a handle. Throws std::logic_error once the
  // group is shutting down after a failure, or once wait() has returned.
  template <class T>
  GroupTask<T> create_task(Task<T> task) {
    check_open();
    if (task.promise().status == detail::TaskStatus::lazy) detail::start_task(task.promise());
    adopt(task.promise());
    return GroupTask<T>(std::move(task));
  }
  // Any other awaitable (a sleep, a Future) becomes a task of its own.
  template <class A>
    requires(!detail::is_task<std::remove_cvref_t<A>>::value && detail::Awaitable<A>)
  auto create_task(A&& aw) {
    return create_task(detail::await_as_task(std::remove_cvref_t<A>(std::forward<A>(aw))));
  }

  // Members that have not finished yet.
  std::size_t size() const noexcept { return m_pending; }

  class WaitAwaiter : detail::Waiter {
   public:
    explicit WaitAwaiter(TaskGroup& g) noexcept : m_g(g) {}
    bool await_ready() const noexcept { return m_g.m_pending == 0; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      return suspend(detail::task_of(h), h);
    }
    void await_resume();

   private:
    bool suspend(detail::TaskBase* ctx, std::coroutine_handle<> h) noexcept;
    static void cancel(detail::Waiter* w) noexcept;
    friend class TaskGroup;

    TaskGroup& m_g;
    detail::TaskBase* m_ctx = nullptr;
    std::coroutine_handle<> m_h;
    bool m_cancelled = false;
  };
  // Waits for every member (see the file comment).
  [[nodiscard]] WaitAwaiter wait() noexcept { return WaitAwaiter(*this); }

 private:
  struct Member : detail::JoinNode {
    TaskGroup* group = nullptr;
    detail::TaskBase* task = nullptr;
    Member* prev_member = nullptr;
    Member* next_member = nullptr;
  };
  void check_open() const;
  void adopt(detail::TaskBase& t);
  void cancel_members() noexcept;
  void drop(Member* m) noexcept;
  static void member_done(detail::JoinNode* n) noexcept;

  Member* m_members = nullptr;
  std::size_t m_pending = 0;
  std::exception_ptr m_first_error;
  WaitAwaiter* m_waiter = nullptr;
  bool m_aborting = false;
  bool m_closed = false;
};

}  // namespace aio
