// as-completed with one fork()ed process per call (multiprocessing's way): each child writes its
// result into a pipe the children share as soon as it has it, and the parent reads the results
// in the order they arrive.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <system_error>
#include <thread>
#include <vector>

#include "scenario.hpp"

namespace {

// One result on the pipe: written in one write(), atomic since it is smaller than PIPE_BUF.
struct Record {
  std::int64_t number;
  std::int64_t result;
};

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "as-completed", [](wl::Workload& w) {
    as_completed::Params p(w);
    using as_completed::inputs;
    const auto second = w.scaled(1);
    int fd[2];
    if (::pipe(fd) < 0) throw std::system_error(errno, std::system_category(), "pipe");
    wl::Stopwatch clock;
    wl::Children children;
    for (int n : inputs)
      children.spawn([&, n] {
        ::close(fd[0]);
        const auto [number, result] = as_completed::blocking_factorial(n, second);
        const Record r{number, result};
        if (::write(fd[1], &r, sizeof r) != sizeof r)
          throw std::system_error(errno, std::system_category(), "write");
      });
    ::close(fd[1]);  // so that the read below sees the end once every child has exited
    std::vector<as_completed::Result> arrived;
    Record r;
    while (arrived.size() < inputs.size() && ::read(fd[0], &r, sizeof r) == sizeof r)
      arrived.emplace_back(int(r.number), long(r.result));
    ::close(fd[0]);
    const bool all_ok = children.wait_all();
    const double elapsed = clock.seconds();
    w.check(all_ok, "a child process failed");
    as_completed::report(w, arrived, elapsed, true);
  });
}
