// The echo server on the project's thread pool (model `threadpool`): the main thread accepts and
// submits each connection to a wl::ThreadPool as a job that echoes it with blocking calls and
// closes it.
//
// A job holds its worker for as long as its client stays connected, so with min(32, cores + 4)
// workers only that many connections are served at a time; later ones are accepted but wait in
// the pool's queue, unanswered, until a served client goes away. That is the honest behaviour of
// a bounded pool running blocking handlers (concurrent.futures.ThreadPoolExecutor behaves the
// same), and what this model is here to show.
//
// On SIGINT or SIGTERM the main thread stops accepting and shuts down every live connection,
// queued ones included; the pool's destructor then lets the workers drain the queue (each job
// now ends at once) and joins them.
#include <unistd.h>

#include "blocking.hpp"
#include "common/thread_pool.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
  const echo::Options opts = echo::parse(argc, argv);
  echo::Listener listener(argv[0], opts);
  echo::LiveConnections live;  // outlives the pool, whose jobs use it
  {
    // Created with the stop signals blocked, so the workers inherit the mask and the signals go
    // to the main thread's accept().
    wl::ThreadPool pool = [] {
      const echo::SignalsBlocked blocked;
      return wl::ThreadPool();
    }();
    for (;;) {
      const int fd = listener.accept();
      if (fd < 0) break;
      live.add(fd);
      // The future is not needed: the job cannot throw, and its end is seen through `live`.
      pool.submit([fd, &live] {
        echo::echo_blocking(fd, echo::stop_requested);
        live.close(fd);
      });
    }
    listener.close();
    live.shutdown_all();
  }
  return 0;
}
