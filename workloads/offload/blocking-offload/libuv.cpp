// blocking-offload on libuv, written the way libuv's own examples are: offload, uv_queue_work
// per call (libuv's thread pool runs the work callback, the loop runs the after-work callback);
// inline, the calls are made in turn in a callback on the loop (a zero timer's), blocking it.

#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

struct Call {
  uv_work_t req;
  wl::EventLog* log;
  std::chrono::nanoseconds d;
  int n;  // which call
};

void blocking_io_work(uv_work_t* req) {
  auto* c = static_cast<Call*>(req->data);
  blocking_offload::blocking_io(*c->log, c->d, c->n);
}

void after_blocking_io(uv_work_t*, int status) {
  if (status != 0) std::abort();  // only uv_cancel gives an error, and nothing cancels
}

struct Inline {
  uv_timer_t timer;
  int calls;
  wl::EventLog* log;
  std::chrono::nanoseconds d;
};

void on_inline(uv_timer_t* t) {
  auto* in = static_cast<Inline*>(t->data);
  for (int i = 0; i < in->calls; ++i) blocking_offload::blocking_io(*in->log, in->d, i + 1);
  uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
}

// libuv's pool: UV_THREADPOOL_SIZE threads, 4 by default.
unsigned pool_size() {
  const char* v = std::getenv("UV_THREADPOOL_SIZE");
  return v && std::atoi(v) > 0 ? unsigned(std::atoi(v)) : 4u;
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "blocking-offload", [](wl::Workload& w) {
    blocking_offload::Params p(w);
    blocking_offload::require_workers(w, p, pool_size());
    wl::EventLog log;
    const auto d = w.scaled(p.blocking_s);
    wl::Stopwatch clock;
    wl::uv::Loop loop;
    std::vector<std::unique_ptr<Call>> calls;
    Inline in{{}, p.calls, &log, d};
    std::optional<wl::trace::Track> loop_track;  // offload: the loop waits for the pool
    if (p.offload()) {
      loop_track.emplace("main");
      for (int i = 0; i < p.calls; ++i) {
        auto c = std::make_unique<Call>();
        c->log = &log;
        c->d = d;
        c->n = i + 1;
        c->req.data = c.get();
        uv_queue_work(loop.get(), &c->req, blocking_io_work, after_blocking_io);
        calls.push_back(std::move(c));
      }
      loop_track->waiting("thread pool");
    } else {
      uv_timer_init(loop.get(), &in.timer);
      in.timer.data = &in;
      uv_timer_start(&in.timer, on_inline, 0, 0);
    }
    loop.run();
    loop_track.reset();
    loop.close();
    blocking_offload::report(w, p, log.events(), clock.seconds());
  });
}
