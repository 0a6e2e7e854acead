// blocking-offload on aio, the lecture's main() line for line: inline, the main task calls
// blocking_io() in turn (blocking the loop); offload, aio::gather of aio::to_thread(blocking_io)
// per call. Runs as aio-epoll or aio-uring.
#include <aio/aio.hpp>
#include <functional>

#include "common/aio.hpp"
#include "common/thread_pool.hpp"
#include "scenario.hpp"

namespace {

// aio traces its tasks and its pool threads itself: a call's "start" and "finish" go on the
// running task's track (main's, inline; a pool thread runs no task, so none there).
struct TaskMarks {
  explicit TaskMarks(const std::string&) {}
  void mark(const char* text) { aio::trace::mark(text); }
};

aio::Task<void> amain(const blocking_offload::Params& p, wl::EventLog& log,
                      std::chrono::nanoseconds d) {
  aio::trace::name_task("main");
  if (p.offload()) {
    std::vector<aio::Task<void>> calls;
    for (int i = 0; i < p.calls; ++i)
      calls.push_back(aio::to_thread(blocking_offload::blocking_io<TaskMarks, wl::EventLog>,
                                     std::ref(log), d, i + 1));
    co_await aio::gather(std::move(calls));
  } else {
    for (int i = 0; i < p.calls; ++i) blocking_offload::blocking_io<TaskMarks>(log, d, i + 1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "blocking-offload", [](wl::Workload& w) {
    blocking_offload::Params p(w);
    // aio::to_thread's pool has asyncio's default size, min(32, cores + 4), as wl::ThreadPool.
    blocking_offload::require_workers(w, p, wl::ThreadPool::default_size());
    const aio::Backend backend = wl::aio_backend(w.model());
    wl::EventLog log;
    wl::Stopwatch clock;
    aio::run(amain(p, log, w.scaled(p.blocking_s)), backend);
    blocking_offload::report(w, p, log.events(), clock.seconds());
  });
}
