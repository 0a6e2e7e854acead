// libpq on aio (models aio-epoll and aio-uring): its non-blocking calls driven by coroutines, as
// aio/ready.hpp shows, the way asyncpg's or psycopg's async connections wait on their socket.
// aio_connect: PQconnectStart, then PQconnectPoll, awaiting the socket as each step asks
// (aio::wait_readable / wait_writable on PQsocket, which may change from step to step), both
// statements prepared (PQsendPrepare), all under aio::wait_for with pg::connect_timeout_s().
// aio_exec: PQsendQueryPrepared, PQflush until all is sent (awaiting writable), then awaiting
// readable and PQconsumeInput until !PQisBusy, and PQgetResult until it returns null.
#pragma once

#include <aio/aio.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <tuple>

#include "pg_workload.hpp"

namespace pg {

namespace detail {

// The results of the command just sent on `c` (PQsendPrepare, PQsendQueryPrepared), as
// keep_result keeps them; null when libpq failed without one (PQerrorMessage(c) says why).
inline aio::Task<Result> aio_results(PGconn* c) {
  for (;;) {
    const int flushed = PQflush(c);
    if (flushed == 0) break;
    if (flushed < 0) co_return Result();
    co_await aio::wait_writable(PQsocket(c));
  }
  Result kept;
  for (;;) {
    while (PQisBusy(c)) {
      co_await aio::wait_readable(PQsocket(c));
      if (!PQconsumeInput(c)) co_return input_failed(std::move(kept));
    }
    PGresult* r = PQgetResult(c);
    if (r == nullptr) co_return kept;
    keep_result(kept, r);
  }
}

inline aio::Task<Conn> aio_open(const Target& t) {
  Conn c(PQconnectStart(t.conninfo().c_str()));
  if (!c) throw std::runtime_error(connect_failure(t, "out of memory"));
  if (PQstatus(c.get()) == CONNECTION_BAD)
    throw std::runtime_error(connect_failure(t, one_line(PQerrorMessage(c.get()))));
  // Before the first PQconnectPoll, libpq's documentation says: as if it had asked for writing.
  for (PostgresPollingStatusType step = PGRES_POLLING_WRITING; step != PGRES_POLLING_OK;
       step = PQconnectPoll(c.get())) {
    if (step == PGRES_POLLING_FAILED)
      throw std::runtime_error(connect_failure(t, one_line(PQerrorMessage(c.get()))));
    const int fd = PQsocket(c.get());  // read anew each step: libpq may have opened another
    if (step == PGRES_POLLING_READING)
      co_await aio::wait_readable(fd);
    else
      co_await aio::wait_writable(fd);
  }
  if (PQsetnonblocking(c.get(), 1) != 0)
    throw std::runtime_error(connect_failure(t, one_line(PQerrorMessage(c.get()))));
  for (int k = 0; k < prepared_statement_count(); ++k) {
    const auto [name, sql, n] = prepared_statement(k);
    Result r;
    if (PQsendPrepare(c.get(), name, sql, n, nullptr)) r = co_await aio_results(c.get());
    if (const std::string wrong = prepare_failure(c.get(), r.get(), name); !wrong.empty())
      throw std::runtime_error(wrong);
  }
  co_return c;
}

}  // namespace detail

// A connection to `t`, non-blocking (PQsetnonblocking), with both statements prepared. Throws
// std::runtime_error("connect 127.0.0.1:5432 as bench: <libpq's first line>", "... timeout
// expired" after pg::connect_timeout_s(); a failed prepare: "prepare slow_rows: ..."). A
// cancellation passes through as aio::CancelledError, the half-open connection closed.
inline aio::Task<Conn> aio_connect(const Target& t) {
  try {
    co_return co_await aio::wait_for(detail::aio_open(t), std::chrono::seconds(connect_timeout_s()));
  } catch (const aio::TimeoutError&) {
    throw std::runtime_error(connect_failure(t, "timeout expired"));
  }
}

// Runs prepared statement `name` on `c` (open, idle) with `n` text parameters `values`, which
// must live until it is over. Returns its result (check it: an error is a result too), or null
// when libpq failed without one (PQerrorMessage(c) says why): pg::check_slow_result and
// pg::check_lookup_result take both.
inline aio::Task<Result> aio_exec(PGconn* c, const char* name, int n, const char* const* values) {
  if (!PQsendQueryPrepared(c, name, n, values, nullptr, nullptr, 0)) co_return Result();
  co_return co_await detail::aio_results(c);
}

}  // namespace pg
