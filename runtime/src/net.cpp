#include "aio/net.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <system_error>
#include <vector>

#include "aio/detail/loop.hpp"
#include "aio/errors.hpp"
#include "aio/loop.hpp"
#include "aio/thread.hpp"

namespace aio {

namespace {

class GaiCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "getaddrinfo"; }
  std::string message(int code) const override { return ::gai_strerror(code); }
};

struct Address {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family() const noexcept { return storage.ss_family; }
  const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
};

std::string endpoint(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// A numeric address, without asking the resolver (and so without a thread).
bool parse_numeric(const std::string& host, std::uint16_t port, Address& out) {
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out.len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

// getaddrinfo, blocking: for bind (which is synchronous anyway) and, on the pool, for connect.
std::vector<Address> resolve_blocking(std::string host, std::uint16_t port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
  if (rc == EAI_SYSTEM) detail::throw_os(errno, "getaddrinfo " + host);
  if (rc != 0) throw std::system_error(rc, gai_category(), "getaddrinfo " + host);
  std::vector<Address> out;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    Address a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.len = ai->ai_addrlen;
    out.push_back(a);
  }
  ::freeaddrinfo(res);
  return out;
}

Task<std::vector<Address>> resolve(std::string host, std::uint16_t port) {
  Address a;
  if (parse_numeric(host, port, a)) co_return std::vector<Address>{a};
  co_return co_await to_thread(resolve_blocking, std::move(host), port, false);
}

std::uint32_t clamp_len(std::size_t n) {
  return static_cast<std::uint32_t>(std::min<std::size_t>(n, 1u << 30));
}

bool out_of_descriptors(int err) {
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

// Errors that concern only the connection being accepted: the next one may be fine.
bool transient_accept_error(int err) {
  return err == ECONNABORTED || err == EINTR || err == EPROTO || err == EPERM || err == ENETDOWN ||
         err == ENOPROTOOPT || err == EHOSTDOWN || err == ENONET || err == EHOSTUNREACH ||
         err == EOPNOTSUPP || err == ENETUNREACH || err == ETIMEDOUT;
}

// Takes the next connection of a listener using multishot accept: from the queue the ring fills,
// or by waiting on it. The multishot request stays armed across accepts; it is cancelled when a
// waiting accept is cancelled and nobody else waits, or when the listener closes.
class MultishotAccept {
 public:
  explicit MultishotAccept(detail::Socket& s) : m_s(s) { m_node.sock = &s; }

  bool await_ready() const noexcept { return !m_s.accepts->ready.empty(); }

  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    detail::Loop& loop = m_s.attach_here();
    detail::AcceptQueue& q = *m_s.accepts;
    if (!q.waiters.suspend(m_node, h)) return false;
    if (!q.armed) {
      try {
        arm(loop, q);
      } catch (...) {
        q.waiters.remove(m_node);
        detail::end_wait(m_node.ctx);
        throw;
      }
    }
    m_loop = &loop;
    loop.io_started();  // a task waits on I/O: not a deadlock
    m_node.on_cancel = &MultishotAccept::cancel;
    return true;
  }

  int await_resume() {
    if (m_loop) m_loop->io_finished();
    m_node.finish();  // throws CancelledError
    if (m_node.result_set) return m_node.result;
    int r = m_s.accepts->ready.front();
    m_s.accepts->ready.pop_front();
    return r;
  }

 private:
  struct Node : detail::WaitNode {
    detail::Socket* sock = nullptr;
    int result = 0;
    bool result_set = false;
  };

  void arm(detail::Loop& loop, detail::AcceptQueue& q) {
    q.request = {};
    q.request.queue = &q;
    q.request.op = detail::IoOp::accept_multishot;
    q.request.handle = &m_s.io;
    q.request.complete = &MultishotAccept::delivered;
    loop.backend().submit(q.request);
    q.armed = true;
    q.loop = &loop;
    loop.add_persistent(&q.request);
    m_s.add_ref();  // the armed request keeps the socket (and its queue) alive
  }

  // One completion of the multishot request: a new descriptor, or an error.
  static void delivered(detail::IoRequest* r) noexcept {
    detail::AcceptQueue* q = queue_of(r);
    const int res = r->result;
    if (auto* n = static_cast<Node*>(q->waiters.pop_front())) {
      n->result = res;
      n->result_set = true;
      detail::WaitList::resume(*n);
    } else if (res >= 0) {
      if (q->owner->is_open())
        q->ready.push_back(res);
      else
        ::close(res);  // accepted while the listener was closing
    } else if (res != -ECANCELED) {
      q->ready.push_back(res);  // an error for the next accept (EMFILE: it backs off)
    }
    if (!r->more) {
      q->armed = false;
      q->loop->remove_persistent(r);
      q->owner->release();  // the reference the armed request held
    }
  }

  static detail::AcceptQueue* queue_of(detail::IoRequest* r) noexcept {
    return static_cast<detail::AcceptRequest*>(r)->queue;
  }

  static void cancel(detail::Waiter* w) noexcept {
    auto* n = static_cast<Node*>(w);
    detail::AcceptQueue& q = *n->sock->accepts;
    q.waiters.remove(*n);
    n->cancelled = true;
    detail::WaitList::resume(*n);
    if (q.waiters.empty() && q.armed) q.loop->backend().cancel(q.request);
  }

  detail::Socket& m_s;
  detail::Loop* m_loop = nullptr;
  Node m_node;
};

}  // namespace

