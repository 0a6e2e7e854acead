// db-query with one std::jthread per query (the lecture's thread per task), at most --connections
// of them querying at once (the lecture's Semaphore): each takes a permit of a
// std::counting_semaphore, then a connection from the free list of the k opened before the clock,
// runs its blocking query, and gives both back. The first failure is rethrown after the join; a
// query whose turn comes after a failure is skipped.
#include <atomic>
#include <exception>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

#include "scenario.hpp"

namespace {

// k open connections and a permit for each: a thread holding a permit always finds a free one.
class ConnectionPool {
 public:
  ConnectionPool(const pg::Target& t, int k) : m_permits(k) {
    for (int i = 0; i < k; ++i) m_conns.push_back(pg::connect_blocking(t));
    for (const auto& c : m_conns) m_free.push_back(c.get());
  }
  int size() const noexcept { return static_cast<int>(m_conns.size()); }

  // One of the pool's connections, while it lives.
  class Lease {
   public:
    explicit Lease(ConnectionPool& pool) : m_pool(pool) {
      m_pool.m_permits.acquire();
      const std::lock_guard lock(m_pool.m_mutex);
      m_conn = m_pool.m_free.back();
      m_pool.m_free.pop_back();
    }
    ~Lease() {
      {
        const std::lock_guard lock(m_pool.m_mutex);
        m_pool.m_free.push_back(m_conn);
      }
      m_pool.m_permits.release();
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PGconn* get() const noexcept { return m_conn; }

   private:
    ConnectionPool& m_pool;
    PGconn* m_conn;
  };

 private:
  std::counting_semaphore<> m_permits;
  std::mutex m_mutex;
  std::vector<pg::Conn> m_conns;
  std::vector<PGconn*> m_free;
};

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "db-query", [](wl::Workload& w) {
    const db_query::Params p(w);
    ConnectionPool pool(p.target, p.connections);
    std::atomic<long> rows{0};
    std::vector<std::exception_ptr> errors(p.queries);
    pg::FailFast fail_fast;
    wl::Stopwatch clock;
    {
      std::vector<std::jthread> threads;  // joined however this block is left
      threads.reserve(p.queries);
      for (int i = 0; i < p.queries; ++i)
        threads.emplace_back([&, i] {
          try {
            const ConnectionPool::Lease conn(pool);
            if (fail_fast.run([&] { pg::slow_query_blocking(conn.get(), i, p.delay_s(), p.rows); }))
              rows += p.rows;
          } catch (...) {
            errors[i] = std::current_exception();
          }
        });
    }
    const double elapsed = clock.seconds();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
    db_query::report(w, p, rows.load(), pool.size(), elapsed, false);
  });
}
