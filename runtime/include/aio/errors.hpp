// The exceptions aio raises, named as asyncio names them.
//
// CancelledError deliberately derives from nothing in the standard library: asyncio moved its
// CancelledError under BaseException (Python 3.8) so that `except Exception:` does not swallow a
// cancellation, and the C++ analogue of `except Exception:` is `catch (const std::exception&)`.
// A cancellation therefore passes through generic error handlers and unwinds the task, as it should.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace aio {

// Thrown at the suspended co_await of a task that was cancelled (Task::cancel, wait_for's timeout,
// a TaskGroup failure, loop shutdown). Catch it only to clean up, then rethrow.
class CancelledError {
 public:
  const char* what() const noexcept { return "aio::CancelledError: the task was cancelled"; }
};

// wait_for's deadline passed; the inner task was cancelled and has finished unwinding.
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  TimeoutError() : std::runtime_error("aio::TimeoutError: the operation timed out") {}
};

// An operation that is not valid in the object's current state (a Future's result set twice,
// a result read before it exists, a Lock released that is not held).
class InvalidStateError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// read_exact reached the end of the stream first (asyncio.IncompleteReadError).
class IncompleteReadError : public std::runtime_error {
 public:
  IncompleteReadError(std::size_t partial, std::size_t expected)
      : std::runtime_error("aio::IncompleteReadError: " + std::to_string(partial) + " bytes read of " +
                           std::to_string(expected) + " expected"),
        m_partial(partial),
        m_expected(expected) {}
  std::size_t partial() const noexcept { return m_partial; }
  std::size_t expected() const noexcept { return m_expected; }

 private:
  std::size_t m_partial;
  std::size_t m_expected;
};

// Queue::get_nowait on an empty queue / Queue::put_nowait on a full one.
class QueueEmpty : public std::runtime_error {
 public:
  QueueEmpty() : std::runtime_error("aio::QueueEmpty: the queue is empty") {}
};
class QueueFull : public std::runtime_error {
 public:
  QueueFull() : std::runtime_error("aio::QueueFull: the queue is full") {}
};

}  // namespace aio
