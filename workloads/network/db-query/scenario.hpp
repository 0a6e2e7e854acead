// db-query: the lectures' slow database call (pymongo's find_one, "blocks until DB answers"),
// with a real PostgreSQL: --queries N queries, each a SELECT of --rows seeded rows that waits
// --delay-ms inside the database (pg_sleep), over at most --connections k connections at once
// (a pool: the lecture's Semaphore). One after another: N x delay; over the pool: ceil(N / k)
// x delay. The clock starts once the model's connections are open.
#pragma once

#include <string>

#include "network/common/pg_workload.hpp"

namespace db_query {

struct Params {
  pg::Target target;
  int queries = 8;
  int connections = 4;
  int delay_ms = 100;
  int rows = 10;

  explicit Params(wl::Workload& w) {
    pg::TargetOptions server(w);  // bound to the parser until w.parse()
    w.option("--queries", queries, "how many queries", wl::range(1, 1000000));
    w.option("--connections", connections, "at most this many connections at once (the pool)",
             wl::range(1, 150));  // wl-pg-server's max_connections is 200
    w.option("--delay-ms", delay_ms, "each query waits this long inside the database (pg_sleep)",
             wl::range(0, 600 * 1000));
    w.option("--rows", rows, "rows each query returns", wl::range(1, 1000));
    w.parse();
    target = server.target(w);
    w.params()["queries"] = queries;
    w.params()["connections"] = connections;
    w.params()["delay_ms"] = delay_ms;
    w.params()["rows"] = rows;
  }

  double delay_s() const { return delay_ms / 1e3; }
  double ideal_sequential() const { return queries * delay_s(); }
  double ideal_concurrent() const {
    return static_cast<double>((queries + connections - 1) / connections) * delay_s();
  }
};

// The checks and metrics of every model. `rows_checked`: the rows whose ids and payloads were
// checked (each query checks its own as it arrives, and throws at a wrong one);
// `connections_used`: 1 for the sequential models, k for the others.
inline void report(wl::Workload& w, const Params& p, long rows_checked, int connections_used,
                   double elapsed_s, bool sequential) {
  const double ideal = sequential ? p.ideal_sequential() : p.ideal_concurrent();
  w.elapsed(elapsed_s);
  w.metrics()["ideal_s"] = ideal;
  w.metrics()["ideal_sequential_s"] = p.ideal_sequential();
  w.metrics()["ideal_concurrent_s"] = p.ideal_concurrent();
  w.metrics()["rows_total"] = rows_checked;
  w.metrics()["connections_used"] = connections_used;
  w.check(rows_checked == long(p.queries) * p.rows,
          std::to_string(rows_checked) + " rows checked, not " + std::to_string(long(p.queries) * p.rows));
  // pg_sleep never ends early, and the clock starts before the first query is sent.
  w.check(elapsed_s >= ideal * 0.99, "finished before the database's pg_sleep could");
}

}  // namespace db_query
