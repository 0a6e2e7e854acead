// chess with one std::thread per board. Judit is a std::mutex: a board's thread holds her while
// she thinks about its move, and lets her go while its opponent thinks.
#include <mutex>
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "chess", {"threads"}, [](wl::Workload& w) {
    chess::Params p(w);
    const auto judit_d = w.scaled(p.judit_s), opponent_d = w.scaled(p.opponent_s);
    std::vector<chess::Move> moves(p.total_moves());
    std::mutex judit;
    wl::Stopwatch clock;
    std::vector<std::thread> boards;
    for (int b = 0; b < p.opponents; ++b)
      boards.emplace_back([&, b] {
        for (int k = 0; k < p.moves; ++k) {
          chess::Move& m = moves[b * p.moves + k];
          {
            std::lock_guard lock(judit);
            chess::judit_moves(m, judit_d);
          }
          std::this_thread::sleep_for(opponent_d);
          m.reply_end = chess::now_ns();
        }
      });
    for (auto& t : boards) t.join();
    chess::report(w, p, moves.data(), clock.seconds(), true);
  });
}
