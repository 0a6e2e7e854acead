// wait-for on Boost.Asio with C++20 coroutines: the eternity coroutine awaits an hour-long
// steady_timer; a timeout steady_timer's handler cancels it (the wait ends with
// operation_aborted, which unwinds the eternity as "cancelled"), and the waiting coroutine then
// records "timeout!". Boost 1.74 has no awaitable operators (||) nor per-operation cancellation
// slots: cancelling the timer is Asio's way.
#include "common/asio.hpp"

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<void> eternity(wl::EventLog& log, asio::steady_timer& timer) {
  try {
    co_await timer.async_wait(asio::use_awaitable);
    log.add("yay!");
  } catch (const boost::system::system_error& e) {
    if (e.code() == asio::error::operation_aborted) log.add("cancelled");
    throw;
  }
}

asio::awaitable<void> amain(wl::EventLog& log, std::chrono::nanoseconds eternity_d,
                            std::chrono::nanoseconds timeout_d) {
  const auto ex = co_await asio::this_coro::executor;
  asio::steady_timer eternity_timer(ex, eternity_d);
  asio::steady_timer timeout(ex, timeout_d);
  bool timed_out = false;
  timeout.async_wait([&](boost::system::error_code ec) {
    if (ec) return;  // the eternity finished first
    timed_out = true;
    eternity_timer.cancel();
  });
  try {
    co_await eternity(log, eternity_timer);
    timeout.cancel();
  } catch (const boost::system::system_error& e) {
    if (!timed_out || e.code() != asio::error::operation_aborted) throw;
    log.add("timeout!");
  }
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "wait-for", [](wl::Workload& w) {
    wait_for::Params p(w);
    wl::EventLog log;
    wl::Stopwatch clock;
    asio::io_context io(1);
    asio::co_spawn(io, amain(log, w.scaled(p.eternity_s), w.scaled(p.timeout_s)), wl::asio_rethrow);
    io.run();
    wait_for::report(w, p, log.events(), clock.seconds());
  });
}
