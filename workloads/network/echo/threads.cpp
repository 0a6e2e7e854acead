// The echo server with one std::thread per connection (model `threads`): the main thread accepts,
// and each connection gets a thread of its own that echoes it with blocking calls and closes it.
//
// The threads are joined, not detached: each finished thread puts its place in the list on a
// "finished" list, and the main thread joins and drops those after every accept, so a long run
// holds at most as many std::thread objects as it had connections open at once. On SIGINT or
// SIGTERM the main thread stops accepting, shuts down every live connection so that its thread's
// recv() returns, and joins them all.
#include <unistd.h>

#include <list>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "blocking.hpp"
#include "server.hpp"

namespace {

class Connections {
 public:
  // Starts a thread that echoes `fd` and closes it.
  void start(int fd) {
    m_live.add(fd);
    // Only the main thread changes the list, so its own element is safe to fill in afterwards.
    const auto self = m_threads.emplace(m_threads.end());
    try {
      const echo::SignalsBlocked blocked;  // the new thread inherits the mask
      *self = std::thread([this, fd, self] { serve(fd, self); });
    } catch (const std::system_error&) {
      // No thread to be had (EAGAIN: a thread or memory limit): this client is refused, the
      // others go on.
      m_threads.erase(self);
      m_live.close(fd);
    }
  }

  // Joins the threads that have finished since the last call.
  void reap() {
    std::vector<Iterator> finished;
    {
      std::lock_guard lock(m_mutex);
      finished.swap(m_finished);
    }
    for (const Iterator t : finished) {
      t->join();  // at most the last few instructions of the thread are left to wait for
      m_threads.erase(t);
    }
  }

  // Ends every connection and joins every thread.
  void stop() {
    m_live.shutdown_all();
    for (auto& t : m_threads) t.join();
    m_threads.clear();
    m_finished.clear();
  }

 private:
  using Iterator = std::list<std::thread>::iterator;

  void serve(int fd, Iterator self) {
    echo::echo_blocking(fd, echo::stop_requested);
    m_live.close(fd);
    std::lock_guard lock(m_mutex);
    m_finished.push_back(self);
  }

  echo::LiveConnections m_live;
  std::list<std::thread> m_threads;  // the main thread's alone
  std::mutex m_mutex;
  std::vector<Iterator> m_finished;  // guarded by m_mutex
};

}  // namespace

int main(int argc, char** argv) {
  const echo::Options opts = echo::parse(argc, argv);
  echo::Listener listener(argv[0], opts);
  Connections connections;
  for (;;) {
    const int fd = listener.accept();
    if (fd < 0) break;
    connections.reap();
    connections.start(fd);
  }
  listener.close();
  connections.stop();
  return 0;
}
