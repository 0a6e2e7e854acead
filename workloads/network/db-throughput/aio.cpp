// db-throughput on aio: the k connections opened first, all at once (aio::gather of
// pg::aio_connect); then a worker task per connection, all gathered, each taking the next lookup
// index from one counter (the tasks share one thread: a plain long) until none is left, running
// it (pg::aio_exec) and checking its row. The first failure leaves gather, which cancels the
// other workers. Runs as aio-epoll or aio-uring.
#include <numeric>
#include <vector>

#include "common/aio.hpp"
#include "network/common/pg_client_aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<long> worker(PGconn* c, long& next, long queries) {
  long checked = 0;
  while (next < queries) {
    const long i = next++;
    const pg::LookupParams args(pg::lookup_id(i));
    const pg::Result r = co_await pg::aio_exec(c, pg::kLookupName, pg::kLookupParams, args.values);
    pg::check_lookup_result(c, r.get(), i);
    ++checked;
  }
  co_return checked;
}

aio::Task<void> run(wl::Workload& w, const db_throughput::Params& p) {
  std::vector<aio::Task<pg::Conn>> opens;
  for (int k = 0; k < p.connections; ++k) opens.push_back(pg::aio_connect(p.target));
  const std::vector<pg::Conn> conns = co_await aio::gather(std::move(opens));
  db_throughput::Phase phase;
  long next = 0;
  std::vector<aio::Task<long>> workers;
  for (const pg::Conn& c : conns) workers.push_back(worker(c.get(), next, p.queries));
  const std::vector<long> checked = co_await aio::gather(std::move(workers));
  phase.report(w, p, std::accumulate(checked.begin(), checked.end(), 0L), p.connections);
}  // the connections close (PQfinish) here

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-throughput", [](wl::Workload& w) {
    const db_throughput::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    aio::run(run(w, p), backend);
  });
}
