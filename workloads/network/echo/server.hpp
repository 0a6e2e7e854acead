// What every C++ echo server shares (asyncbench serve echo --model M): its command line, the
// knobs that must be the same for every model, the "listening" line, and a listening socket for
// the models that block.
//
//   wl-echo-<model> --model <id> [--host 127.0.0.1] [--port 0] [--no-nodelay] [--exit-after-s S]
//
// The server prints "listening <host>:<port>" on stdout (the port it got, for --port 0) once it
// accepts connections, echoes every byte back on every connection until the peer closes or resets
// it, and on SIGINT or SIGTERM stops accepting, ends its connections and exits 0. A client that
// resets or vanishes ends only its own connection. Bad arguments: one line on stderr, exit 2; a
// failure to start (the port is taken): one line on stderr, exit 1. With --exit-after-s S it also
// ends by itself S seconds after it started, by SIGALRM's default action (alarm(2): no handler,
// no thread, nothing any model's loop has to know), so that a server under valgrind, which may
// not run a signal handler while it waits in the kernel, never leaves a count hanging on a stop
// signal (the counted profile's backstop; the harness stops it with SIGTERM first).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "common/workload.hpp"

namespace echo {

// The knobs, the same for every model (README: "Servers"): a 16 KiB read buffer per connection,
// TCP_NODELAY on every accepted connection (unless --no-nodelay), a listen backlog of 1024.
inline constexpr std::size_t kBufferSize = 16 * 1024;
inline constexpr int kBacklog = 1024;
// The exit status of a server that cannot run here (the workload programs' "unsupported").
inline constexpr int kExitUnsupported = 77;

struct Options {
  std::string model;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool nodelay = true;
  double exit_after_s = 0;  // > 0: ends by itself (SIGALRM) this long after it started
};

// A server holds a descriptor per connection: raise the soft RLIMIT_NOFILE to the hard limit
// (1,024 connections would not fit under the usual soft limit of 1,024).
inline void raise_fd_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
}

// Parses the command line; `models`: the ids this program serves. Exits 2 on bad input. Also
// raises the descriptor limit (raise_fd_limit). (server.cpp: CLI11 is compiled there once, not
// in every server program.)
Options parse(int argc, char** argv, const std::vector<std::string>& models);

#ifdef WL_SOURCE
// The same for this server program: it serves the models whose source it is (the registry,
// workloads/models.json), as wl::main does for the workload programs.
inline Options parse(int argc, char** argv) { return parse(argc, argv, wl::models_of(WL_SOURCE)); }
#endif

// This server cannot run here: `reason` on stderr as "<program's file name>: <reason>" (the
// harness records the line), and the exit status that says so.
inline int cannot_run(const char* program, const std::string& reason) {
  const char* slash = std::strrchr(program, '/');
  std::fprintf(stderr, "%s: %s\n", slash ? slash + 1 : program, reason.c_str());
  return kExitUnsupported;
}

// The line the harness and outside clients wait for.
inline void print_listening(const std::string& host, unsigned port) {
  std::printf("listening %s:%u\n", host.c_str(), port);
  std::fflush(stdout);
}

// For the blocking models: a listening IPv4 socket (SO_REUSEADDR, kBacklog), or a
// std::system_error naming the call that failed.
inline int listen_socket(const std::string& host, std::uint16_t port, bool cloexec = true) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | (cloexec ? SOCK_CLOEXEC : 0), 0);
  if (fd < 0) throw std::system_error(errno, std::system_category(), "socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    ::close(fd);
    throw std::system_error(EINVAL, std::system_category(), "not an IPv4 address: " + host);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(fd, kBacklog) < 0) {
    const int e = errno;
    ::close(fd);
    throw std::system_error(e, std::system_category(), "bind " + host + ":" + std::to_string(port));
  }
  return fd;
}

// The port a bound socket got.
inline unsigned local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

inline void set_nodelay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Echoes one blocking connection until the peer closes it (true) or it fails (false: a reset,
// or the server shutting it down). Retries on EINTR unless `stop` is set.
template <class StopFlag>
bool echo_blocking(int fd, const StopFlag& stop) {
  char buf[kBufferSize];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR && !stop) continue;
      return false;
    }
    for (ssize_t sent = 0; sent < n;) {
      const ssize_t m = ::send(fd, buf + sent, std::size_t(n - sent), MSG_NOSIGNAL);
      if (m < 0) {
        if (errno == EINTR && !stop) continue;
        return false;
      }
      sent += m;
    }
  }
}

}  // namespace echo
