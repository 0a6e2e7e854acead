// db-throughput: short indexed lookups (SELECT payload FROM items WHERE id = $1) on a real
// PostgreSQL, --queries N of them over --connections k connections, one query in flight per
// connection, as fast as each model issues them: queries per second and the client's CPU per
// query, where the drivers' and the loops' own costs show. The clock starts once the model's
// connections are open (each with its statement prepared).
#pragma once

#include <string>

#include "network/common/pg_workload.hpp"

namespace db_throughput {

struct Params {
  pg::Target target;
  int queries = 2000;
  int connections = 8;

  explicit Params(wl::Workload& w) {
    pg::TargetOptions server(w);
    w.option("--queries", queries, "how many lookups", wl::range(1, 100000000));
    w.option("--connections", connections, "over this many connections", wl::range(1, 150));
    w.parse();
    target = server.target(w);
    w.params()["queries"] = queries;
    w.params()["connections"] = connections;
  }
};

// The measured phase: its clock and the process's CPU (its children's too, once reaped).
class Phase {
 public:
  Phase() : m_cpu0(pg::cpu_seconds()) {}
  // Call after the last lookup was checked (and, for the processes model, its children reaped).
  void report(wl::Workload& w, const Params& p, long checked, int connections_used) {
    const double elapsed = m_clock.seconds();
    const double cpu = pg::cpu_seconds() - m_cpu0;
    w.elapsed(elapsed);
    w.metrics()["queries_per_s"] = checked / elapsed;
    w.metrics()["client_cpu_us_per_query"] = cpu * 1e6 / double(p.queries);
    w.metrics()["connections_used"] = connections_used;
    w.check(checked == p.queries,
            std::to_string(checked) + " lookups checked, not " + std::to_string(p.queries));
  }

 private:
  double m_cpu0;
  wl::Stopwatch m_clock;
};

}  // namespace db_throughput
