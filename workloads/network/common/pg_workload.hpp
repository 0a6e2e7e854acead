// What the database workloads (db-query, db-throughput) share in C++: the options that name the
// PostgreSQL server (wl-pg-server, which the harness starts), the queries and the ids they ask
// for, the checks of every row, errors as one line, a blocking connection for the models that
// block (libpq's PQconnectdb / PQexecPrepared), and the CPU clock of db-throughput. The event-loop
// models drive libpq's non-blocking calls on the same PGconn (PQconnectStart/PQconnectPoll,
// PQsendQueryPrepared, PQconsumeInput, PQisBusy, PQgetResult) in their own files.
//
// The database (workloads/network/common/pg_server.cpp seeds it): dbname, user and password
// "bench" (scram-sha-256 over TCP), table items(id integer primary key, payload text not null),
// ids 1..kTableRows, payload 'item-<id>'.
//
//   --host H --port P       the server (H a numeric IPv4 address)
//   --user U --password W --dbname D    the role and database (default bench, bench, bench)
#pragma once

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <sys/resource.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/workload.hpp"

namespace pg {

// The seeded table's rows (wl-pg-server --rows, its default).
inline constexpr int kTableRows = 10000;

// Every query the database workloads send, by name: prepared once per connection (PQprepare),
// run with PQexecPrepared / PQsendQueryPrepared, parameters as text.
//
// db-query: the lecture's slow database call. The pause is a MATERIALIZED common table
// expression so that pg_sleep runs exactly once per query, whatever plan the rows get.
inline constexpr const char* kSlowQueryName = "slow_rows";
inline constexpr const char* kSlowQuery =
    "WITH pause AS MATERIALIZED (SELECT pg_sleep($1::float8)) "
    "SELECT id, payload FROM pause, items "
    "WHERE id >= $2::integer AND id < $2::integer + $3::integer ORDER BY id";
inline constexpr int kSlowQueryParams = 3;
// db-throughput: one indexed row.
inline constexpr const char* kLookupName = "lookup";
inline constexpr const char* kLookup = "SELECT payload FROM items WHERE id = $1::integer";
inline constexpr int kLookupParams = 1;

// The first id of db-query's query i (0-based) of `rows` rows: consecutive blocks, wrapping.
inline int slow_first_id(long i, int rows) {
  return 1 + static_cast<int>((i * rows) % (kTableRows - rows + 1));
}
// The id of db-throughput's lookup i: spread over the table (7919 is prime to 10000).
inline int lookup_id(long i) { return 1 + static_cast<int>((i * 7919) % kTableRows); }

inline std::string payload_of(int id) { return "item-" + std::to_string(id); }

// A libpq message as one line: the first non-empty line, trimmed ("FATAL:  password
// authentication failed for user \"bench\"" keeps its severity prefix as libpq wrote it).
inline std::string one_line(const char* message) {
  std::string_view s = message ? message : "";
  while (!s.empty()) {
    const auto nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!line.empty()) return std::string(line);
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return "(libpq gave no message)";
}

struct Target {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string user = "bench";
  std::string password = "bench";
  std::string dbname = "bench";

  // For PQconnectdb / PQconnectStart: a 10 s connect deadline, and every statement limited to
  // 30 s by the server, so that a database that stops answering fails the run instead of
  // hanging it.
  std::string conninfo() const {
    return "host=" + host + " port=" + std::to_string(port) + " user='" + escaped(user) +
           "' password='" + escaped(password) + "' dbname='" + escaped(dbname) +
           "' connect_timeout=10 options='-c statement_timeout=30000'";
  }
  // What an error names: "connect 127.0.0.1:5432 as bench".
  std::string where() const { return host + ":" + std::to_string(port) + " as " + user; }

