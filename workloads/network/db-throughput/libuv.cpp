// db-throughput on libuv: k connections (network/common/pg_client_uv.hpp: a uv_poll_t on each
// one's socket, a callback state machine) opened on one loop, all at once. Once all are open the
// phase starts, and each connection, whenever it is idle, takes the next lookup index from one
// counter until none is left; the phase is reported when the last lookup is checked. After a
// failure no new lookup starts: every connection is closed at once, its handles with it. uv_run
// returns when every handle is closed.
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
  wl::Workload* w = nullptr;
  const db_throughput::Params* p = nullptr;
  std::vector<Slot>* slots = nullptr;
  int opened = 0;
  long next = 0;     // the next lookup to start
  long checked = 0;  // lookups whose row was checked
  std::optional<db_throughput::Phase> phase;  // from the last connection open
  std::string error;                          // the first failure
};

struct Slot {
  pg::uv::Client client;  // client.data points here
  Run* run = nullptr;
  long lookup = 0;  // the lookup in flight
  std::optional<pg::LookupParams> args;
};

void fail(Run* run, const std::string& what) {
  if (run->error.empty()) run->error = what;
  for (Slot& s : *run->slots) pg::uv::close(&s.client);
}

void start_next(Slot* s) {
  Run* run = s->run;
  if (!run->error.empty() || run->next == run->p->queries) return pg::uv::close(&s->client);
  s->lookup = run->next++;
  s->args.emplace(pg::lookup_id(s->lookup));
  pg::uv::exec(&s->client, pg::kLookupName, pg::kLookupParams, s->args->values);
}

void on_result(pg::uv::Client* c) {
  auto* s = static_cast<Slot*>(c->data);
  Run* run = s->run;
  try {
    if (!c->error.empty())
      throw std::runtime_error("lookup " + std::to_string(s->lookup) + ": " + c->error);
    pg::check_lookup_result(c->conn(), c->result.get(), s->lookup);
    c->result.reset();
    if (++run->checked == run->p->queries)
      run->phase->report(*run->w, *run->p, run->checked, run->p->connections);
  } catch (const std::exception& e) {
    return fail(run, e.what());
  }
  start_next(s);
}

void on_open(pg::uv::Client* c) {
  Run* run = static_cast<Slot*>(c->data)->run;
  if (!c->error.empty()) return fail(run, c->error);
  if (++run->opened < run->p->connections) return;
  run->phase.emplace();
  for (Slot& s : *run->slots) start_next(&s);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-throughput", [](wl::Workload& w) {
    const db_throughput::Params p(w);
    wl::uv::Loop loop;
    std::vector<Slot> slots(p.connections);
    Run run;
    run.w = &w;
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
  });
}
