// chess with one fork()ed process per board (multiprocessing's way). Judit is a
// PTHREAD_PROCESS_SHARED mutex, and the record of the moves an array, both in memory mapped
// MAP_SHARED before the forks.
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#include "scenario.hpp"

namespace {

// What the boards' processes share.
// Judit across processes: a PTHREAD_PROCESS_SHARED mutex, lockable as std::lock_guard wants.
struct SharedMutex {
  pthread_mutex_t m;
  void lock() { pthread_mutex_lock(&m); }
  void unlock() { pthread_mutex_unlock(&m); }
};

struct Hall {
  SharedMutex judit;
  chess::Move* moves() { return reinterpret_cast<chess::Move*>(this + 1); }
};

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "chess", [](wl::Workload& w) {
    chess::Params p(w);
    const auto judit_d = w.scaled(p.judit_s), opponent_d = w.scaled(p.opponent_s);
    const std::size_t size = sizeof(Hall) + sizeof(chess::Move) * p.total_moves();
    void* mem = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::system_error(errno, std::system_category(), "mmap");
    Hall* hall = new (mem) Hall;
    chess::Move* moves = new (hall->moves()) chess::Move[p.total_moves()];
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (int e = pthread_mutex_init(&hall->judit.m, &attr))
      throw std::system_error(e, std::system_category(), "pthread_mutex_init");
    pthread_mutexattr_destroy(&attr);

    wl::Stopwatch clock;
    wl::Children boards;
    for (int b = 0; b < p.opponents; ++b)
      boards.spawn([&, b] {
        chess::blocking_game(&moves[b * p.moves], p.moves, hall->judit, judit_d, opponent_d, b + 1);
      });
    const bool all_ok = boards.wait_all();
    const double elapsed = clock.seconds();
    w.check(all_ok, "a board's process failed");
    chess::report(w, p, moves, elapsed, true);
    pthread_mutex_destroy(&hall->judit.m);
    ::munmap(mem, size);
  });
}
