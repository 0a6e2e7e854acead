// say-after on Boost.Asio with C++20 coroutines: both calls co_spawned on one io_context (the
// lecture's two tasks), each awaiting a steady_timer with use_awaitable; io_context::run returns
// once both have finished.
#include "common/asio.hpp"

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<void> say_after(wl::EventLog& log, std::chrono::nanoseconds delay,
                                const char* what) {
  wl::trace::Track t(std::string("say_after ") + what);
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  t.waiting("timer");
  co_await timer.async_wait(asio::use_awaitable);
  t.running();
  log.add(what);
  t.mark(what);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "say-after", [](wl::Workload& w) {
    sayafter::Params p(w);
    using sayafter::hello, sayafter::world;
    wl::EventLog log;
    wl::Stopwatch clock;
    asio::io_context io(1);
    asio::co_spawn(io, say_after(log, w.scaled(hello.delay_s), hello.what), wl::asio_rethrow);
    asio::co_spawn(io, say_after(log, w.scaled(world.delay_s), world.what), wl::asio_rethrow);
    io.run();
    sayafter::report(w, log.events(), clock.seconds(), true);
  });
}
