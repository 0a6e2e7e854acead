// db-throughput with one std::jthread per connection: k threads, each with its own connection
// opened before the clock, take lookup indexes from a shared atomic counter until none is left,
// each lookup blocking. Once a lookup has failed no thread takes another; the first failure is
// rethrown after the join.
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-throughput", [](wl::Workload& w) {
    const db_throughput::Params p(w);
    std::vector<pg::Conn> conns;
    for (int c = 0; c < p.connections; ++c) conns.push_back(pg::connect_blocking(p.target));
    std::atomic<long> next{0}, checked{0};
    std::vector<std::exception_ptr> errors(conns.size());
    pg::FailFast fail_fast;
    db_throughput::Phase phase;
    {
      std::vector<std::jthread> threads;  // joined however this block is left
      threads.reserve(conns.size());
      for (std::size_t c = 0; c < conns.size(); ++c)
        threads.emplace_back([&, c] {
          long mine = 0;
          try {
            for (long i; (i = next.fetch_add(1, std::memory_order_relaxed)) < p.queries; ++mine)
              if (!fail_fast.run([&] { pg::lookup_blocking(conns[c].get(), i); })) break;
          } catch (...) {
            errors[c] = std::current_exception();
          }
          checked += mine;
        });
    }
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
    phase.report(w, p, checked.load(), static_cast<int>(conns.size()));
  });
}