const std::error_category& gai_category() noexcept {
  static const GaiCategory category;
  return category;
}

// ---- TcpStream ----

TcpStream& TcpStream::operator=(TcpStream&& o) noexcept {
  if (this != &o) {
    close();
    m_s = std::move(o.m_s);
  }
  return *this;
}

detail::Socket* TcpStream::checked(const char* op) const {
  if (!m_s || !m_s->is_open()) detail::throw_os(EBADF, op);
  return m_s.get();
}

Task<TcpStream> TcpStream::connect(std::string host, std::uint16_t port) {
  const std::vector<Address> addresses = co_await resolve(host, port);
  int last_error = EADDRNOTAVAIL;
  for (const Address& a : addresses) {
    const int fd = ::socket(a.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    TcpStream stream(detail::SocketRef(new detail::Socket(fd)));
    detail::IoRequest req;
    req.op = detail::IoOp::connect;
    req.handle = &stream.m_s->io;
    req.addr = const_cast<sockaddr*>(a.get());
    req.addrlen = a.len;
    detail::IoAwaiter op(stream.m_s.get(), req);
    const int r = co_await op;
    if (r == 0) co_return stream;
    last_error = -r;
  }
  detail::throw_os(last_error, "connect " + endpoint(host, port));
}

Task<std::size_t> TcpStream::read_some(std::span<std::byte> buf) {
  detail::Socket* s = checked("recv");
  if (buf.empty()) co_return 0;
  detail::IoRequest req;
  req.op = detail::IoOp::recv;
  req.handle = &s->io;
  req.buf = buf.data();
  req.len = clamp_len(buf.size());
  detail::IoAwaiter op(s, req);
  const int r = co_await op;
  if (r < 0) detail::throw_os(-r, "recv");
  co_return static_cast<std::size_t>(r);
}

Task<void> TcpStream::read_exact(std::span<std::byte> buf) {
  detail::Socket* s = checked("recv");
  std::size_t got = 0;
  while (got < buf.size()) {
    detail::IoRequest req;
    req.op = detail::IoOp::recv;
    req.handle = &s->io;
    req.buf = buf.data() + got;
    req.len = clamp_len(buf.size() - got);
    detail::IoAwaiter op(s, req);
    const int r = co_await op;
    if (r < 0) detail::throw_os(-r, "recv");
    if (r == 0) throw IncompleteReadError(got, buf.size());
    got += static_cast<std::size_t>(r);
  }
}

Task<void> TcpStream::write_all(std::span<const std::byte> data) {
  detail::Socket* s = checked("send");
  while (!data.empty()) {
    detail::IoRequest req;
    req.op = detail::IoOp::send;
    req.handle = &s->io;
    req.buf = const_cast<std::byte*>(data.data());
    req.len = clamp_len(data.size());
    detail::IoAwaiter op(s, req);
    const int r = co_await op;
    if (r < 0) detail::throw_os(-r, "send");
    data = data.subspan(static_cast<std::size_t>(r));
  }
}

void TcpStream::shutdown_write() {
  detail::Socket* s = checked("shutdown");
  if (::shutdown(s->io.fd, SHUT_WR) < 0) detail::throw_os(errno, "shutdown");
}

void TcpStream::close() noexcept {
  if (m_s) m_s->close();
}

void TcpStream::set_nodelay(bool on) {
  detail::Socket* s = checked("setsockopt");
  const int v = on ? 1 : 0;
  if (::setsockopt(s->io.fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) < 0)
    detail::throw_os(errno, "setsockopt TCP_NODELAY");
}

// ---- TcpListener ----

TcpListener& TcpListener::operator=(TcpListener&& o) noexcept {
  if (this != &o) {
    close();
    m_s = std::move(o.m_s);
  }
  return *this;
}

TcpListener TcpListener::bind(std::string host, std::uint16_t port, int backlog) {
  std::vector<Address> addresses;
  Address numeric;
  if (parse_numeric(host, port, numeric))
    addresses.push_back(numeric);
  else
    addresses = resolve_blocking(host == "*" ? "" : host, port, true);
  int last_error = EADDRNOTAVAIL;
  for (const Address& a : addresses) {
    const int fd = ::socket(a.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a.get(), a.len) == 0 && ::listen(fd, backlog) == 0) {
      TcpListener l;
      l.m_s = detail::SocketRef(new detail::Socket(fd));
      l.m_s->accepts = std::make_unique<detail::AcceptQueue>();
      l.m_s->accepts->owner = l.m_s.get();
      return l;
    }
    last_error = errno;
    ::close(fd);
  }
  detail::throw_os(last_error, "bind " + endpoint(host, port));
}

