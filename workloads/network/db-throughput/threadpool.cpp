// db-throughput on a pool of exactly --connections worker threads (ThreadPoolExecutor(k).map
// with an initializer that connects): each worker opens its own connection before the clock and
// keeps it (a thread_local), every lookup is submitted as a blocking job, and the futures'
// results are taken in order. A lookup whose turn comes after a failure is skipped.
#include <future>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-throughput", [](wl::Workload& w) {
    const db_throughput::Params p(w);
    pg::FailFast fail_fast;
    wl::ThreadPool pool(static_cast<unsigned>(p.connections));
    pg::connect_workers(pool, p.target);
    db_throughput::Phase phase;
    std::vector<std::future<bool>> futures;
    futures.reserve(p.queries);
    for (long i = 0; i < p.queries; ++i)
      futures.push_back(pool.submit([&fail_fast, i] {
        return fail_fast.run([&] { pg::lookup_blocking(pg::worker_connection.get(), i); });
      }));
    long checked = 0;
    for (auto& f : futures) checked += f.get();  // get() rethrows a lookup's failure
    phase.report(w, p, checked, static_cast<int>(pool.size()));
  });
}
