// db-query on aio: the lecture's Semaphore-limited gather, with a pool of k connections as the
// limit. The k connections are opened first, all at once (aio::gather of pg::aio_connect); then
// a task per query, all gathered, each taking a free connection from the pool, an aio::Queue of
// them (asyncio.Queue as a pool, asyncpg's `async with pool.acquire() as conn:`: waiting for a
// connection is the Semaphore's wait for a permit), running its query (pg::aio_exec), checking
// its rows and putting the connection back. The first failure leaves gather, which cancels the
// other queries. Runs as aio-epoll or aio-uring.
#include <numeric>
#include <vector>

#include "common/aio.hpp"
#include "network/common/pg_client_aio.hpp"
#include "scenario.hpp"

namespace {

using Pool = aio::Queue<PGconn*>;

aio::Task<long> slow_query(Pool& pool, const db_query::Params& p, long i) {
  PGconn* const c = co_await pool.get();
  const pg::SlowParams args(p.delay_s(), pg::slow_first_id(i, p.rows), p.rows);
  const pg::Result r =
      co_await pg::aio_exec(c, pg::kSlowQueryName, pg::kSlowQueryParams, args.values);
  pg::check_slow_result(c, r.get(), i, p.rows);
  pool.put_nowait(c);  // free again, for the next query waiting
  co_return p.rows;
}

aio::Task<void> run(wl::Workload& w, const db_query::Params& p) {
  std::vector<aio::Task<pg::Conn>> opens;
  for (int k = 0; k < p.connections; ++k) opens.push_back(pg::aio_connect(p.target));
  const std::vector<pg::Conn> conns = co_await aio::gather(std::move(opens));
  Pool pool;
  for (const pg::Conn& c : conns) pool.put_nowait(c.get());
  wl::Stopwatch clock;
  std::vector<aio::Task<long>> queries;
  for (long i = 0; i < p.queries; ++i) queries.push_back(slow_query(pool, p, i));
  const std::vector<long> rows = co_await aio::gather(std::move(queries));
  const double elapsed = clock.seconds();
  db_query::report(w, p, std::accumulate(rows.begin(), rows.end(), 0L), p.connections, elapsed,
                   false);
}  // the connections close (PQfinish) here

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-query", [](wl::Workload& w) {
    const db_query::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    aio::run(run(w, p), backend);
  });
}
