// chess: Judit Polgár's exhibition (Miguel Grinberg's PyCon 2017 talk, quoted in the lecture).
// `opponents` boards, `moves` pair-moves each. On each pair-move Judit thinks `judit_s` lecture
// seconds (busy CPU on her one thread of control: she cannot think about two boards at once),
// then the opponent thinks `opponent_s` (a wait, which Judit can spend at other boards).
//
// Sequential, one game after another: opponents x moves x (judit + opponent) = 12 h.
// Concurrent, Judit moving from board to board: the lecture's 24 x 5 s x 30 = 1 h, plus the
// last opponent's reply (a game ends with it), 55 s: 3655 s. The bound in general is the larger
// of Judit's total thinking plus one reply, and the last board's first move plus one whole game.
//
// Every model records, for every pair-move, when Judit started and stopped thinking and when the
// opponent's reply came (steady_clock, which is CLOCK_MONOTONIC and so comparable across
// processes); report() checks the record.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/trace.hpp"
#include "common/workload.hpp"

namespace chess {

struct Params {
  int opponents = 24;
  int moves = 30;          // pair-moves per game
  double judit_s = 5.0;    // Judit's move, busy
  double opponent_s = 55;  // an opponent's move, a wait

  explicit Params(wl::Workload& w) {
    w.option("--opponents", opponents, "boards played at once", wl::range(1, 10000));
    w.option("--moves", moves, "pair-moves per game", wl::range(1, 10000));
    w.option("--judit-s", judit_s, "Judit's move (busy), in lecture seconds", wl::positive);
    w.option("--opponent-s", opponent_s, "an opponent's move (a wait), in lecture seconds",
             wl::positive);
    w.parse();
    w.params()["opponents"] = opponents;
    w.params()["moves"] = moves;
    w.params()["judit_s"] = judit_s;
    w.params()["opponent_s"] = opponent_s;
  }

  int total_moves() const noexcept { return opponents * moves; }
  // In lecture seconds.
  double ideal_sequential() const { return double(opponents) * moves * (judit_s + opponent_s); }
  double ideal_concurrent() const {
    return std::max(double(opponents) * moves * judit_s + opponent_s,
                    (opponents - 1) * judit_s + moves * (judit_s + opponent_s));
  }
};

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One pair-move on one board. Zero: not played.
struct Move {
  std::int64_t judit_start = 0;  // Judit sits down at the board
  std::int64_t judit_end = 0;    // she has moved; the opponent starts thinking
  std::int64_t reply_end = 0;    // the opponent has replied
};

// Judit's move: she thinks (busy, on the calling thread) for `d`, and the record says when.
inline void judit_moves(Move& m, std::chrono::nanoseconds d) {
  m.judit_start = now_ns();
  wl::burn_cpu(d);
  m.judit_end = now_ns();
}

// One board's game as the models that block play it (threads, threadpool, processes): Judit is a
// lock (`Lockable`: a std::mutex, or the processes' shared pthread mutex) held while she thinks,
// and each opponent's reply a blocking sleep. `board`: this board's `moves` pair-moves. Traced,
// board `n` is a track of its own: waiting for Judit, her move, waiting for the opponent.
template <class Lockable>
void blocking_game(Move* board, int moves, Lockable& judit, std::chrono::nanoseconds judit_d,
                   std::chrono::nanoseconds opponent_d, int n) {
  wl::trace::Track t("board " + std::to_string(n));
  for (int k = 0; k < moves; ++k) {
    t.waiting("Judit");
    {
      std::lock_guard<Lockable> lock(judit);
      t.running();
      judit_moves(board[k], judit_d);
    }
    t.mark("Judit moved");
    t.waiting("timer");
    std::this_thread::sleep_for(opponent_d);
    board[k].reply_end = now_ns();
  }
}

// `moves` holds board b's pair-move k at [b * p.moves + k]. `concurrent`: Judit moved from board
// to board (the ideal is the concurrent one; a bounded pool is held to it too).
inline void report(wl::Workload& w, const Params& p, const Move* moves, double elapsed_s,
                   bool concurrent) {
  const double scale = w.time_scale();
  const double judit = p.judit_s * scale, opponent = p.opponent_s * scale;
  const double ideal = (concurrent ? p.ideal_concurrent() : p.ideal_sequential()) * scale;
  w.elapsed(elapsed_s);
  w.metrics()["ideal_s"] = ideal;
  w.metrics()["ideal_sequential_s"] = p.ideal_sequential() * scale;
  w.metrics()["ideal_concurrent_s"] = p.ideal_concurrent() * scale;

  int played = 0, short_thoughts = 0, short_replies = 0, out_of_turn = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> thinking;
  double busy_s = 0;
  for (int b = 0; b < p.opponents; ++b) {
    std::int64_t board_free = 0;  // when this board's previous reply came
    for (int k = 0; k < p.moves; ++k) {
      const Move& m = moves[b * p.moves + k];
      if (m.reply_end == 0) continue;
      ++played;
      const double thought = (m.judit_end - m.judit_start) * 1e-9,
                   reply = (m.reply_end - m.judit_end) * 1e-9;
      busy_s += thought;
      short_thoughts += thought < judit * 0.99;
      short_replies += reply < opponent * 0.99 - w.timer_resolution_s();
      out_of_turn += m.judit_start < board_free;
      board_free = m.reply_end;
      thinking.emplace_back(m.judit_start, m.judit_end);
    }
  }
  std::sort(thinking.begin(), thinking.end());
  int overlaps = 0;
  for (std::size_t i = 1; i < thinking.size(); ++i)
    overlaps += thinking[i].first < thinking[i - 1].second;

  const double busy_ideal = double(p.total_moves()) * judit;
  w.metrics()["moves_played"] = played;
  w.metrics()["judit_busy_s"] = busy_s;
  w.metrics()["judit_busy_ideal_s"] = busy_ideal;
  w.check(played == p.total_moves(),
          std::to_string(played) + " pair-moves played of " + std::to_string(p.total_moves()));
  w.check(short_thoughts == 0, std::to_string(short_thoughts) + " of Judit's moves were too quick");
  w.check(short_replies == 0, std::to_string(short_replies) + " replies came too quickly");
  w.check(out_of_turn == 0,
          std::to_string(out_of_turn) + " moves made before the opponent replied");
  w.check(overlaps == 0,
          "Judit thought about two boards at once " + std::to_string(overlaps) + " times");
  // No upper bound: a move's thinking is timed by the wall clock, so a machine that preempts
  // Judit's thread lengthens it (judit_busy_s above its ideal is the sign of a loaded machine).
  w.check(busy_s >= busy_ideal * 0.99, "Judit thought for " + std::to_string(busy_s) +
                                           " s in all, expected " + std::to_string(busy_ideal));
  w.check_not_early(elapsed_s, ideal, "finished before the exhibition could");
}

}  // namespace chess
