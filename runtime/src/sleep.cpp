#include "aio/loop.hpp"

namespace aio::detail {

Task<void> sleep_task(std::int64_t ns) { co_await SleepAwaiter{ns}; }

void SleepAwaiter::arm() {
  Loop& loop = Loop::current();
  if (m_ns == 0) {
    loop.schedule(m_h, m_ctx);  // a yield: back of the ready queue
    return;
  }
  const std::int64_t now = Loop::now_ns();
  deadline_ns = m_ns > INT64_MAX - now ? INT64_MAX : now + m_ns;
  fire = &SleepAwaiter::fired;
  loop.add_timer(*this);
}

void SleepAwaiter::fired(TimerNode* t) noexcept {
  auto* self = static_cast<SleepAwaiter*>(t);
  end_wait(self->m_ctx);
  Loop::current().schedule(self->m_h, self->m_ctx);
}

void SleepAwaiter::cancel(Waiter* w) noexcept {
  auto* self = static_cast<SleepAwaiter*>(w);
  self->m_cancelled = true;
  end_wait(self->m_ctx);
  if (self->m_ns == 0) return;  // already in the ready queue
  Loop::current().remove_timer(*self);
  Loop::current().schedule(self->m_h, self->m_ctx);
}

}  // namespace aio::detail
