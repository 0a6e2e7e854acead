// Event, Lock and Semaphore, with asyncio's semantics (and, like asyncio's, not thread-safe: use
// them from the tasks of one loop).
//
// Lock and Semaphore hand a released permit straight to the first waiter (FIFO, no barging), so
// a task that waited is never overtaken by one that arrives later. `co_await x.acquire()`
// returns a guard that releases at scope end (asyncio's `async with sem:`); the guard is
// [[nodiscard]] so that `co_await sem.acquire();` on its own, which would release at once, is
// flagged by the compiler.
#pragma once

#include <coroutine>
#include <stdexcept>
#include <utility>

#include "aio/detail/wait_list.hpp"
#include "aio/errors.hpp"

namespace aio {

// Releases what it holds when it goes out of scope (or at release()). Move-only.
template <class S>
class [[nodiscard]] AcquireGuard {
 public:
  explicit AcquireGuard(S& s) noexcept : m_s(&s) {}
  AcquireGuard(AcquireGuard&& o) noexcept : m_s(std::exchange(o.m_s, nullptr)) {}
  AcquireGuard& operator=(AcquireGuard&& o) noexcept {
    if (this != &o) {
      release();
      m_s = std::exchange(o.m_s, nullptr);
    }
    return *this;
  }
  ~AcquireGuard() { release(); }

  void release() noexcept {
    if (m_s) std::exchange(m_s, nullptr)->release();
  }
  bool owns() const noexcept { return m_s != nullptr; }
  // Lets go without releasing: the caller takes over the duty to release.
  void dismiss() noexcept { m_s = nullptr; }

 private:
  S* m_s;
};

class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  bool is_set() const noexcept { return m_set; }
  // Sets the flag and wakes every waiting task.
  void set() noexcept {
    m_set = true;
    m_waiters.wake_all();
  }
  void clear() noexcept { m_set = false; }

  class WaitAwaiter {
   public:
    explicit WaitAwaiter(Event& e) noexcept : m_e(e) {}
    bool await_ready() const noexcept { return m_e.m_set; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      return m_e.m_waiters.suspend(m_node, h);
    }
    void await_resume() { m_node.finish(); }

   private:
    Event& m_e;
    detail::WaitNode m_node;
  };
  // Resumes once the flag is set (at once if it is).
  [[nodiscard]] WaitAwaiter wait() noexcept { return WaitAwaiter(*this); }

 private:
  detail::WaitList m_waiters;
  bool m_set = false;
};

class Semaphore {
 public:
  using Guard = AcquireGuard<Semaphore>;

  // Throws std::invalid_argument for a negative value (asyncio's ValueError).
  explicit Semaphore(long value = 1) : Semaphore(value, "semaphore") {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  long value() const noexcept { return m_value; }
  // True if acquire() would have to wait.
  bool locked() const noexcept { return m_value == 0 || !m_waiters.empty(); }

  // Gives a permit back: to the first waiter if there is one.
  void release() noexcept {
    if (m_waiters.wake_one() == nullptr) ++m_value;
  }

  class AcquireAwaiter {
   public:
    explicit AcquireAwaiter(Semaphore& s) noexcept : m_s(s) {}
    bool await_ready() noexcept {
      if (m_s.m_value > 0 && m_s.m_waiters.empty()) {
        --m_s.m_value;
        return true;
      }
      return false;
    }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      return m_s.m_waiters.suspend(m_node, h);
    }
    Guard await_resume() {
      m_node.finish();
      return Guard(m_s);
    }

   private:
    Semaphore& m_s;
    detail::WaitNode m_node;
  };
  // Takes a permit, waiting in FIFO order when there is none; returns the guard that gives it back.
  [[nodiscard]] AcquireAwaiter acquire() noexcept { return AcquireAwaiter(*this); }

 private:
  friend class Lock;
  // `what`: its name in traces (a Lock's semaphore waits as "lock").
  Semaphore(long value, const char* what) : m_waiters(what), m_value(value) {
    if (value < 0) throw std::invalid_argument("aio::Semaphore: initial value must be >= 0");
  }
  detail::WaitList m_waiters;
  long m_value;
};

class Lock {
 public:
  using Guard = AcquireGuard<Lock>;

  Lock() = default;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  bool locked() const noexcept { return m_sem.value() == 0; }
  // Throws InvalidStateError if the lock is not held.
  void release() {
    if (!locked()) throw InvalidStateError("aio::Lock: release of a lock that is not held");
    m_sem.release();
  }

  class AcquireAwaiter {
   public:
    explicit AcquireAwaiter(Lock& l) noexcept : m_l(l), m_inner(l.m_sem) {}
    bool await_ready() noexcept { return m_inner.await_ready(); }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      return m_inner.await_suspend(h);
    }
    Guard await_resume() {
      m_inner.await_resume().dismiss();
      return Guard(m_l);
    }

   private:
    Lock& m_l;
    Semaphore::AcquireAwaiter m_inner;
  };
  [[nodiscard]] AcquireAwaiter acquire() noexcept { return AcquireAwaiter(*this); }

 private:
  Semaphore m_sem{1, "lock"};
};

}  // namespace aio
