// db-throughput on Boost.Asio with C++20 coroutines, all on one io_context: the k connections
// (network/common/pg_client_asio.hpp) are opened first, each in a coroutine of its own, all
// co_spawned at once; when the last is open the phase starts and a worker coroutine per
// connection is co_spawned, each taking the next lookup index from one counter until none is
// left; the phase is reported when the last lookup is checked. The first failure is rethrown out
// of io_context::run, which stops: no other lookup starts.
#include "common/asio.hpp"

#include <optional>
#include <vector>

#include "network/common/pg_client_asio.hpp"
#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

struct Work {
  Work(wl::Workload& workload, const db_throughput::Params& params) : w(workload), p(params) {}

  wl::Workload& w;
  const db_throughput::Params& p;
  std::vector<pg::AsioConnection> connections;
  int opened = 0;
  long next = 0;     // the next lookup to take: one thread, so a plain counter
  long checked = 0;  // lookups whose row was checked
  std::optional<db_throughput::Phase> phase;  // from the last connection open
};

asio::awaitable<void> worker(Work& work, pg::AsioConnection& c) {
  while (work.next < work.p.queries) {
    const long i = work.next++;
    const pg::LookupParams args(pg::lookup_id(i));
    const pg::Result r = co_await c.exec(pg::kLookupName, pg::kLookupParams, args.values);
    pg::check_lookup_result(c.get(), r.get(), i);
    if (++work.checked == work.p.queries)
      work.phase->report(work.w, work.p, work.checked, work.p.connections);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-throughput", [](wl::Workload& w) {
    const db_throughput::Params p(w);
    asio::io_context io(1);  // one thread: the concurrency hint lets Asio drop its locking
    Work work(w, p);         // after io: its connections let go of their descriptors first
    work.connections.reserve(p.connections);
    for (int k = 0; k < p.connections; ++k) work.connections.emplace_back(io.get_executor());
    for (pg::AsioConnection& c : work.connections)
      asio::co_spawn(io, c.open(p.target), [&](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
        if (++work.opened < p.connections) return;
        work.phase.emplace();
        for (pg::AsioConnection& each : work.connections)
          asio::co_spawn(io, worker(work, each), wl::asio_rethrow);
      });
    io.run();
  });
}
