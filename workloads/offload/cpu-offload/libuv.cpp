// cpu-offload on libuv, as libuv's own examples are written. Mode threads: uv_queue_work per
// chunk (libuv's thread pool, UV_THREADPOOL_SIZE threads, 4 by default), the result collected in
// the after-work callback on the loop. Mode inline: the same work callback run on the loop itself,
// from a zero-timeout uv_timer per chunk (libuv's "call soon"), blocking the loop meanwhile.

#include <memory>
#include <stdexcept>
#include <string>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

struct Chunk {
  uv_work_t work;
  uv_timer_t timer;
  int index;
  std::uint64_t iterations;
  cpu_offload::ChunkResult result;
  bool done = false;
};

void run_chunk(uv_work_t* req) {
  auto* c = static_cast<Chunk*>(req->data);
  c->result = cpu_offload::run_chunk(c->index, c->iterations);
}

void after_chunk(uv_work_t* req, int status) {
  auto* c = static_cast<Chunk*>(req->data);
  c->done = status == 0;
}

void on_timer(uv_timer_t* t) {
  auto* c = static_cast<Chunk*>(t->data);
  run_chunk(&c->work);
  after_chunk(&c->work, 0);
  uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "cpu-offload", [](wl::Workload& w) {
    cpu_offload::Params p(w);
    cpu_offload::require_mode(w, p, {"inline", "threads"});
    const bool offload = p.mode == "threads";
    std::vector<std::unique_ptr<Chunk>> chunks;
    for (int i = 0; i < p.chunks; ++i) {
      auto c = std::make_unique<Chunk>();
      c->index = i;
      c->iterations = p.iterations;
      c->work.data = c.get();
      c->timer.data = c.get();
      chunks.push_back(std::move(c));
    }
    wl::Stopwatch clock;
    wl::uv::Loop loop;
    for (auto& c : chunks) {
      if (offload) {
        wl::uv::check(uv_queue_work(loop.get(), &c->work, run_chunk, after_chunk), "uv_queue_work");
      } else {
        wl::uv::check(uv_timer_init(loop.get(), &c->timer), "uv_timer_init");
        wl::uv::check(uv_timer_start(&c->timer, on_timer, 0, 0), "uv_timer_start");
      }
    }
    loop.run();
    const double elapsed = clock.seconds();
    loop.close();
    std::vector<cpu_offload::ChunkResult> results;
    for (auto& c : chunks) {
      w.check(c->done, "chunk " + std::to_string(c->index) + " did not complete");
      results.push_back(c->result);
    }
    cpu_offload::report(w, p, results, elapsed);
  });
}
