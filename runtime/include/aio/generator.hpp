// aio::Generator<T>: an async generator (`async def` with `yield`, consumed by `async for`).
//
//   aio::Generator<int> ticker(int n) {
//     for (int i = 0; i < n; ++i) { co_await aio::sleep(1s); co_yield i; }
//   }
//   auto gen = ticker(3);
//   while (auto i = co_await gen.next()) use(*i);     // std::optional<T>: empty at the end
//
// The generator's body runs inline in the consuming task (it may await anything, and a
// cancellation of the consumer is thrown inside it at its suspended co_await). An exception from
// the body comes out of next(). Destroying the generator early destroys its frame, running the
// destructors of its locals (asyncio's aclose()).
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "aio/detail/task_base.hpp"

namespace aio {

template <class T>
class [[nodiscard]] Generator {
 public:
  struct promise_type : detail::TaskBase {
    std::optional<T> current;

    Generator get_return_object() noexcept {
      auto h = std::coroutine_handle<promise_type>::from_promise(*this);
      frame = h;
      return Generator(h);
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }

    struct Transfer {
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        return detail::transfer_to(h.promise().continuation);
      }
      void await_resume() const noexcept {}
    };
    template <class U = T>
    Transfer yield_value(U&& v) {
      current.emplace(std::forward<U>(v));
      return {};
    }
    Transfer final_suspend() noexcept {
      status = detail::TaskStatus::done;
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
  };

  Generator(Generator&& o) noexcept : m_h(std::exchange(o.m_h, {})) {}
  Generator& operator=(Generator&& o) noexcept {
    if (this != &o) {
      if (m_h) m_h.destroy();
      m_h = std::exchange(o.m_h, {});
    }
    return *this;
  }
  ~Generator() {
    if (m_h) m_h.destroy();
  }

  class NextAwaiter {
   public:
    explicit NextAwaiter(std::coroutine_handle<promise_type> h) noexcept : m_h(h) {}
    bool await_ready() const noexcept { return m_h.promise().done(); }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> consumer) noexcept {
      auto& p = m_h.promise();
      p.ctx = detail::task_of(consumer);
      p.continuation = consumer;
      p.current.reset();
      return detail::transfer_to(m_h);
    }
    std::optional<T> await_resume() {
      auto& p = m_h.promise();
      if (p.error) std::rethrow_exception(std::exchange(p.error, nullptr));
      if (p.done()) return std::nullopt;
      return std::exchange(p.current, std::nullopt);
    }

   private:
    std::coroutine_handle<promise_type> m_h;
  };

  // Resumes the body until its next co_yield (the value) or its end (an empty optional).
  NextAwaiter next() noexcept { return NextAwaiter(m_h); }

 private:
  explicit Generator(std::coroutine_handle<promise_type> h) noexcept : m_h(h) {}
  std::coroutine_handle<promise_type> m_h;
};

}  // namespace aio
