// The tracing hooks inside the runtime (aio/trace.hpp is the user's side). Every hook is
// `if (t_tracer) [[unlikely]] ...`: with tracing off, one thread-local load and a branch.
#pragma once

#include <cstdint>

namespace aio::detail {

struct TaskBase;
class Tracer;

constinit inline thread_local Tracer* t_tracer = nullptr;  // the running loop's, when it is tracing

enum class TraceKind : std::uint8_t {
  created,   // create_task (or the main task)
  ready,     // put on the ready queue: resumed by whatever it waited for
  run,       // the loop resumes it
  pause,     // the loop's resume returned (it suspended or finished)
  wait,      // suspended; `what` says on what
  finished,  // reached its end
};

void trace_event(TraceKind kind, const TaskBase* task, const char* what = nullptr) noexcept;

// The loop's side: a tracer when this run is traced (AIO_TRACE or aio::trace::enable), else null;
// at the end of the run its events are written, then it is destroyed.
Tracer* make_tracer();
void finish_tracer(Tracer& tracer, const char* backend) noexcept;
void destroy_tracer(Tracer* tracer) noexcept;
// A thread-pool job of the task `owner`, on the calling worker thread.
void trace_job(Tracer* tracer, const void* owner, std::int64_t begin, std::int64_t end) noexcept;
std::int64_t trace_clock_ns() noexcept;

}  // namespace aio::detail
