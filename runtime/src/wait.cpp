#include "aio/wait.hpp"

#include <cstdio>

#include "aio/gather.hpp"

namespace aio::detail {

// ---- gather ----

JoinAll::JoinAll(std::span<TaskBase* const> children, bool fail_fast)
    : m_children(children), m_nodes(new Node[children.size()]), m_fail_fast(fail_fast) {}

void JoinAll::cancel_children() noexcept {
  for (TaskBase* c : m_children) c->cancel();
}

bool JoinAll::suspend(TaskBase* ctx, std::coroutine_handle<> h) {
  m_ctx = ctx;
  m_h = h;
  for (std::size_t i = 0; i < m_children.size(); ++i) {
    TaskBase* c = m_children[i];
    if (c->done()) {
      // A borrowed task may have failed before gather was even awaited.
      if (m_fail_fast && c->error && !m_first_failure) m_first_failure = c;
      continue;
    }
    m_nodes[i].owner = this;
    m_nodes[i].on_done = &JoinAll::child_done;
    m_nodes[i].link(*c);
    ++m_pending;
  }
  if (m_pending == 0) return false;
  if (m_first_failure) cancel_children();
  if (ctx->cancel_requested) {
    // Cancelled before it could wait: the children must still be stopped and waited for.
    m_cancelled = true;
    cancel_children();
  }
  on_cancel = &JoinAll::cancel;
  ctx->waiter = this;
  if (t_tracer) [[unlikely]]
    trace_event(TraceKind::wait, ctx, "tasks");
  return true;
}

void JoinAll::child_done(JoinNode* n) noexcept {
  auto* node = static_cast<Node*>(n);
  JoinAll* self = node->owner;
  // The node is already unlinked; its index is the child's.
  const std::size_t i = static_cast<std::size_t>(node - self->m_nodes.get());
  TaskBase* c = self->m_children[i];
  if (self->m_fail_fast && c->error && !self->m_first_failure) {
    self->m_first_failure = c;
    self->cancel_children();
  }
  if (--self->m_pending == 0) {
    end_wait(self->m_ctx);
    schedule(self->m_h, self->m_ctx);
  }
}

void JoinAll::cancel(Waiter* w) noexcept {
  auto* self = static_cast<JoinAll*>(w);
  self->m_cancelled = true;
  self->cancel_children();
}

void JoinAll::await_resume() {
  if (m_ctx) end_wait(m_ctx);
  if (m_cancelled) m_ctx->take_cancel();
}

// ---- wait_for ----

[[noreturn]] void throw_timeout(std::int64_t timeout_ns) {
  char msg[96];
  std::snprintf(msg, sizeof msg, "aio::wait_for: timed out after %.6g s", double(timeout_ns) / 1e9);
  throw TimeoutError(msg);
}

bool WaitFor::suspend(TaskBase* ctx, std::coroutine_handle<> h) {
  m_ctx = ctx;
  m_h = h;
  on_done = &WaitFor::child_done;
  on_cancel = &WaitFor::cancel;
  fire = &WaitFor::expired;
  if (ctx->cancel_requested) {
    m_parent_cancelled = true;
    m_child.cancel();
  } else {
    const std::int64_t now = Loop::now_ns();
    deadline_ns = m_timeout_ns > INT64_MAX - now ? INT64_MAX : now + m_timeout_ns;
    Loop::current().add_timer(*this);
  }
  link(m_child);
  ctx->waiter = this;
  return true;
}

void WaitFor::child_done(JoinNode* n) noexcept {
  auto* self = static_cast<WaitFor*>(n);
  Loop::current().remove_timer(*self);
  end_wait(self->m_ctx);
  schedule(self->m_h, self->m_ctx);
}

void WaitFor::expired(TimerNode* t) noexcept {
  auto* self = static_cast<WaitFor*>(t);
  self->m_timed_out = true;
  self->m_child.cancel();  // then wait for it to unwind
}

void WaitFor::cancel(Waiter* w) noexcept {
  auto* self = static_cast<WaitFor*>(w);
  self->m_parent_cancelled = true;
  Loop::current().remove_timer(*self);
  self->m_child.cancel();
}

void WaitFor::await_resume() noexcept {
  if (m_ctx == nullptr) return;  // the child was done before we waited
  end_wait(m_ctx);
  // Our cancellation was handed to the child; its outcome is what the caller sees.
  if (m_parent_cancelled) m_ctx->cancel_requested = false;
}

// ---- shield ----

bool ShieldWait::suspend(TaskBase* ctx, std::coroutine_handle<> h) {
  m_ctx = ctx;
  m_h = h;
  if (!begin_wait(ctx, this, "task")) {
    m_cancelled = true;
    return false;
  }
  on_done = &ShieldWait::child_done;
  on_cancel = &ShieldWait::cancel;
  link(m_child);
  return true;
}

void ShieldWait::child_done(JoinNode* n) noexcept {
  auto* self = static_cast<ShieldWait*>(n);
  end_wait(self->m_ctx);
  schedule(self->m_h, self->m_ctx);
}

void ShieldWait::cancel(Waiter* w) noexcept {
  auto* self = static_cast<ShieldWait*>(w);
  self->unlink();  // stop waiting; the shielded task runs on
  self->m_cancelled = true;
  end_wait(self->m_ctx);
  schedule(self->m_h, self->m_ctx);
}

void ShieldWait::await_resume() {
  if (m_ctx == nullptr) return;
  end_wait(m_ctx);
  if (m_cancelled) m_ctx->take_cancel();
}

// ---- as_completed ----

CompletionQueue::~CompletionQueue() {
  for (TaskBase* c : m_children) c->cancel();  // unfinished children; nodes unlink themselves
}

void CompletionQueue::watch(std::vector<TaskBase*> children) {
  m_children = std::move(children);
  m_nodes.reset(new Node[m_children.size()]);
  for (std::size_t i = 0; i < m_children.size(); ++i) {
    if (m_children[i]->done()) {
      m_finished.push_back(i);
      continue;
    }
    m_nodes[i].queue = this;
    m_nodes[i].index = i;
    m_nodes[i].on_done = &CompletionQueue::child_done;
    m_nodes[i].link(*m_children[i]);
  }
}

std::size_t CompletionQueue::claim() {
  if (m_claimed == m_children.size())
    throw std::logic_error("aio::as_completed: every result has already been asked for");
  return m_claimed++;
}

void CompletionQueue::child_done(JoinNode* jn) noexcept {
  auto* node = static_cast<Node*>(jn);
  CompletionQueue* q = node->queue;
  if (auto* n = static_cast<Next*>(q->m_waiters.pop_front())) {
    // Hand the result to the first waiter now, so that nothing is lost if it is cancelled
    // between here and its resumption.
    n->index = node->index;
    WaitList::resume(*n);
  } else {
    q->m_finished.push_back(node->index);
  }
}

std::size_t CompletionQueue::take(Next& n) {
  n.finish();  // throws CancelledError
  if (n.index != SIZE_MAX) return n.index;
  AIO_ASSERT(!m_finished.empty(), "as_completed resumed with no result");
  const std::size_t i = m_finished.front();
  m_finished.pop_front();
  return i;
}

}  // namespace aio::detail
