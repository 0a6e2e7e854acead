// The echo server on libuv (model `libuv`), written as libuv's own guide writes one (uvbook's
// tcp-echo-server): uv_listen on a uv_tcp_t, uv_accept into a uv_tcp_t per connection,
// uv_read_start with an alloc callback, and every read handed back with uv_write, all on the
// default loop.
//
// One change from the guide: where it mallocs a fresh buffer for every read and a write request
// that frees it, each connection here owns one echo::kBufferSize buffer and one uv_write_t, reused
// for the whole connection. Each read is first written back with uv_try_write, which sends at
// once when the socket has room (almost always, for an echo): the buffer is then free again and
// reading simply goes on. Only when the socket is full does the rest go through uv_write, which
// needs the bytes to stay put until its callback, so the connection stops reading (uv_read_stop)
// until then. At most one read or one write per connection at any time, the same
// read-then-write-all loop as the other models, and a peer that does not read stops its own reads
// instead of growing the server's memory.
//
// SIGINT or SIGTERM (uv_signal_t) closes every handle on the loop (uv_walk): the listener, the
// signal handles and every connection, so uv_run returns and the loop closes cleanly.
#include <csignal>
#include <cstdio>
#include <string>

#include "common/uv.hpp"
#include "server.hpp"

namespace {

struct Connection {
  uv_tcp_t tcp;  // tcp.data points back here
  uv_write_t write_req;
  char buf[echo::kBufferSize];
};

struct Server {
  uv_tcp_t listener;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  bool nodelay = true;
  const char* program = "";  // argv[0], for the messages
};

Server server;

Connection* connection_of(uv_handle_t* handle) { return static_cast<Connection*>(handle->data); }

void on_connection_closed(uv_handle_t* handle) { delete connection_of(handle); }

void close_connection(uv_stream_t* stream) {
  // A failed write and the shutdown can both ask to close the same connection.
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(stream)))
    uv_close(reinterpret_cast<uv_handle_t*>(stream), on_connection_closed);
}

// Every read lands in the connection's own buffer: no read is started while a write of the
// previous bytes is in flight, so the buffer is free whenever libuv asks for it.
void alloc_buffer(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  Connection* c = connection_of(handle);
  *buf = uv_buf_init(c->buf, sizeof c->buf);
}

void echo_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);

void echo_write(uv_write_t* req, int status) {
  // UV_ECANCELED: the connection is being closed (the shutdown); any other error is the peer
  // gone (EPIPE, ECONNRESET), which ends only this connection.
  if (status < 0) return close_connection(req->handle);
  // The write finished, so the buffer is free again. Its callback can still run after the
  // shutdown has started closing the handle, and a closing handle must not read.
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(req->handle)))
    uv_read_start(req->handle, alloc_buffer, echo_read);
}

void echo_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    // No write is queued (reads stop while one is), so uv_try_write may send straight away.
    uv_buf_t out = uv_buf_init(buf->base, static_cast<unsigned>(nread));
    const int sent = uv_try_write(stream, &out, 1);
    if (sent == nread) return;  // all of it: the buffer is free, keep reading
    if (sent < 0 && sent != UV_EAGAIN) return close_connection(stream);
    const unsigned done = sent > 0 ? static_cast<unsigned>(sent) : 0;
    out = uv_buf_init(buf->base + done, static_cast<unsigned>(nread) - done);
    Connection* c = connection_of(reinterpret_cast<uv_handle_t*>(stream));
    uv_read_stop(stream);  // until echo_write: the buffer holds bytes not yet written
    if (uv_write(&c->write_req, stream, &out, 1, echo_write) < 0) close_connection(stream);
    return;
  }
  // UV_EOF: the client closed its side. Reads are stopped while a write is in flight, so EOF
  // is only seen with every byte already written back: closing now loses nothing. Any other
  // error (ECONNRESET) ends the connection too. 0 is EAGAIN: nothing to do.
  if (nread < 0) close_connection(stream);
}

void on_new_connection(uv_stream_t* listener, int status) {
  if (status < 0) {
    // EMFILE and the like: this connection is lost, the server goes on (as the guide does).
    std::fprintf(stderr, "%s: accept: %s\n", server.program, uv_strerror(status));
    return;
  }
  auto* c = new Connection;
  c->tcp.data = c;
  uv_tcp_init(listener->loop, &c->tcp);
  auto* stream = reinterpret_cast<uv_stream_t*>(&c->tcp);
  if (uv_accept(listener, stream) != 0) return close_connection(stream);
  if (server.nodelay) uv_tcp_nodelay(&c->tcp, 1);
  uv_read_start(stream, alloc_buffer, echo_read);
}

void close_handle(uv_handle_t* handle, void*) {
  if (uv_is_closing(handle)) return;
  // The connections are the only handles with memory of their own.
  const auto* listener = reinterpret_cast<uv_handle_t*>(&server.listener);
  const bool connection = handle->type == UV_TCP && handle != listener;
  uv_close(handle, connection ? on_connection_closed : nullptr);
}

// Stops accepting and ends every connection (a pending write is cancelled, as the other models'
// are); with no handle left open, uv_run returns.
void on_signal(uv_signal_t* handle, int) { uv_walk(handle->loop, close_handle, nullptr); }

}  // namespace

int main(int argc, char** argv) {
  const echo::Options o = echo::parse(argc, argv);
  server.nodelay = o.nodelay;
  server.program = argv[0];
  // libuv writes with write(2), not send(MSG_NOSIGNAL), and leaves SIGPIPE to the program (as
  // Node ignores it): without this, writing to a client that has reset kills the server.
  std::signal(SIGPIPE, SIG_IGN);

  uv_loop_t* loop = uv_default_loop();
  uv_tcp_init(loop, &server.listener);
  sockaddr_in addr{};
  // uv_tcp_bind defers EADDRINUSE to uv_listen, so a taken port shows up at either call.
  int err = uv_ip4_addr(o.host.c_str(), o.port, &addr);
  if (err == 0) err = uv_tcp_bind(&server.listener, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (err == 0)
    err = uv_listen(reinterpret_cast<uv_stream_t*>(&server.listener), echo::kBacklog,
                    on_new_connection);
  if (err != 0) {
    std::fprintf(stderr, "%s: bind %s:%u: %s\n", argv[0], o.host.c_str(), unsigned(o.port),
                 uv_strerror(err));
    uv_close(reinterpret_cast<uv_handle_t*>(&server.listener), nullptr);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    return 1;
  }

  uv_signal_init(loop, &server.sigint);
  uv_signal_start(&server.sigint, on_signal, SIGINT);
  uv_signal_init(loop, &server.sigterm);
  uv_signal_start(&server.sigterm, on_signal, SIGTERM);

  sockaddr_in bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(&server.listener, reinterpret_cast<sockaddr*>(&bound), &len);
  echo::print_listening(o.host, ntohs(bound.sin_port));

  uv_run(loop, UV_RUN_DEFAULT);
  if (const int busy = uv_loop_close(loop); busy != 0) {  // a handle left open: a bug here
    std::fprintf(stderr, "%s: uv_loop_close: %s\n", argv[0], uv_strerror(busy));
    return 1;
  }
  return 0;
}
