// chess on Boost.Asio with C++20 coroutines: a coroutine per board co_spawned on one io_context.
// The io_context's one thread is Judit: her move burns CPU on it, and the opponent's move is a
// steady_timer awaited with use_awaitable.
#include "common/asio.hpp"

#include "scenario.hpp"

namespace asio = boost::asio;

namespace {

asio::awaitable<void> game(chess::Move* moves, int n, std::chrono::nanoseconds judit,
                           std::chrono::nanoseconds opponent, int board) {
  wl::trace::Track t("board " + std::to_string(board));
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int k = 0; k < n; ++k) {
    chess::judit_moves(moves[k], judit);
    t.mark("Judit moved");
    timer.expires_after(opponent);
    t.waiting("timer");
    co_await timer.async_wait(asio::use_awaitable);
    t.running();
    moves[k].reply_end = chess::now_ns();
  }
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "chess", [](wl::Workload& w) {
    chess::Params p(w);
    std::vector<chess::Move> moves(p.total_moves());
    wl::Stopwatch clock;
    asio::io_context io(1);
    for (int b = 0; b < p.opponents; ++b)
      asio::co_spawn(io,
                     game(moves.data() + b * p.moves, p.moves, w.scaled(p.judit_s),
                          w.scaled(p.opponent_s), b + 1),
                     wl::asio_rethrow);
    io.run();
    chess::report(w, p, moves.data(), clock.seconds(), true);
  });
}
