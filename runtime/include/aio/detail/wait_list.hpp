// The FIFO of suspended tasks behind Event, Lock, Semaphore, Queue and Future.
//
// A node lives in the waiting coroutine's frame (inside the awaiter), so waiting allocates
// nothing. Cancelling a waiting task unlinks its node and resumes it with CancelledError; a node
// that was already granted what it waited for (a permit, an item, a result) is off the list, so a
// cancellation arriving after the grant is kept for the task's next suspension point and the
// grant is not lost (the primitive's guard or the item reaches the task).
#pragma once

#include <coroutine>

#include "aio/detail/task_base.hpp"

namespace aio::detail {

class WaitList;

struct WaitNode : Waiter {
  WaitNode* prev = nullptr;
  WaitNode* next = nullptr;
  WaitList* list = nullptr;  // set while linked
  TaskBase* ctx = nullptr;
  std::coroutine_handle<> h;
  bool cancelled = false;

  // For await_resume: throws CancelledError if the wait was cancelled.
  void finish() {
    if (ctx) end_wait(ctx);
    if (cancelled) ctx->take_cancel();
  }
};

class WaitList {
 public:
  // `what` names it in traces: "lock", "semaphore", "event", "queue", "future", "task".
  explicit WaitList(const char* what = "event") noexcept : m_what(what) {}
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;

  bool empty() const noexcept { return m_head == nullptr; }
  WaitNode* front() const noexcept { return m_head; }

  // Suspends the task of `h` on this list. Returns false, without suspending, when a
  // cancellation is already pending (node.finish() then throws it).
  template <class P>
  bool suspend(WaitNode& node, std::coroutine_handle<P> h) {
    return suspend(node, task_of(h), h);
  }
  bool suspend(WaitNode& node, TaskBase* ctx, std::coroutine_handle<> h) noexcept;

  // Takes the first waiter off the list and schedules it to resume (not cancelled).
  WaitNode* wake_one() noexcept;
  void wake_all() noexcept;
  // Schedules an already removed node to resume.
  static void resume(WaitNode& node) noexcept;

  void remove(WaitNode& node) noexcept;
  WaitNode* pop_front() noexcept {
    WaitNode* n = m_head;
    if (n) remove(*n);
    return n;
  }

 private:
  static void cancel(Waiter* w) noexcept;

  WaitNode* m_head = nullptr;
  WaitNode* m_tail = nullptr;
  const char* m_what;
};

}  // namespace aio::detail
