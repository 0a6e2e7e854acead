// wait-for on a fixed pool of worker threads (ThreadPoolExecutor's way): the eternity is a task
// that waits on a condition variable for the hour or a stop flag; the main thread waits for its
// future with a timeout, then sets the flag and waits for the task to return. A pool task, like
// a thread, can only be cancelled cooperatively.
#include <condition_variable>
#include <future>
#include <mutex>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "wait-for", [](wl::Workload& w) {
    wait_for::Params p(w);
    wl::EventLog log;
    const auto eternity_d = w.scaled(p.eternity_s);
    wl::ThreadPool pool;
    w.params()["workers"] = pool.size();
    std::mutex m;
    std::condition_variable cv;
    bool stop = false;
    wl::Stopwatch clock;
    std::future<void> done = pool.submit([&] {
      std::unique_lock lock(m);
      log.add(cv.wait_for(lock, eternity_d, [&] { return stop; }) ? "cancelled" : "yay!");
    });
    if (done.wait_for(w.scaled(p.timeout_s)) == std::future_status::timeout) {
      {
        std::lock_guard lock(m);
        stop = true;
      }
      cv.notify_all();
      done.get();
      log.add("timeout!");
    }
    const double elapsed = clock.seconds();
    wait_for::report(w, p, log.events(), elapsed);
  });
}
