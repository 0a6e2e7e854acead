// chess on libuv, written the way libuv's own examples are: a uv_timer per board. Its callback
// is Judit at that board: it notes the opponent's reply, burns CPU for her move (blocking the
// loop, as her thinking should), and restarts the timer for the opponent's move.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/uv.hpp"
#include "scenario.hpp"

namespace {

struct Board {
  uv_timer_t timer;
  chess::Move* moves;  // this board's pair-moves
  int played = 0;
  const chess::Params* p;
  std::chrono::nanoseconds judit;
  std::uint64_t opponent_ms;
  std::optional<wl::trace::Track> track;  // the board's track in a trace
};

void on_turn(uv_timer_t* t) {
  auto* b = static_cast<Board*>(t->data);
  if (b->played > 0) b->moves[b->played - 1].reply_end = chess::now_ns();
  if (b->played == b->p->moves) {
    b->track->finish();
    uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
    return;
  }
  b->track->running();
  chess::judit_moves(b->moves[b->played++], b->judit);
  b->track->mark("Judit moved");
  b->track->waiting("timer");
  // The loop's clock was read before the callbacks of this turn, some of Judit's moves ago: bring
  // it up to date (as libuv's docs advise after a callback that blocks), so that the opponent's
  // move is timed from now.
  uv_update_time(t->loop);
  uv_timer_start(t, on_turn, b->opponent_ms, 0);
}

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "chess", [](wl::Workload& w) {
    chess::Params p(w);
    const auto opponent_ms = wl::uv::timeout_ms(w.scaled(p.opponent_s));
    std::vector<chess::Move> moves(p.total_moves());
    wl::Stopwatch clock;
    wl::uv::Loop loop;
    std::vector<std::unique_ptr<Board>> boards;
    for (int i = 0; i < p.opponents; ++i) {
      auto b = std::make_unique<Board>();
      b->moves = moves.data() + i * p.moves;
      b->p = &p;
      b->judit = w.scaled(p.judit_s);
      b->opponent_ms = opponent_ms;
      uv_timer_init(loop.get(), &b->timer);
      b->timer.data = b.get();
      b->track.emplace("board " + std::to_string(i + 1));
      b->track->waiting("timer");
      uv_timer_start(&b->timer, on_turn, 0, 0);  // Judit's first move, board after board
      boards.push_back(std::move(b));
    }
    loop.run();
    loop.close();
    chess::report(w, p, moves.data(), clock.seconds(), true);
  });
}
