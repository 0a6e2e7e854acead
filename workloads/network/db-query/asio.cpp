// db-query on Boost.Asio with C++20 coroutines, all on one io_context. Asio has no semaphore and
// no pool; its way to bound the work in flight is a fixed number of workers (as the scraper's
// Asio model does): the k connections (network/common/pg_client_asio.hpp) are opened first, each
// in a coroutine of its own, all co_spawned at once; when the last is open the clock starts and a
// worker coroutine per connection is co_spawned, each taking the next query index from one
// counter until none is left. The first failure is rethrown out of io_context::run, which
// stops: no other query starts.
#include "common/asio.hpp"

#include <optional>
#include <vector>

#include "network/common/pg_client_asio.hpp"
#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

struct Work {
  explicit Work(const db_query::Params& params) : p(params) {}

  const db_query::Params& p;
  std::vector<pg::AsioConnection> connections;
  int opened = 0;
  long next = 0;     // the next query to take: one thread, so a plain counter
  long checked = 0;  // queries whose rows were checked
  long rows = 0;
  std::optional<wl::Stopwatch> clock;  // from the last connection open
  double elapsed = 0;                  // to the last query checked
};

asio::awaitable<void> worker(Work& work, pg::AsioConnection& c) {
  const db_query::Params& p = work.p;
  while (work.next < p.queries) {
    const long i = work.next++;
    const pg::SlowParams args(p.delay_s(), pg::slow_first_id(i, p.rows), p.rows);
    const pg::Result r = co_await c.exec(pg::kSlowQueryName, pg::kSlowQueryParams, args.values);
    pg::check_slow_result(c.get(), r.get(), i, p.rows);
    work.rows += p.rows;
    if (++work.checked == p.queries) work.elapsed = work.clock->seconds();
  }
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-query", [](wl::Workload& w) {
    const db_query::Params p(w);
    asio::io_context io(1);  // one thread: the concurrency hint lets Asio drop its locking
    Work work(p);            // after io: its connections let go of their descriptors first
    work.connections.reserve(p.connections);
    for (int k = 0; k < p.connections; ++k) work.connections.emplace_back(io.get_executor());
    for (pg::AsioConnection& c : work.connections)
      asio::co_spawn(io, c.open(p.target), [&](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
        if (++work.opened < p.connections) return;
        work.clock.emplace();
        for (pg::AsioConnection& each : work.connections)
          asio::co_spawn(io, worker(work, each), wl::asio_rethrow);
      });
    io.run();
    db_query::report(w, p, work.rows, p.connections, work.elapsed, false);
  });
}
