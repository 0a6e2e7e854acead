// chess with one std::thread per board. Judit is a std::mutex: a board's thread holds her while
// she thinks about its move, and lets her go while its opponent thinks.
#include <mutex>
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "chess", [](wl::Workload& w) {
    chess::Params p(w);
    const auto judit_d = w.scaled(p.judit_s), opponent_d = w.scaled(p.opponent_s);
    std::vector<chess::Move> moves(p.total_moves());
    std::mutex judit;
    wl::Stopwatch clock;
    std::vector<std::thread> boards;
    for (int b = 0; b < p.opponents; ++b)
      boards.emplace_back([&, b] {
        chess::blocking_game(&moves[b * p.moves], p.moves, judit, judit_d, opponent_d, b + 1);
      });
    for (auto& t : boards) t.join();
    chess::report(w, p, moves.data(), clock.seconds(), true);
  });
}
