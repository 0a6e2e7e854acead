// cpu-offload with one fork()ed process per chunk (multiprocessing's way, mode processes only):
// each child computes its chunk and writes its index and result into a pipe shared by all.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <system_error>
#include <vector>

#include "scenario.hpp"

namespace {

struct Message {
  int chunk;
  cpu_offload::ChunkResult result;
};
// One write of at most PIPE_BUF bytes is atomic: children's messages never interleave.
static_assert(sizeof(Message) <= PIPE_BUF);

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "cpu-offload", [](wl::Workload& w) {
    cpu_offload::Params p(w);
    cpu_offload::require_mode(w, p, {"processes"});
    int fd[2];
    if (::pipe(fd) < 0) throw std::system_error(errno, std::system_category(), "pipe");
    wl::Stopwatch clock;
    wl::Children children;
    for (int i = 0; i < p.chunks; ++i)
      children.spawn([&, i] {
        const Message m{i, cpu_offload::run_chunk(i, p.iterations)};
        if (::write(fd[1], &m, sizeof m) != static_cast<ssize_t>(sizeof m))
          throw std::system_error(errno, std::system_category(), "write");
      });
    ::close(fd[1]);
    // The children's messages fit in the pipe's buffer (64 KiB), so the parent reads them after
    // every child has exited.
    const bool all_ok = children.wait_all();
    std::vector<cpu_offload::ChunkResult> results(p.chunks);
    int received = 0;
    for (Message m; ::read(fd[0], &m, sizeof m) == static_cast<ssize_t>(sizeof m); ++received)
      if (m.chunk >= 0 && m.chunk < p.chunks) results[m.chunk] = m.result;
    const double elapsed = clock.seconds();
    ::close(fd[0]);
    w.check(all_ok, "a child process failed");
    w.check(received == p.chunks, "only " + std::to_string(received) + " chunks came back");
    cpu_offload::report(w, p, results, elapsed);
  });
}
