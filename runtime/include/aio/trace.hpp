// Tracing: every task's life on a timeline, as Chrome trace events (Perfetto, chrome://tracing).
//
// Off by default. It is switched on for a run by the environment variable AIO_TRACE=<file> when
// aio::run starts, or by aio::trace::enable(file) before it. A traced loop records, with
// nanosecond timestamps and the thread: each task created, made ready (resumed), running,
// suspended and on what (a timer, a socket, a file, the thread pool, a lock, a semaphore, an
// event, a queue, a future, another task), and finished; and the thread pool's jobs on their
// worker threads. At the end of aio::run the events are turned into Chrome trace events, one
// track per task ("X" spans: running, ready, waiting on ...), and appended to the file as one
// JSON object per line (`asyncbench trace` collects such lines into a trace file).
//
// Switched off, each hook costs one test of a thread-local pointer (aio_bench shows no
// measurable difference; see runtime/README.md).
#pragma once

#include <string>
#include <string_view>

namespace aio::trace {

// Records the next aio::run on this thread (and every later one, until disable()) and appends its
// events to `path`. An empty path switches tracing off.
void enable(const std::string& path);
void disable() noexcept;
// A loop on this thread is recording now.
bool enabled() noexcept;

// Names the running task on its track ("count 1"); the default is "task N". No-op when off.
void name_task(std::string_view name);
// An instant on the running task's track (what it printed: "One"). No-op when off.
void mark(std::string_view text);

}  // namespace aio::trace
