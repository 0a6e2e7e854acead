#include "aio/detail/wait_list.hpp"

namespace aio::detail {

bool WaitList::suspend(WaitNode& node, TaskBase* ctx, std::coroutine_handle<> h) noexcept {
  node.ctx = ctx;
  node.h = h;
  if (!begin_wait(ctx, &node, m_what)) {
    node.cancelled = true;
    return false;
  }
  node.on_cancel = &WaitList::cancel;
  node.list = this;
  node.next = nullptr;
  node.prev = m_tail;
  if (m_tail)
    m_tail->next = &node;
  else
    m_head = &node;
  m_tail = &node;
  return true;
}

void WaitList::remove(WaitNode& node) noexcept {
  AIO_ASSERT(node.list == this, "wait node removed from a list it is not on");
  if (node.prev)
    node.prev->next = node.next;
  else
    m_head = node.next;
  if (node.next)
    node.next->prev = node.prev;
  else
    m_tail = node.prev;
  node.prev = node.next = nullptr;
  node.list = nullptr;
}

void WaitList::resume(WaitNode& node) noexcept {
  end_wait(node.ctx);
  schedule(node.h, node.ctx);
}

WaitNode* WaitList::wake_one() noexcept {
  WaitNode* n = pop_front();
  if (n) resume(*n);
  return n;
}

void WaitList::wake_all() noexcept {
  while (wake_one()) {
  }
}

void WaitList::cancel(Waiter* w) noexcept {
  auto* n = static_cast<WaitNode*>(w);
  n->list->remove(*n);
  n->cancelled = true;
  resume(*n);
}

}  // namespace aio::detail
