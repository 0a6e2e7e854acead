// db-query on a pool of exactly --connections worker threads (ThreadPoolExecutor(max_workers=k)
// with an initializer that connects): each worker opens its own connection before the clock and
// keeps it (a thread_local), every query is submitted as a blocking job, and the futures'
// results are taken in order. A query whose turn comes after a failure is skipped.
#include <future>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-query", [](wl::Workload& w) {
    const db_query::Params p(w);
    pg::FailFast fail_fast;
    wl::ThreadPool pool(static_cast<unsigned>(p.connections));
    pg::connect_workers(pool, p.target);
    wl::Stopwatch clock;
    std::vector<std::future<bool>> futures;
    futures.reserve(p.queries);
    for (int i = 0; i < p.queries; ++i)
      futures.push_back(pool.submit([&, i] {
        return fail_fast.run(
            [&] { pg::slow_query_blocking(pg::worker_connection.get(), i, p.delay_s(), p.rows); });
      }));
    long rows = 0;
    for (auto& f : futures)
      if (f.get()) rows += p.rows;  // get() rethrows a query's failure
    db_query::report(w, p, rows, static_cast<int>(pool.size()), clock.seconds(), false);
  });
}
