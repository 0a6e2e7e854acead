// db-query, sequential (sync): one blocking libpq connection, one query after another
// (PQexecPrepared waits until the database answers): N x delay.
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-query", [](wl::Workload& w) {
    const db_query::Params p(w);
    const pg::Conn c = pg::connect_blocking(p.target);
    wl::Stopwatch clock;
    long rows = 0;
    for (int i = 0; i < p.queries; ++i) {
      pg::slow_query_blocking(c.get(), i, p.delay_s(), p.rows);
      rows += p.rows;
    }
    db_query::report(w, p, rows, 1, clock.seconds(), true);
  });
}