std::uint16_t TcpListener::port() const {
  if (!is_open()) detail::throw_os(EBADF, "getsockname");
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(m_s->io.fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0)
    detail::throw_os(errno, "getsockname");
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

void TcpListener::close() noexcept {
  if (m_s) m_s->close();
}

Task<TcpStream> TcpListener::accept() {
  if (!is_open()) detail::throw_os(EBADF, "accept");
  const detail::SocketRef s = m_s;  // the listener object may move or go while we wait
  auto backoff = std::chrono::milliseconds(10);
  for (;;) {
    int r;
    if (!s->is_open()) detail::throw_os(ECANCELED, "accept");
    detail::IoBackend& backend = s->attach_here().backend();
    const bool multishot = backend.has_multishot_accept();
    if (multishot) {
      MultishotAccept op(*s.get());
      r = co_await op;
    } else {
      detail::IoRequest req;
      req.op = detail::IoOp::accept;
      req.handle = &s->io;
      detail::IoAwaiter op(s.get(), req);
      r = co_await op;
    }
    if (r >= 0) co_return TcpStream(detail::SocketRef(new detail::Socket(r)));
    const int err = -r;
    if (out_of_descriptors(err)) {
      // Nothing can be accepted until a descriptor is freed: wait instead of spinning on the
      // pending connection (libuv and asyncio back off too; asyncio for a whole second).
      co_await aio::sleep(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(320));
      continue;
    }
    backoff = std::chrono::milliseconds(10);
    if (transient_accept_error(err)) continue;
    // A kernel that refuses multishot accept: the backend noted it, go single-shot.
    if (err == EINVAL && multishot && !backend.has_multishot_accept()) continue;
    detail::throw_os(err, "accept");
  }
}

}  // namespace aio
