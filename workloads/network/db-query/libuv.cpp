// db-query on libuv: k connections (network/common/pg_client_uv.hpp: a uv_poll_t on each one's
// socket, a callback state machine) opened on one loop, all at once. Once all are open the clock
// starts, and each connection, whenever it is idle, takes the next query index from one counter
// until none is left: libuv has no tasks to limit, so the k connections themselves are the pool.
// After a failure no new query starts: every connection is closed at once, its handles with it.
// uv_run returns when every handle is closed.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/uv.hpp"
#include "network/common/pg_client_uv.hpp"
#include "scenario.hpp"

namespace {

struct Slot;

struct Run {
  const db_query::Params* p = nullptr;
  std::vector<Slot>* slots = nullptr;
  int opened = 0;
  long next = 0;     // the next query to start
  long checked = 0;  // queries whose rows were checked
  long rows = 0;
  std::optional<wl::Stopwatch> clock;  // from the last connection open
  double elapsed = 0;                  // to the last query checked
  std::string error;                   // the first failure
};

struct Slot {
  pg::uv::Client client;  // client.data points here
  Run* run = nullptr;
  long query = 0;  // the query in flight
  std::optional<pg::SlowParams> args;
};

void fail(Run* run, const std::string& what) {
  if (run->error.empty()) run->error = what;
  for (Slot& s : *run->slots) pg::uv::close(&s.client);
}

void start_next(Slot* s) {
  Run* run = s->run;
  if (!run->error.empty() || run->next == run->p->queries) return pg::uv::close(&s->client);
  s->query = run->next++;
  s->args.emplace(run->p->delay_s(), pg::slow_first_id(s->query, run->p->rows), run->p->rows);
  pg::uv::exec(&s->client, pg::kSlowQueryName, pg::kSlowQueryParams, s->args->values);
}

void on_result(pg::uv::Client* c) {
  auto* s = static_cast<Slot*>(c->data);
  Run* run = s->run;
  try {
    if (!c->error.empty())
      throw std::runtime_error("query " + std::to_string(s->query) + ": " + c->error);
    pg::check_slow_result(c->conn(), c->result.get(), s->query, run->p->rows);
  } catch (const std::exception& e) {
    return fail(run, e.what());
  }
  c->result.reset();
  run->rows += run->p->rows;
  if (++run->checked == run->p->queries) run->elapsed = run->clock->seconds();
  start_next(s);
}

void on_open(pg::uv::Client* c) {
  Run* run = static_cast<Slot*>(c->data)->run;
  if (!c->error.empty()) return fail(run, c->error);
  if (++run->opened < run->p->connections) return;
  run->clock.emplace();
  for (Slot& s : *run->slots) start_next(&s);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-query", [](wl::Workload& w) {
    const db_query::Params p(w);
    wl::uv::Loop loop;
    std::vector<Slot> slots(p.connections);
    Run run;
    run.p = &p;
    run.slots = &slots;
    for (Slot& s : slots) {
      s.client.target = &p.target;
      s.client.on_open = on_open;
      s.client.on_result = on_result;
      s.client.data = &s;
      s.run = &run;
    }
    for (Slot& s : slots)
      if (run.error.empty()) pg::uv::open(&s.client, loop.get());
    loop.run();
    loop.close();
    if (!run.error.empty()) throw std::runtime_error(run.error);
    db_query::report(w, p, run.rows, p.connections, run.elapsed, false);
  });
}
