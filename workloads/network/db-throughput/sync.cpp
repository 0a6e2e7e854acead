// db-throughput, sequential (sync): one blocking libpq connection, one lookup after another
// (PQexecPrepared waits for each answer): a round trip to the server per lookup.
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-throughput", [](wl::Workload& w) {
    const db_throughput::Params p(w);
    const pg::Conn c = pg::connect_blocking(p.target);
    db_throughput::Phase phase;
    long checked = 0;
    for (long i = 0; i < p.queries; ++i) {
      pg::lookup_blocking(c.get(), i);
      ++checked;
    }
    phase.report(w, p, checked, 1);
  });
}