 private:
  static std::string escaped(const std::string& v) {
    std::string out;
    for (const char c : v) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  }
};

// The options naming the server: declared by the constructor (before w.parse(); the object must
// live until then), checked by target() after it (a bad value: one line and exit 2, as parse()
// does). The server's address is not recorded as a parameter (a free port every run).
class TargetOptions {
 public:
  explicit TargetOptions(wl::Workload& w) {
    w.option("--host", m_t.host, "the database server's address (numeric IPv4)");
    w.option("--port", m_t.port, "the database server's port (required)", wl::range(1, 65535));
    w.option("--user", m_t.user, "the role to connect as");
    w.option("--password", m_t.password, "its password");
    w.option("--dbname", m_t.dbname, "the database");
  }
  TargetOptions(const TargetOptions&) = delete;
  TargetOptions& operator=(const TargetOptions&) = delete;

  Target target(wl::Workload& w) const {
    in_addr a{};
    if (::inet_pton(AF_INET, m_t.host.c_str(), &a) != 1) bad(w, "--host: not a numeric IPv4 address: '" + m_t.host + "'");
    if (m_t.port == 0) bad(w, "--port is required (the database server's port)");
    return m_t;
  }

 private:
  [[noreturn]] static void bad(wl::Workload& w, const std::string& what) {
    std::fprintf(stderr, "%s: %s\n", w.program_name(), what.c_str());
    std::exit(2);
  }
  Target m_t;
};

struct ConnDeleter {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// The checks of one result. Each returns "" when the result is right, else what is wrong (one
// line, without the query's number: the caller adds it).
//
// db-query: exactly `rows` rows, ids first, first + 1, ... in order, each payload 'item-<id>'.
inline std::string check_slow_rows(const PGresult* r, int first, int rows) {
  if (PQresultStatus(r) != PGRES_TUPLES_OK) return one_line(PQresultErrorMessage(r));
  if (PQnfields(r) != 2) return std::to_string(PQnfields(r)) + " columns, not 2";
  if (PQntuples(r) != rows)
    return std::to_string(PQntuples(r)) + " rows, not " + std::to_string(rows);
  for (int k = 0; k < rows; ++k) {
    const std::string id = PQgetvalue(r, k, 0);
    const int want = first + k;
    if (id != std::to_string(want)) return "row " + std::to_string(k) + " has id " + id + ", not " + std::to_string(want);
    if (std::string_view(PQgetvalue(r, k, 1)) != payload_of(want))
      return "row " + std::to_string(want) + " has payload '" + PQgetvalue(r, k, 1) + "'";
  }
  return {};
}

// db-throughput: one row, one column, payload 'item-<id>'.
inline std::string check_lookup(const PGresult* r, int id) {
  if (PQresultStatus(r) != PGRES_TUPLES_OK) return one_line(PQresultErrorMessage(r));
  if (PQntuples(r) != 1 || PQnfields(r) != 1)
    return std::to_string(PQntuples(r)) + " rows of " + std::to_string(PQnfields(r)) + " columns, not 1 of 1";
  if (std::string_view(PQgetvalue(r, 0, 0)) != payload_of(id))
    return "id " + std::to_string(id) + " has payload '" + PQgetvalue(r, 0, 0) + "'";
  return {};
}

// The text parameters of db-query's query i and of db-throughput's lookup i, kept alive while
// libpq reads them.
struct SlowParams {
  std::string delay_s, first, rows;
  const char* values[kSlowQueryParams];
  SlowParams(double delay, int first_id, int n)
      : delay_s(std::to_string(delay)), first(std::to_string(first_id)), rows(std::to_string(n)),
        values{delay_s.c_str(), first.c_str(), rows.c_str()} {}
  SlowParams(const SlowParams&) = delete;
  SlowParams& operator=(const SlowParams&) = delete;
};
struct LookupParams {
  std::string id;
  const char* values[kLookupParams];
  explicit LookupParams(int i) : id(std::to_string(i)), values{id.c_str()} {}
  LookupParams(const LookupParams&) = delete;
  LookupParams& operator=(const LookupParams&) = delete;
};

// A blocking connection (PQconnectdb), with both statements prepared; throws
// std::runtime_error("connect 127.0.0.1:5432 as bench: <libpq's first line>").
inline Conn connect_blocking(const Target& t) {
  Conn c(PQconnectdb(t.conninfo().c_str()));
  if (!c) throw std::runtime_error("connect " + t.where() + ": out of memory");
  if (PQstatus(c.get()) != CONNECTION_OK)
    throw std::runtime_error("connect " + t.where() + ": " + one_line(PQerrorMessage(c.get())));
  for (const auto& [name, sql, n] : {std::tuple{kSlowQueryName, kSlowQuery, kSlowQueryParams},
                                     std::tuple{kLookupName, kLookup, kLookupParams}}) {
    Result r(PQprepare(c.get(), name, sql, n, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
      throw std::runtime_error(std::string("prepare ") + name + ": " +
                               one_line(PQresultErrorMessage(r.get())));
  }
  return c;
}

// A blocking run of db-query's query i on `c` (PQexecPrepared), checked; throws
// std::runtime_error("query 3: <what was wrong>").
inline void slow_query_blocking(PGconn* c, long i, double delay_s, int rows) {
  const int first = slow_first_id(i, rows);
  const SlowParams p(delay_s, first, rows);
  Result r(PQexecPrepared(c, kSlowQueryName, kSlowQueryParams, p.values, nullptr, nullptr, 0));
  const std::string wrong = r ? check_slow_rows(r.get(), first, rows) : one_line(PQerrorMessage(c));
  if (!wrong.empty()) throw std::runtime_error("query " + std::to_string(i) + ": " + wrong);
}

// A blocking lookup i on `c`, checked; throws std::runtime_error("lookup 3: ...").
inline void lookup_blocking(PGconn* c, long i) {
  const int id = lookup_id(i);
  const LookupParams p(id);
  Result r(PQexecPrepared(c, kLookupName, kLookupParams, p.values, nullptr, nullptr, 0));
  const std::string wrong = r ? check_lookup(r.get(), id) : one_line(PQerrorMessage(c));
  if (!wrong.empty()) throw std::runtime_error("lookup " + std::to_string(i) + ": " + wrong);
}

// This process's user + system CPU so far, its reaped children's included (the processes
// model's workers), in seconds.
inline double cpu_seconds() {
  double s = 0;
  for (const int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    ::getrusage(who, &u);
    s += double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }
  return s;
}

// The blocking models' queries that go in waves (a pool of k connections, k workers): once one
// has failed, those not started yet are skipped, as gather's remaining tasks are cancelled, so
// that a dead server fails the run after one failure rather than one per wave (http::FailFast's
// way). Lock-free: shared by threads, and by processes when it lives in MAP_SHARED memory.
class FailFast {
 public:
  // Runs `query` and returns true, unless a query of the run has failed already: then false at
  // once. A failure is recorded, then rethrown.
  template <class Query>
  bool run(Query&& query) {
    if (failed()) return false;
    try {
      query();
      return true;
    } catch (...) {
      fail();
      throw;
    }
  }
  bool failed() const noexcept { return m_failed.load(std::memory_order_relaxed); }
  void fail() noexcept { m_failed.store(true, std::memory_order_relaxed); }

 private:
  static_assert(std::atomic<bool>::is_always_lock_free, "FailFast must work in shared memory");
  std::atomic<bool> m_failed{false};
};

// The threadpool models' connections: each worker thread's own, as concurrent.futures'
// initializer with a threading.local gives one. Set by connect_workers, closed (PQfinish) when
// the worker ends.
inline thread_local Conn worker_connection;

// Opens worker_connection on every worker of `pool` (a wl::ThreadPool with nothing queued), on
// the workers themselves and all at once; returns when all are open, or rethrows the first
// failure once every worker has tried. A worker that has tried waits until all the others have
// started, so that each worker runs exactly one of the connects.
template <class Pool>
void connect_workers(Pool& pool, const Target& t) {
  std::latch started(static_cast<std::ptrdiff_t>(pool.size()));
  const auto connect = [&] {
    std::exception_ptr failed;
    try {
      worker_connection = connect_blocking(t);
    } catch (...) {
      failed = std::current_exception();
    }
    started.arrive_and_wait();
    if (failed) std::rethrow_exception(failed);
  };
  std::vector<decltype(pool.submit(connect))> done;
  for (unsigned i = 0; i < pool.size(); ++i) done.push_back(pool.submit(connect));
  for (auto& f : done) f.wait();  // every connect has ended before `started` goes
  for (auto& f : done) f.get();
}


// --- For the event-loop models' drivers (pg_client_aio.hpp, pg_client_uv.hpp, pg_client_asio.hpp),
// which drive libpq's non-blocking calls themselves. ---

// How long opening a connection may take, in seconds: conninfo()'s connect_timeout, which libpq
// enforces only in its blocking PQconnectdb, so the non-blocking drivers keep it on their loop's
// clock (the connect and both prepares).
inline int connect_timeout_s() { return 10; }

// The statements every connection prepares, in connect_blocking's order: k = 0 .. count - 1.
inline int prepared_statement_count() { return 2; }
inline std::tuple<const char*, const char*, int> prepared_statement(int k) {
  return k == 0 ? std::tuple{kSlowQueryName, kSlowQuery, kSlowQueryParams}
                : std::tuple{kLookupName, kLookup, kLookupParams};
}

// What a failed connect says: "connect 127.0.0.1:5432 as bench: <what>".
inline std::string connect_failure(const Target& t, const std::string& what) {
  return "connect " + t.where() + ": " + what;
}

// The prepare of statement `name` ended with `r` (null: libpq failed, PQerrorMessage(c) says
// why); "" if it was prepared, else what is wrong as connect_blocking says it:
// "prepare slow_rows: <libpq's first line>".
inline std::string prepare_failure(PGconn* c, const PGresult* r, const char* name) {
  if (r && PQresultStatus(r) == PGRES_COMMAND_OK) return {};
  return std::string("prepare ") + name + ": " +
         one_line(r ? PQresultErrorMessage(r) : PQerrorMessage(c));
}

// The results of one command as PQgetResult gives them in turn, kept as PQexec keeps them: the
// last one, unless an earlier one failed (its error is what the command says).
inline void keep_result(Result& kept, PGresult* next) {
  if (kept && PQresultStatus(kept.get()) == PGRES_FATAL_ERROR) {
    PQclear(next);
    return;
  }
  kept.reset(next);
}

// PQconsumeInput failed (the server closed the connection, a socket error) while a command's
// results were coming: an error result already in says it best ("FATAL:  terminating connection
// due to administrator command"), anything else is dropped (null: PQerrorMessage says why).
inline Result input_failed(Result kept) {
  if (kept && PQresultStatus(kept.get()) != PGRES_FATAL_ERROR) kept.reset();
  return kept;
}

// The checks of a non-blocking run, as slow_query_blocking and lookup_blocking make them: `r` is
// the result of query (lookup) i on `c`, null when libpq failed (PQerrorMessage(c) says why).
// Throw std::runtime_error("query 3: <what was wrong>") ("lookup 3: ...").
inline void check_slow_result(PGconn* c, const PGresult* r, long i, int rows) {
  const std::string wrong =
      r ? check_slow_rows(r, slow_first_id(i, rows), rows) : one_line(PQerrorMessage(c));
  if (!wrong.empty()) throw std::runtime_error("query " + std::to_string(i) + ": " + wrong);
}
inline void check_lookup_result(PGconn* c, const PGresult* r, long i) {
  const std::string wrong = r ? check_lookup(r, lookup_id(i)) : one_line(PQerrorMessage(c));
  if (!wrong.empty()) throw std::runtime_error("lookup " + std::to_string(i) + ": " + wrong);
}

}  // namespace pg
