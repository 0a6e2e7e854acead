// wait-for with threads: the eternity is a std::jthread waiting on a condition_variable_any with
// its stop_token; the main thread waits for it with a timeout, then asks it to stop and joins it.
// Threads cannot be interrupted from outside: cooperative cancellation is how they are cancelled.
#include <condition_variable>
#include <future>
#include <mutex>
#include <stop_token>
#include <thread>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "wait-for", [](wl::Workload& w) {
    wait_for::Params p(w);
    wl::EventLog log;
    const auto eternity_d = w.scaled(p.eternity_s);
    wl::Stopwatch clock;
    std::promise<void> finished;
    std::future<void> done = finished.get_future();
    std::jthread eternity([&](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock lock(m);
      cv.wait_for(lock, stop, eternity_d, [] { return false; });  // until the hour or a stop
      log.add(stop.stop_requested() ? "cancelled" : "yay!");
      finished.set_value();
    });
    if (done.wait_for(w.scaled(p.timeout_s)) == std::future_status::timeout) {
      eternity.request_stop();
      eternity.join();
      log.add("timeout!");
    }
    const double elapsed = clock.seconds();
    wait_for::report(w, p, log.events(), elapsed);
  });
}
