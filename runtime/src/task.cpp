#include "aio/task.hpp"

#include "aio/detail/loop.hpp"

namespace aio::detail {

// Joiners form a circular list so that they are told in the order they started waiting, as
// asyncio runs a future's done-callbacks in the order they were added.
void JoinNode::link(TaskBase& t) noexcept {
  AIO_ASSERT(target == nullptr, "join node linked twice");
  target = &t;
  if (t.joiners == nullptr) {
    prev = next = this;
    t.joiners = this;
    return;
  }
  JoinNode* head = t.joiners;
  JoinNode* tail = head->prev;
  tail->next = this;
  prev = tail;
  next = head;
  head->prev = this;
}

void JoinNode::unlink() noexcept {
  if (target == nullptr) return;
  if (next == this) {
    target->joiners = nullptr;
  } else {
    prev->next = next;
    next->prev = prev;
    if (target->joiners == this) target->joiners = next;
  }
  target = nullptr;
  prev = next = nullptr;
}

bool is_cancelled_error(const std::exception_ptr& e) noexcept {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
}

bool TaskBase::cancel() noexcept {
  if (status != TaskStatus::scheduled) return false;
  if (cancel_requested) return true;
  cancel_requested = true;
  if (Waiter* w = waiter) w->on_cancel(w);
  return true;
}

bool TaskBase::cancelled() const noexcept { return done() && is_cancelled_error(error); }

std::coroutine_handle<> TaskBase::finish() noexcept {
  if (status == TaskStatus::inline_running) {
    status = TaskStatus::done;
    return transfer_to(continuation);
  }
  AIO_ASSERT(status == TaskStatus::scheduled, "a task finished that was never started");
  status = TaskStatus::done;
  cancel_requested = false;
  waiter = nullptr;
  if (t_tracer) [[unlikely]]
    trace_event(TraceKind::finished, this);
  Loop::current().task_finished(*this);
  while (JoinNode* n = joiners) {
    n->unlink();
    n->on_done(n);
  }
  release();  // may free this frame: touch nothing after it
  return std::noop_coroutine();
}

}  // namespace aio::detail
