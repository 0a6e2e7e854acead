// spawn on aio: create_task of every task, then await each handle in turn (asyncio's
// create_task + await). Runs as aio-epoll or aio-uring.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<long> task(int i) { co_return spawn::value(i); }

aio::Task<void> amain(int tasks, long& sum, long& completed) {
  std::vector<aio::Task<long>> handles;
  handles.reserve(std::size_t(tasks));
  for (int i = 0; i < tasks; ++i) handles.push_back(aio::create_task(task(i)));
  for (auto& h : handles) {
    sum += co_await h;
    ++completed;
  }
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "spawn", [](wl::Workload& w) {
    spawn::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    long sum = 0, completed = 0;
    wl::Stopwatch clock;
    aio::run(amain(p.tasks, sum, completed), backend);
    spawn::report(w, p, sum, completed, clock.seconds());
  });
}
