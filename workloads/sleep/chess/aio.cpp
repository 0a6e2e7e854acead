// chess on aio: a task per board. The loop's one thread is Judit: her move burns CPU on it (no
// other board can be served meanwhile), and the opponent's move is an aio::sleep, during which
// the loop takes her to the next board. Runs as aio-epoll or aio-uring.
#include <aio/aio.hpp>

#include "common/aio.hpp"
#include "scenario.hpp"

namespace {

aio::Task<void> game(chess::Move* moves, int n, std::chrono::nanoseconds judit,
                     std::chrono::nanoseconds opponent, int board) {
  aio::trace::name_task("board " + std::to_string(board));
  for (int k = 0; k < n; ++k) {
    chess::judit_moves(moves[k], judit);
    aio::trace::mark("Judit moved");
    co_await aio::sleep(opponent);
    moves[k].reply_end = chess::now_ns();
  }
}

aio::Task<void> exhibition(const chess::Params& p, chess::Move* moves,
                           std::chrono::nanoseconds judit, std::chrono::nanoseconds opponent) {
  std::vector<aio::Task<void>> games;
  for (int b = 0; b < p.opponents; ++b)
    games.push_back(game(moves + b * p.moves, p.moves, judit, opponent, b + 1));
  co_await aio::gather(std::move(games));
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "chess", [](wl::Workload& w) {
    chess::Params p(w);
    const aio::Backend backend = wl::aio_backend(w.model());
    std::vector<chess::Move> moves(p.total_moves());
    wl::Stopwatch clock;
    aio::run(exhibition(p, moves.data(), w.scaled(p.judit_s), w.scaled(p.opponent_s)), backend);
    chess::report(w, p, moves.data(), clock.seconds(), true);
  });
}
