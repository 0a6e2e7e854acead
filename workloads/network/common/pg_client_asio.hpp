// libpq on Boost.Asio (model asio) with C++20 coroutines: its non-blocking calls driven by a
// posix::stream_descriptor on the connection's socket, used only to wait: async_wait with
// wait_read / wait_write and use_awaitable, the reactor-style operations that Asio's overview
// offers for "a third-party library that wants to perform the I/O operations itself".
//
// AsioConnection::open connects (PQconnectStart, then PQconnectPoll whenever the socket is as
// the last step asked) and prepares both statements (PQsendPrepare); exec runs one prepared
// statement (PQsendQueryPrepared, PQflush until all is sent, then PQconsumeInput whenever the
// socket is readable until !PQisBusy, and PQgetResult until null). The open's deadline is Asio's
// own timeout idiom (its timeouts examples, as network/common/http_client_asio.hpp does): a
// steady_timer that cancels the pending wait when it fires. Boost 1.74 has no awaitable
// operators yet to race the two instead.
//
// The descriptor stays libpq's: Asio is never let close it. During the connect libpq may close
// its socket and open another (PQsocket changes; the new one may well get the same number), so
// the descriptor is assigned to Asio only for each wait and released before the next
// PQconnectPoll; once open it stays assigned until close(), which releases it before PQfinish.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>

#include "common/asio.hpp"
#include "pg_workload.hpp"

namespace pg {

class AsioConnection {
 public:
  explicit AsioConnection(const boost::asio::any_io_executor& ex) : m_socket(ex) {}
  ~AsioConnection() { close(); }
  AsioConnection(AsioConnection&&) = default;  // only before open()
  AsioConnection(const AsioConnection&) = delete;
  AsioConnection& operator=(const AsioConnection&) = delete;

  PGconn* get() const noexcept { return m_conn.get(); }

  // Connects to `t`, non-blocking (PQsetnonblocking), with both statements prepared, within
  // pg::connect_timeout_s(). Throws std::runtime_error("connect 127.0.0.1:5432 as bench:
  // <libpq's first line>", "... timeout expired"; a failed prepare: "prepare slow_rows: ...").
  boost::asio::awaitable<void> open(const Target& t) {
    namespace asio = boost::asio;
    // Shared with the timer's handler, which may run after this coroutine has finished.
    struct Deadline {
      AsioConnection* connection = nullptr;  // null once the open is over
      bool expired = false;
    };
    const auto deadline = std::make_shared<Deadline>(Deadline{this});
    asio::steady_timer timer(m_socket.get_executor(), std::chrono::seconds(connect_timeout_s()));
    timer.async_wait([deadline](const boost::system::error_code& ec) {
      if (ec || deadline->connection == nullptr) return;  // cancelled, or too late
      deadline->expired = true;
      boost::system::error_code ignored;  // not thrown out of io_context::run
      deadline->connection->m_socket.cancel(ignored);  // the wait ends with operation_aborted
    });
    struct Over {  // however open() ends
      Deadline& d;
      ~Over() { d.connection = nullptr; }
    } over{*deadline};
    const auto failed = [&](const std::string& what) {
      return std::runtime_error(
          connect_failure(t, deadline->expired ? std::string("timeout expired") : what));
    };

    m_conn.reset(PQconnectStart(t.conninfo().c_str()));
    if (!m_conn) throw failed("out of memory");
    PGconn* const c = m_conn.get();
    if (PQstatus(c) == CONNECTION_BAD) throw failed(one_line(PQerrorMessage(c)));
    // Before the first PQconnectPoll, libpq's documentation says: as if it had asked for writing.
    for (PostgresPollingStatusType step = PGRES_POLLING_WRITING; step != PGRES_POLLING_OK;
         step = PQconnectPoll(c)) {
      if (step == PGRES_POLLING_FAILED) throw failed(one_line(PQerrorMessage(c)));
      boost::system::error_code ec;
      m_socket.assign(PQsocket(c), ec);  // read anew each step: libpq may have opened another
      if (ec) throw failed("assign: " + ec.message());
      co_await m_socket.async_wait(step == PGRES_POLLING_READING ? asio::posix::descriptor::wait_read
                                                                 : asio::posix::descriptor::wait_write,
                                   asio::redirect_error(asio::use_awaitable, ec));
      m_socket.release();  // before PQconnectPoll may close it
      if (ec) throw failed("wait: " + ec.message());
    }
    if (PQsetnonblocking(c, 1) != 0) throw failed(one_line(PQerrorMessage(c)));
    boost::system::error_code ec;
    m_socket.assign(PQsocket(c), ec);
    if (ec) throw failed("assign: " + ec.message());
    for (int k = 0; k < prepared_statement_count(); ++k) {
      const auto [name, sql, n] = prepared_statement(k);
      Result r;
      if (PQsendPrepare(c, name, sql, n, nullptr)) r = co_await results(&deadline->expired);
      if (deadline->expired) throw failed({});
      if (const std::string wrong = prepare_failure(c, r.get(), name); !wrong.empty())
        throw std::runtime_error(wrong);
    }
  }

  // Runs prepared statement `name` with `n` text parameters `values`, which must live until it
  // is over. Returns its result (check it: an error is a result too), or null when libpq failed
  // without one (PQerrorMessage(get()) says why): pg::check_slow_result and
  // pg::check_lookup_result take both.
  boost::asio::awaitable<Result> exec(const char* name, int n, const char* const* values) {
    if (!PQsendQueryPrepared(m_conn.get(), name, n, values, nullptr, nullptr, 0))
      co_return Result();
    co_return co_await results(nullptr);
  }

  // Releases the descriptor (Asio forgets it; a pending wait ends with operation_aborted), then
  // closes the connection (PQfinish). Idempotent.
  void close() noexcept {
    if (m_socket.is_open()) m_socket.release();
    m_conn.reset();
  }

 private:
  // The results of the command just sent, as keep_result keeps them; null when libpq failed
  // without one (PQerrorMessage says why), or when open()'s deadline cancelled the wait
  // (`*cancelled` set; exec has no deadline: null).
  boost::asio::awaitable<Result> results(const bool* cancelled) {
    namespace asio = boost::asio;
    PGconn* const c = m_conn.get();
    boost::system::error_code ec;
    for (;;) {
      const int flushed = PQflush(c);
      if (flushed == 0) break;
      if (flushed < 0) co_return Result();
      co_await m_socket.async_wait(asio::posix::descriptor::wait_write,
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (cancelled && *cancelled) co_return Result();
      if (ec) throw boost::system::system_error(ec, "async_wait");
    }
    Result kept;
    for (;;) {
      while (PQisBusy(c)) {
        co_await m_socket.async_wait(asio::posix::descriptor::wait_read,
                                     asio::redirect_error(asio::use_awaitable, ec));
        if (cancelled && *cancelled) co_return Result();
        if (ec) throw boost::system::system_error(ec, "async_wait");
        if (!PQconsumeInput(c)) co_return input_failed(std::move(kept));
      }
      PGresult* r = PQgetResult(c);
      if (r == nullptr) co_return kept;
      keep_result(kept, r);
    }
  }

  boost::asio::posix::stream_descriptor m_socket;
  Conn m_conn;
};

}  // namespace pg
