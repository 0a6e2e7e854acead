// One fetch on libuv (model libuv), written the way libuv's guide writes a TCP client (uvbook,
// "Networking"): uv_tcp_connect with a uv_connect_t, uv_write of the request, uv_read_start with
// an alloc callback, and a uv_timer_t as the deadline. Where the guide mallocs a buffer for every
// read, the alloc callback here hands out the fetch's own buffer each time: the reads of one
// connection come one after another, and the ResponseParser has taken each one's bytes before
// the next.
//
// A Fetch is a plain struct of libuv handles and requests, its callbacks C functions that find
// it through `data`, as in libuv's examples. start() opens the connection; the fetch is over when
// the response is complete, a step fails, or the deadline passes. Then both handles are closed,
// and once they are, `on_done` runs with `body_bytes` or `error` set; the Fetch may then be
// started again (the scraper's next URL) or freed.
#pragma once

#include <csignal>
#include <optional>
#include <string>

#include "common/uv.hpp"
#include "http_client.hpp"

namespace http::uv {

struct Fetch {
  // Set before start(); `data` is the caller's.
  const Target* target = nullptr;
  const std::string* request = nullptr;  // target->request(), alive until on_done
  void (*on_done)(Fetch*) = nullptr;
  void* data = nullptr;

  // When on_done runs: the body's size, or (not empty) what went wrong, "GET <url>: ...".
  std::size_t body_bytes = 0;
  std::string error;

  uv_tcp_t tcp;
  uv_connect_t connect_req;
  uv_write_t write_req;
  uv_timer_t timer;
  std::optional<ResponseParser> response;
  bool over = false;
  int open_handles = 0;
  char buf[kReadBufferSize];
};

namespace detail {

inline Fetch* fetch_of(void* handle) {
  return static_cast<Fetch*>(static_cast<uv_handle_t*>(handle)->data);
}

inline void on_closed(uv_handle_t* handle) {
  Fetch* f = fetch_of(handle);
  if (--f->open_handles == 0) f->on_done(f);
}

// Ends the fetch, successfully when `error` is empty. Only the first call counts: closing the
// connection completes a pending connect or write with UV_ECANCELED, whose callback ends up here.
inline void finish(Fetch* f, const std::string& error) {
  if (f->over) return;
  f->over = true;
  if (error.empty())
    f->body_bytes = f->response->body_bytes();
  else
    f->error = Error(*f->target, error).what();
  uv_close(reinterpret_cast<uv_handle_t*>(&f->timer), on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&f->tcp), on_closed);
}

inline std::string failed(const char* step, long status) {
  return std::string(step) + ": " + uv_strerror(static_cast<int>(status));
}

inline void alloc_buffer(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  Fetch* f = fetch_of(handle);
  *buf = uv_buf_init(f->buf, sizeof f->buf);
}

inline void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  Fetch* f = fetch_of(stream);
  try {
    if (nread > 0) {
      if (f->response->feed(buf->base, static_cast<std::size_t>(nread))) finish(f, {});
    } else if (nread == UV_EOF) {
      f->response->end_of_stream();
      finish(f, {});
    } else if (nread < 0) {
      finish(f, failed("recv", nread));
    }
  } catch (const std::exception& e) {
    finish(f, e.what());
  }
}

inline void on_write(uv_write_t* req, int status) {
  if (status < 0) finish(fetch_of(req->handle), failed("send", status));
}

inline void on_connect(uv_connect_t* req, int status) {
  Fetch* f = static_cast<Fetch*>(req->data);
  if (status < 0) return finish(f, failed("connect", status));
  uv_tcp_nodelay(&f->tcp, 1);
  // The request string outlives the write (it is the run's), so it needs no copy.
  uv_buf_t out =
      uv_buf_init(const_cast<char*>(f->request->data()), static_cast<unsigned>(f->request->size()));
  if (const int r = uv_write(&f->write_req, req->handle, &out, 1, on_write); r < 0)
    return finish(f, failed("send", r));
  uv_read_start(req->handle, alloc_buffer, on_read);
}

inline void on_timeout(uv_timer_t* timer) { finish(fetch_of(timer), timeout_text()); }

}  // namespace detail

// libuv writes with write(2), not send(MSG_NOSIGNAL), and leaves SIGPIPE to the program (Node
// ignores it): without this a server that resets a connection before the request is written
// would kill the client.
inline void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

// Starts fetching f->target's page on `loop`: f->on_done(f) runs once it is over.
inline void start(Fetch* f, uv_loop_t* loop) {
  f->over = false;
  f->body_bytes = 0;
  f->error.clear();
  f->response.emplace(f->target->bytes);
  f->open_handles = 2;
  uv_tcp_init(loop, &f->tcp);
  uv_timer_init(loop, &f->timer);
  f->tcp.data = f;
  f->timer.data = f;
  f->connect_req.data = f;
  uv_timer_start(&f->timer, detail::on_timeout,
                 static_cast<std::uint64_t>(std::chrono::milliseconds(kTimeout).count()), 0);
  sockaddr_in addr{};
  int r = uv_ip4_addr(f->target->host.c_str(), f->target->port, &addr);
  if (r == 0)
    r = uv_tcp_connect(&f->connect_req, &f->tcp, reinterpret_cast<const sockaddr*>(&addr),
                       detail::on_connect);
  if (r < 0) detail::finish(f, detail::failed("connect", r));
}

}  // namespace http::uv
