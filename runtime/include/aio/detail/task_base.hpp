// What every aio coroutine frame carries, and the two hooks that make cancellation work.
//
// A *task* in asyncio's sense is a coroutine scheduled on the loop (create_task, gather's children,
// the coroutine given to run). Coroutines it awaits directly run inline, in the same task, by
// symmetric transfer: they share the task's context (`ctx`), the way `await coro()` in Python does
// not make a new Task. A task is suspended at exactly one place at a time, its innermost co_await;
// the awaiter there registers itself as the task's `waiter`, and `cancel()` calls the waiter's
// `on_cancel`, which interrupts the wait (a timer is removed, a pool job is dequeued, an I/O is
// cancelled in the kernel) and later resumes the task so that the awaiter throws CancelledError at
// that co_await. A cancellation requested while the task is running or already queued to run is
// kept in `cancel_requested` and thrown at the task's next suspension point, as asyncio's
// `_must_cancel` is; an operation that completed before the request keeps its result (a read's
// bytes are never thrown away), so nothing is lost.
//
// Frame lifetime is reference counted (single-threaded): the Task handle holds one reference and a
// scheduled, unfinished task holds one for itself, so dropping the handle of a running task
// detaches it (it runs on, as an asyncio task does) and the frame goes when both are gone.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <type_traits>

#include "aio/detail/config.hpp"
#include "aio/detail/frame_allocator.hpp"
#include "aio/detail/trace.hpp"
#include "aio/errors.hpp"

namespace aio::detail {

struct TaskBase;

// A suspended wait that cancel() can interrupt (see above).
struct Waiter {
  void (*on_cancel)(Waiter*) noexcept = nullptr;
};

// Intrusive node notified when a scheduled task finishes: awaiting a task, gather, wait_for,
// TaskGroup and as_completed all wait through these. Unlinks itself when destroyed.
struct JoinNode {
  JoinNode* prev = nullptr;
  JoinNode* next = nullptr;
  TaskBase* target = nullptr;  // set while linked
  void (*on_done)(JoinNode*) noexcept = nullptr;

  JoinNode() = default;
  JoinNode(const JoinNode&) = delete;
  JoinNode& operator=(const JoinNode&) = delete;
  ~JoinNode() { unlink(); }

  void link(TaskBase& task) noexcept;
  void unlink() noexcept;
  bool linked() const noexcept { return target != nullptr; }
};

enum class TaskStatus : std::uint8_t {
  lazy,            // created, not started
  inline_running,  // being awaited directly by another coroutine of the same task
  scheduled,       // a task of its own on the loop, not finished
  done,
};

// The loop's ready queue (asyncio's call_soon): resume `h`, part of task `ctx`, on a later turn.
void schedule(std::coroutine_handle<> h, TaskBase* ctx);

struct TaskBase {
  TaskBase* ctx = nullptr;                 // the task this frame runs as part of
  std::coroutine_handle<> continuation;    // the inline awaiter to resume at the end
  std::coroutine_handle<> frame;           // this coroutine's own frame
  std::exception_ptr error;
  // Used when this frame is a task of its own:
  Waiter* waiter = nullptr;
  JoinNode* joiners = nullptr;
  TaskBase* live_prev = nullptr;
  TaskBase* live_next = nullptr;
  std::uint32_t refs = 1;
  TaskStatus status = TaskStatus::lazy;
  bool cancel_requested = false;

  // Frames come from the per-thread frame cache (frame_allocator.hpp).
  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* p, std::size_t size) noexcept { free_frame(p, size); }

  bool done() const noexcept { return status == TaskStatus::done; }
  // Requests cancellation of a scheduled, unfinished task. Returns false for a task that is done,
  // or that is not a task of its own (a lazy or inline coroutine; asyncio cannot cancel a bare
  // coroutine either).
  bool cancel() noexcept;
  // Done, and what ended it was CancelledError.
  bool cancelled() const noexcept;
  void add_ref() noexcept { ++refs; }
  void release() noexcept {
    if (--refs == 0) frame.destroy();
  }
  // Throws the pending cancellation at the current suspension point and consumes it.
  [[noreturn]] void take_cancel() {
    cancel_requested = false;
    throw CancelledError{};
  }
  // The frame reached final_suspend: returns where to go next (the inline awaiter, or nowhere).
  std::coroutine_handle<> finish() noexcept;
};

// Symmetric transfer (an await_suspend that returns the next coroutine) only keeps the stack flat
// when the compiler makes the resumption a tail call: g++ 12 does at -O2, but not at -O0 or -O1
// or under AddressSanitizer, where every nested co_await of a coroutine that completes at once
// takes a native frame until the stack overflows. So every transfer checks how far the stack has
// grown since the loop resumed the task; past `max_transfer_stack` it hands the coroutine to the
// loop instead (`bounce`), which resumes it at once, before any other task, from a flat stack.
// With tail calls the stack never grows and the check never fires.
inline constexpr std::ptrdiff_t max_transfer_stack = 64 * 1024;
inline thread_local char* t_resume_stack = nullptr;  // set by the loop before each resume
inline thread_local void* t_bounce = nullptr;        // a coroutine handle's address, or null

inline std::coroutine_handle<> transfer_to(std::coroutine_handle<> next) noexcept {
  char here;
  if (t_resume_stack != nullptr && t_resume_stack - &here > max_transfer_stack) {
    t_bounce = next.address();
    return std::noop_coroutine();
  }
  return next;
}

// Resumes `h` and whatever a too-deep transfer handed back, in order.
inline void resume_flat(std::coroutine_handle<> h) {
  char base;
  t_resume_stack = &base;
  h.resume();
  while (void* b = t_bounce) {
    t_bounce = nullptr;
    std::coroutine_handle<>::from_address(b).resume();
  }
}

// True if `e` holds an aio::CancelledError.
bool is_cancelled_error(const std::exception_ptr& e) noexcept;

// Registers `w` as the suspended waiter of `ctx`. Returns false instead when a cancellation is
// already pending: the caller must then not suspend, and throws from await_resume. `on` names
// what the task waits for, for the trace (aio/trace.hpp).
inline bool begin_wait(TaskBase* ctx, Waiter* w, const char* on = nullptr) noexcept {
  if (ctx->cancel_requested) return false;
  ctx->waiter = w;
  if (t_tracer) [[unlikely]]
    trace_event(TraceKind::wait, ctx, on);
  return true;
}
inline void end_wait(TaskBase* ctx) noexcept { ctx->waiter = nullptr; }

// aio awaitables need the task they suspend; they can be awaited only inside aio coroutines.
template <class P>
TaskBase* task_of(std::coroutine_handle<P> h) noexcept {
  static_assert(std::is_base_of_v<TaskBase, P>,
                "aio awaitables can only be co_awaited inside an aio::Task or aio::Generator");
  return h.promise().ctx;
}

}  // namespace aio::detail
