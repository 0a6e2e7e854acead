// The echo server as an iterative server (model `sync`): accept one connection, echo it until the
// peer closes or resets it, close it, accept the next. One connection at a time is the point: the
// others wait in the listen backlog, connected but unanswered, until the one before them ends.
//
// SIGINT or SIGTERM shuts down the listener and the connection being served (blocking.hpp), so
// the recv() returns and the loop ends.
#include <unistd.h>

#include "blocking.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
  const echo::Options opts = echo::parse(argc, argv);
  echo::Listener listener(argv[0], opts);
  for (;;) {
    const int fd = listener.accept();
    if (fd < 0) break;
    echo::shut_on_stop(fd);
    // Checked after shut_on_stop(): a signal that came before it did not shut this one down.
    if (!echo::stop_requested) echo::echo_blocking(fd, echo::stop_requested);
    echo::shut_on_stop(-1);
    ::close(fd);
  }
  return 0;
}
