// aio::Future<T>: a result that someone will set later (asyncio.Future).
//
// A Future is a cheap, copyable handle to shared state, so the producer and any number of
// consumers can each hold one. co_await waits until set_result, set_exception or cancel, then
// gives the value (copied), rethrows the exception, or throws CancelledError. Unlike asyncio,
// cancelling a task that awaits a Future does not cancel the Future itself: only that waiter
// leaves (in asyncio it would also break every other waiter and the producer's set_result).
// Loop-thread only, like asyncio's.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "aio/detail/child.hpp"
#include "aio/detail/wait_list.hpp"
#include "aio/errors.hpp"

namespace aio {

template <class T = void>
class Future {
  using Stored = detail::value_or_monostate_t<T>;
  struct State {
    unsigned refs = 1;
    std::optional<Stored> value;
    std::exception_ptr error;
    bool done = false;
    bool cancelled = false;
    detail::WaitList waiters{"future"};
  };

 public:
  Future() : m_s(new State) {}
  Future(const Future& o) noexcept : m_s(o.m_s) { ++m_s->refs; }
  Future(Future&& o) noexcept : m_s(std::exchange(o.m_s, nullptr)) {}
  Future& operator=(Future o) noexcept {
    std::swap(m_s, o.m_s);
    return *this;
  }
  ~Future() {
    if (m_s && --m_s->refs == 0) delete m_s;
  }

  bool done() const noexcept { return m_s->done; }
  bool cancelled() const noexcept { return m_s->cancelled; }

  // Each throws InvalidStateError if the future is already done.
  template <class U = T>
    requires(!std::is_void_v<U>)
  void set_result(U value) {
    check_pending("set_result");
    m_s->value.emplace(std::move(value));
    complete();
  }
  void set_result()
    requires std::is_void_v<T>
  {
    check_pending("set_result");
    m_s->value.emplace();
    complete();
  }
  void set_exception(std::exception_ptr e) {
    check_pending("set_exception");
    m_s->error = std::move(e);
    complete();
  }
  // Cancels a pending future: its waiters get CancelledError. Returns false if it was done.
  bool cancel() noexcept {
    if (m_s->done) return false;
    m_s->cancelled = true;
    m_s->error = std::make_exception_ptr(CancelledError{});
    complete();
    return true;
  }

  // The value of a done future (rethrows its exception). Throws InvalidStateError if pending.
  T result() const {
    if (!m_s->done) throw InvalidStateError("aio::Future: result is not set yet");
    if (m_s->error) std::rethrow_exception(m_s->error);
    if constexpr (!std::is_void_v<T>) return *m_s->value;
  }
  // The exception of a done future, or null. Throws InvalidStateError if pending.
  std::exception_ptr exception() const {
    if (!m_s->done) throw InvalidStateError("aio::Future: exception is not set yet");
    return m_s->error;
  }

  class Awaiter {
   public:
    explicit Awaiter(State* s) noexcept : m_s(s) { ++m_s->refs; }
    Awaiter(const Awaiter&) = delete;
    ~Awaiter() {
      if (--m_s->refs == 0) delete m_s;
    }
    bool await_ready() const noexcept { return m_s->done; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      return m_s->waiters.suspend(m_node, h);
    }
    T await_resume() {
      m_node.finish();
      if (m_s->error) std::rethrow_exception(m_s->error);
      if constexpr (!std::is_void_v<T>) return *m_s->value;
    }

   private:
    State* m_s;
    detail::WaitNode m_node;
  };
  Awaiter operator co_await() const noexcept { return Awaiter(m_s); }

 private:
  void check_pending(const char* what) const {
    if (m_s->done)
      throw InvalidStateError(std::string("aio::Future::") + what + ": the future is already done");
  }
  void complete() noexcept {
    m_s->done = true;
    m_s->waiters.wake_all();
  }

  State* m_s;
};

}  // namespace aio
