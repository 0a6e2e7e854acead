#include "aio/detail/timer_heap.hpp"

#include "aio/detail/config.hpp"

namespace aio::detail {

namespace {
constexpr std::uint32_t arity = 4;
}

void TimerHeap::push(TimerNode* node) {
  AIO_ASSERT(!node->armed(), "timer armed twice");
  node->seq = m_next_seq++;
  m_heap.push_back({node->deadline_ns, node});  // may throw bad_alloc before anything changed
  const auto i = static_cast<std::uint32_t>(m_heap.size() - 1);
  node->index = i;
  sift_up(i);
}

void TimerHeap::remove(TimerNode* node) noexcept {
  if (!node->armed()) return;
  const std::uint32_t i = node->index;
  AIO_ASSERT(i < m_heap.size() && m_heap[i].node == node, "timer heap index corrupted");
  node->index = TimerNode::npos;
  const Slot last = m_heap.back();
  m_heap.pop_back();
  if (last.node == node) return;
  place(i, last);
  if (i > 0 && before(last, m_heap[(i - 1) / arity]))
    sift_up(i);
  else
    sift_down(i);
}

void TimerHeap::pop() noexcept {
  AIO_ASSERT(!m_heap.empty(), "pop from an empty timer heap");
  remove(m_heap.front().node);
}

void TimerHeap::sift_up(std::uint32_t i) noexcept {
  const Slot n = m_heap[i];
  while (i > 0) {
    const std::uint32_t parent = (i - 1) / arity;
    if (!before(n, m_heap[parent])) break;
    place(i, m_heap[parent]);
    i = parent;
  }
  place(i, n);
}

void TimerHeap::sift_down(std::uint32_t i) noexcept {
  const Slot n = m_heap[i];
  const auto size = static_cast<std::uint32_t>(m_heap.size());
  for (;;) {
    const std::uint32_t first = i * arity + 1;
    if (first >= size) break;
    std::uint32_t best = first;
    const std::uint32_t end = first + arity < size ? first + arity : size;
    for (std::uint32_t c = first + 1; c < end; ++c)
      if (before(m_heap[c], m_heap[best])) best = c;
    if (!before(m_heap[best], n)) break;
    place(i, m_heap[best]);
    i = best;
  }
  place(i, n);
}

}  // namespace aio::detail
