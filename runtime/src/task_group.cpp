#include "aio/task_group.hpp"

#include <memory>

namespace aio {

TaskGroup::~TaskGroup() {
  // Destroyed before wait() finished (an exception left the scope): the members must not keep
  // running unobserved, so they are cancelled; they unwind on their own and free themselves.
  cancel_members();
  while (m_members) drop(m_members);
}

void TaskGroup::check_open() const {
  if (m_aborting)
    throw std::logic_error("aio::TaskGroup: a member failed and the group is shutting down");
  if (m_closed) throw std::logic_error("aio::TaskGroup: the group has finished");
}

void TaskGroup::adopt(detail::TaskBase& t) {
  if (t.done()) {
    if (t.error && !detail::is_cancelled_error(t.error) && !m_first_error) {
      m_first_error = t.error;
      m_aborting = true;
      cancel_members();
    }
    return;
  }
  auto m = std::make_unique<Member>();
  m->group = this;
  m->task = &t;
  m->on_done = &TaskGroup::member_done;
  t.add_ref();
  m->link(t);
  m->next_member = m_members;
  if (m_members) m_members->prev_member = m.get();
  m_members = m.release();
  ++m_pending;
}

void TaskGroup::cancel_members() noexcept {
  for (Member* m = m_members; m; m = m->next_member) m->task->cancel();
}

void TaskGroup::drop(Member* m) noexcept {
  if (m->prev_member)
    m->prev_member->next_member = m->next_member;
  else
    m_members = m->next_member;
  if (m->next_member) m->next_member->prev_member = m->prev_member;
  m->unlink();
  detail::TaskBase* t = m->task;
  delete m;
  t->release();
}

void TaskGroup::member_done(detail::JoinNode* n) noexcept {
  auto* m = static_cast<Member*>(n);
  TaskGroup* g = m->group;
  detail::TaskBase* t = m->task;
  --g->m_pending;
  if (t->error && !g->m_first_error && !detail::is_cancelled_error(t->error)) {
    g->m_first_error = t->error;
    g->m_aborting = true;
  }
  g->drop(m);
  if (g->m_aborting) g->cancel_members();
  if (g->m_pending == 0 && g->m_waiter) {
    WaitAwaiter* w = g->m_waiter;
    detail::end_wait(w->m_ctx);
    detail::schedule(w->m_h, w->m_ctx);
  }
}

bool TaskGroup::WaitAwaiter::suspend(detail::TaskBase* ctx, std::coroutine_handle<> h) noexcept {
  m_ctx = ctx;
  m_h = h;
  if (ctx->cancel_requested) {
    // Cancelled on the way in: the members are cancelled and still waited for.
    m_cancelled = true;
    m_g.cancel_members();
  }
  on_cancel = &WaitAwaiter::cancel;
  ctx->waiter = this;
  m_g.m_waiter = this;
  if (detail::t_tracer) [[unlikely]]
    detail::trace_event(detail::TraceKind::wait, ctx, "tasks");
  return true;
}

void TaskGroup::WaitAwaiter::cancel(detail::Waiter* w) noexcept {
  auto* self = static_cast<WaitAwaiter*>(w);
  self->m_cancelled = true;
  self->m_g.cancel_members();
}

void TaskGroup::WaitAwaiter::await_resume() {
  m_g.m_waiter = nullptr;
  m_g.m_closed = true;
  if (m_ctx) detail::end_wait(m_ctx);
  if (m_g.m_first_error) {
    if (m_cancelled) m_ctx->cancel_requested = false;
    std::rethrow_exception(m_g.m_first_error);
  }
  if (m_cancelled) m_ctx->take_cancel();
}

}  // namespace aio
