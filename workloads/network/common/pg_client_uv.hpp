// libpq on libuv (model libuv): its non-blocking calls driven by a uv_poll_t on the connection's
// socket (libuv's documentation: poll handles are there "to enable integrating external libraries
// that rely on the event loop to signal it about the socket status changes"), a callback state
// machine as libuv's examples are written, and a uv_timer_t as the open's deadline.
//
// A Client is a plain struct of one PGconn and its handles, its callbacks C functions that find
// it through `data`. open() connects (PQconnectStart, then PQconnectPoll whenever the socket is as
// the last step asked: PGRES_POLLING_READING or WRITING) and prepares both statements
// (PQsendPrepare), within pg::connect_timeout_s(); then `on_open` runs. exec() runs one prepared
// statement (PQsendQueryPrepared, PQflush until all is sent, then PQconsumeInput whenever the
// socket is readable until !PQisBusy, and PQgetResult until null); then `on_result` runs. close()
// closes the handles and the connection; the Client must stay where it is until the loop has run
// the close callbacks (uv_run returns).
//
// libpq may close its socket and open another during the connect (PQsocket changes; the new one
// may well get the same number). The poll is therefore stopped before each PQconnectPoll (libuv
// must not poll a descriptor that is being closed) and started again after it, which registers
// the descriptor anew; when the number changes the handle is closed and a new one made for it
// (a uv_poll_t cannot change its descriptor, and its memory is libuv's until its close callback,
// so each is allocated on its own and freed there).
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <tuple>

#include "common/uv.hpp"
#include "pg_workload.hpp"

namespace pg::uv {

struct Client {
  // Set before open(); `data` is the caller's.
  const Target* target = nullptr;
  void (*on_open)(Client*) = nullptr;    // open() is over: connected if `error` is empty
  void (*on_result)(Client*) = nullptr;  // exec() is over: `result`, unless `error` says why not
  void* data = nullptr;

  // When on_open / on_result runs: what went wrong as one line, or empty. For on_open the whole
  // line ("connect 127.0.0.1:5432 as bench: ...", "prepare slow_rows: ..."); for on_result why
  // there is no result (libpq's message, or libuv's), the caller adds the query. `result`: the
  // statement's result, to check (an error is a result too).
  std::string error;
  Result result;
  PGconn* conn() const noexcept { return pg.get(); }

