// chess on a fixed pool of worker threads (ThreadPoolExecutor's way): a task per board, Judit a
// std::mutex as in threads.cpp. A task blocks its worker for its whole game, opponents' waits
// included, so min(32, cores + 4) workers play that many boards at a time and the other boards
// wait for a free worker: the honest result of a bounded pool with blocking waits.
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "chess", [](wl::Workload& w) {
    chess::Params p(w);
    const auto judit_d = w.scaled(p.judit_s), opponent_d = w.scaled(p.opponent_s);
    std::vector<chess::Move> moves(p.total_moves());
    std::mutex judit;
    wl::ThreadPool pool;
    w.params()["workers"] = pool.size();
    wl::Stopwatch clock;
    std::vector<std::future<void>> games;
    for (int b = 0; b < p.opponents; ++b)
      games.push_back(pool.submit([&, b] {
        chess::blocking_game(&moves[b * p.moves], p.moves, judit, judit_d, opponent_d, b + 1);
      }));
    for (auto& g : games) g.get();
    chess::report(w, p, moves.data(), clock.seconds(), true);
  });
}
