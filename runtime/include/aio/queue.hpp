// aio::Queue<T>: asyncio.Queue, a FIFO between the tasks of one loop.
//
// Bounded by `maxsize` (0: unbounded). `co_await q.put(x)` waits while the queue is full,
// `co_await q.get()` while it is empty; both wake in FIFO order. An item is handed over at the
// moment it becomes available (to a waiting getter, or from a waiting putter into the freed slot),
// so a task cancelled after the hand-over still receives its item, and a put that is cancelled
// while waiting leaves the queue unchanged: no item is ever lost or duplicated.
// task_done() and join() follow asyncio: join() waits until every item put has been marked done.
#pragma once

#include <coroutine>
#include <cstddef>
#include <deque>
#include <optional>
#include <stdexcept>
#include <utility>

#include "aio/detail/wait_list.hpp"
#include "aio/errors.hpp"

namespace aio {

template <class T>
class Queue {
  struct GetNode : detail::WaitNode {
    std::optional<T> item;
  };
  struct PutNode : detail::WaitNode {
    std::optional<T> item;
  };

 public:
  explicit Queue(std::size_t maxsize = 0) : m_maxsize(maxsize) {}
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  std::size_t size() const noexcept { return m_items.size(); }
  std::size_t maxsize() const noexcept { return m_maxsize; }
  bool empty() const noexcept { return m_items.empty(); }
  bool full() const noexcept { return m_maxsize != 0 && m_items.size() >= m_maxsize; }

  // Throws QueueFull instead of waiting.
  void put_nowait(T item) {
    if (!try_put(item)) throw QueueFull();
  }
  // Throws QueueEmpty instead of waiting.
  T get_nowait() {
    if (m_items.empty()) throw QueueEmpty();
    return take_front();
  }

  class PutAwaiter {
   public:
    PutAwaiter(Queue& q, T item) : m_q(q) { m_node.item.emplace(std::move(item)); }
    bool await_ready() { return m_q.try_put(*m_node.item); }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      return m_q.m_putters.suspend(m_node, h);
    }
    void await_resume() { m_node.finish(); }

   private:
    Queue& m_q;
    PutNode m_node;
  };
  [[nodiscard]] PutAwaiter put(T item) { return PutAwaiter(*this, std::move(item)); }

  class GetAwaiter {
   public:
    explicit GetAwaiter(Queue& q) noexcept : m_q(q) {}
    bool await_ready() const noexcept { return !m_q.m_items.empty(); }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      return m_q.m_getters.suspend(m_node, h);
    }
    T await_resume() {
      if (m_node.ctx == nullptr) return m_q.take_front();  // did not wait
      m_node.finish();
      return std::move(*m_node.item);
    }

   private:
    Queue& m_q;
    GetNode m_node;
  };
  [[nodiscard]] GetAwaiter get() noexcept { return GetAwaiter(*this); }

  // Marks one item taken with get() as processed. Throws std::logic_error if called more often
  // than items were put (asyncio's ValueError).
  void task_done() {
    if (m_unfinished == 0) throw std::logic_error("aio::Queue::task_done called too many times");
    if (--m_unfinished == 0) m_joiners.wake_all();
  }

  class JoinAwaiter {
   public:
    explicit JoinAwaiter(Queue& q) noexcept : m_q(q) {}
    bool await_ready() const noexcept { return m_q.m_unfinished == 0; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      return m_q.m_joiners.suspend(m_node, h);
    }
    void await_resume() { m_node.finish(); }

   private:
    Queue& m_q;
    detail::WaitNode m_node;
  };
  // Waits until every item put has been marked with task_done().
  [[nodiscard]] JoinAwaiter join() noexcept { return JoinAwaiter(*this); }

 private:
  // Puts without waiting if possible; `item` is moved from only on success.
  bool try_put(T& item) {
    if (auto* g = static_cast<GetNode*>(m_getters.front())) {
      g->item.emplace(std::move(item));
      m_getters.wake_one();
    } else if (full()) {
      return false;
    } else {
      m_items.push_back(std::move(item));
    }
    ++m_unfinished;
    return true;
  }

  T take_front() {
    T v = std::move(m_items.front());
    m_items.pop_front();
    // A slot is free: the first waiting putter's item moves in now.
    if (auto* p = static_cast<PutNode*>(m_putters.front())) {
      m_items.push_back(std::move(*p->item));
      ++m_unfinished;
      m_putters.wake_one();
    }
    return v;
  }

  std::deque<T> m_items;
  std::size_t m_maxsize;
  std::size_t m_unfinished = 0;
  detail::WaitList m_getters{"queue"};
  detail::WaitList m_putters{"queue"};
  detail::WaitList m_joiners{"queue"};
};

}  // namespace aio