  // The driver's own.
  enum class Step { closed, connecting, sending, receiving, idle };
  Conn pg;
  uv_loop_t* loop = nullptr;
  uv_poll_t* poll = nullptr;  // on poll_fd, PQsocket's descriptor when it was made
  int poll_fd = -1;
  uv_timer_t deadline;
  bool deadline_open = false;
  Step step = Step::closed;
  int prepared = -1;  // while opening: the statements prepared so far; -1 once open
};

namespace detail {

inline Client* client_of(void* handle) {
  return static_cast<Client*>(static_cast<uv_handle_t*>(handle)->data);
}

inline void free_poll(uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); }

inline void close_poll(Client* c) {
  if (c->poll == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(c->poll), free_poll);  // stops it now, frees it later
  c->poll = nullptr;
  c->poll_fd = -1;
}

inline void stop_poll(Client* c) {
  if (c->poll != nullptr) uv_poll_stop(c->poll);
}

// Ends open(): `error` empty when the connection is ready. The callback is the last thing done.
inline void open_over(Client* c, const std::string& error) {
  stop_poll(c);
  if (c->deadline_open) uv_timer_stop(&c->deadline);
  c->error = error;
  c->step = error.empty() ? Client::Step::idle : Client::Step::closed;
  if (error.empty()) c->prepared = -1;
  c->on_open(c);
}

inline std::string uv_failure(const char* what, int rc) {
  return std::string(what) + ": " + uv_strerror(rc);
}

inline void on_poll(uv_poll_t* handle, int status, int events);

// Calls on_poll once PQsocket is ready for `events` (UV_READABLE or UV_WRITABLE). Returns what
// went wrong, or "".
inline std::string watch(Client* c, int events) {
  const int fd = PQsocket(c->conn());
  if (fd < 0) return "libpq has no socket";
  if (c->poll != nullptr && c->poll_fd != fd) close_poll(c);
  if (c->poll == nullptr) {
    auto* poll = new uv_poll_t;
    if (const int rc = uv_poll_init(c->loop, poll, fd); rc < 0) {
      delete poll;  // not a handle yet: libuv checks the descriptor before it registers anything
      return uv_failure("uv_poll_init", rc);
    }
    poll->data = c;
    c->poll = poll;
    c->poll_fd = fd;
  }
  if (const int rc = uv_poll_start(c->poll, events, on_poll); rc < 0)
    return uv_failure("uv_poll_start", rc);
  return {};
}

inline void prepare_next(Client* c);

// The command just sent is over with `r` (null: libpq failed without a result).
inline void command_over(Client* c, Result r) {
  stop_poll(c);
  c->step = Client::Step::idle;
  if (c->prepared >= 0) {  // opening: it was a prepare
    const auto name = std::get<0>(prepared_statement(c->prepared));
    if (std::string wrong = prepare_failure(c->conn(), r.get(), name); !wrong.empty())
      return open_over(c, wrong);
    ++c->prepared;
    return prepare_next(c);
  }
  c->result = std::move(r);
  c->error = c->result ? std::string() : one_line(PQerrorMessage(c->conn()));
  c->on_result(c);
}

// A command's step failed in libuv, not in libpq.
inline void command_failed(Client* c, const std::string& what) {
  stop_poll(c);
  c->step = Client::Step::idle;
  if (c->prepared >= 0) return open_over(c, connect_failure(*c->target, what));
  c->result.reset();
  c->error = what;
  c->on_result(c);
}

// Takes the results that are in; waits for the socket while libpq needs more input.
inline void collect(Client* c, Result kept) {
  while (!PQisBusy(c->conn())) {
    PGresult* r = PQgetResult(c->conn());
    if (r == nullptr) return command_over(c, std::move(kept));
    keep_result(kept, r);
  }
  c->result = std::move(kept);  // held here until the rest comes
  c->step = Client::Step::receiving;
  if (std::string wrong = watch(c, UV_READABLE); !wrong.empty()) command_failed(c, wrong);
}

inline void receive(Client* c) {
  Result kept = std::move(c->result);
  if (!PQconsumeInput(c->conn())) return command_over(c, input_failed(std::move(kept)));
  collect(c, std::move(kept));
}

// Sends what libpq still holds of the command, then collects its results.
inline void flush(Client* c) {
  const int flushed = PQflush(c->conn());
  if (flushed < 0) return command_over(c, Result());
  if (flushed == 0) return collect(c, Result());
  c->step = Client::Step::sending;
  if (std::string wrong = watch(c, UV_WRITABLE); !wrong.empty()) command_failed(c, wrong);
}

// One PQconnectPoll step, the poll stopped around it (see the file's comment).
inline void connect_step(Client* c) {
  stop_poll(c);
  const PostgresPollingStatusType step = PQconnectPoll(c->conn());
  if (step == PGRES_POLLING_OK) {
    if (PQsetnonblocking(c->conn(), 1) != 0)
      return open_over(c, connect_failure(*c->target, one_line(PQerrorMessage(c->conn()))));
    c->prepared = 0;
    return prepare_next(c);
  }
  if (step == PGRES_POLLING_FAILED)
    return open_over(c, connect_failure(*c->target, one_line(PQerrorMessage(c->conn()))));
  if (std::string wrong = watch(c, step == PGRES_POLLING_READING ? UV_READABLE : UV_WRITABLE);
      !wrong.empty())
    open_over(c, connect_failure(*c->target, wrong));
}

inline void prepare_next(Client* c) {
  if (c->prepared == prepared_statement_count()) return open_over(c, {});
  const auto [name, sql, n] = prepared_statement(c->prepared);
  if (!PQsendPrepare(c->conn(), name, sql, n, nullptr)) return command_over(c, Result());
  flush(c);
}

// An error on the socket (libuv: UV_EBADF for POLLERR, a refused connect, a reset) is left to
// libpq, which reads it on its next call and says what it was.
inline void on_poll(uv_poll_t* handle, int, int) {
  Client* c = client_of(handle);
  switch (c->step) {
    case Client::Step::connecting:
      return connect_step(c);
    case Client::Step::sending:
      return flush(c);
    case Client::Step::receiving:
      return receive(c);
    case Client::Step::idle:
    case Client::Step::closed:
      uv_poll_stop(handle);
      return;
  }
}

inline void on_deadline(uv_timer_t* timer) {
  Client* c = client_of(timer);
  open_over(c, connect_failure(*c->target, "timeout expired"));
}

}  // namespace detail

// Opens a connection to *c->target on `loop`: c->on_open(c) runs once it is ready or has failed
// (then close() it). May run on_open before it returns, when libpq refuses at once.
inline void open(Client* c, uv_loop_t* loop) {
  c->loop = loop;
  c->error.clear();
  c->result.reset();
  c->prepared = 0;
  c->step = Client::Step::connecting;
  if (!c->deadline_open) {
    uv_timer_init(loop, &c->deadline);
    c->deadline.data = c;
    c->deadline_open = true;
  }
  c->pg.reset(PQconnectStart(c->target->conninfo().c_str()));
  if (!c->pg) return detail::open_over(c, connect_failure(*c->target, "out of memory"));
  if (PQstatus(c->conn()) == CONNECTION_BAD)
    return detail::open_over(c, connect_failure(*c->target, one_line(PQerrorMessage(c->conn()))));
  uv_timer_start(&c->deadline, detail::on_deadline,
                 static_cast<std::uint64_t>(connect_timeout_s()) * 1000, 0);
  // Before the first PQconnectPoll, libpq's documentation says: as if it had asked for writing.
  if (std::string wrong = detail::watch(c, UV_WRITABLE); !wrong.empty())
    detail::open_over(c, connect_failure(*c->target, wrong));
}

// Runs prepared statement `name` on the open, idle connection with `n` text parameters `values`
// (alive until on_result): c->on_result(c) runs once it is over. May run on_result before it
// returns, when libpq refuses the query at once (a connection already lost).
inline void exec(Client* c, const char* name, int n, const char* const* values) {
  c->error.clear();
  c->result.reset();
  if (!PQsendQueryPrepared(c->conn(), name, n, values, nullptr, nullptr, 0))
    return detail::command_over(c, Result());
  detail::flush(c);
}

// Closes the handles (their memory is freed or let go by their close callbacks, on the loop) and
// the connection (PQfinish), whatever step it is in; no callback of it runs after. Idempotent.
inline void close(Client* c) {
  detail::close_poll(c);  // before PQfinish closes the descriptor it polls
  if (c->deadline_open) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->deadline), nullptr);
    c->deadline_open = false;
  }
  c->pg.reset();
  c->result.reset();
  c->step = Client::Step::closed;
}

}  // namespace pg::uv
