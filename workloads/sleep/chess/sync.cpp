// chess, sequential: Judit plays one game at a time, never two at the same time, until the game
// is complete; while the opponent thinks, she waits at the board.
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "chess", [](wl::Workload& w) {
    chess::Params p(w);
    const auto judit = w.scaled(p.judit_s), opponent = w.scaled(p.opponent_s);
    std::vector<chess::Move> moves(p.total_moves());
    wl::Stopwatch clock;
    for (int b = 0; b < p.opponents; ++b) {
      wl::trace::Track t("board " + std::to_string(b + 1));
      for (int k = 0; k < p.moves; ++k) {
        chess::Move& m = moves[b * p.moves + k];
        chess::judit_moves(m, judit);
        t.mark("Judit moved");
        t.waiting("timer");
        std::this_thread::sleep_for(opponent);
        t.running();
        m.reply_end = chess::now_ns();
      }
    }
    chess::report(w, p, moves.data(), clock.seconds(), false);
  });
}
