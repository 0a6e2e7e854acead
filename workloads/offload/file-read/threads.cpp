// file-read with one thread per file, each reading and comparing its file. Up to 2000 files:
// beyond, a thread per file is not how anyone would read them.
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "file-read", [](wl::Workload& w) {
    file_read::Params p(w);
    if (p.files > 2000) w.unsupported("more than 2000 files: a thread per file");
    const file_read::Files files(p);
    std::vector<char> ok(p.files);
    std::mutex error_mutex;
    std::exception_ptr error;
    wl::Stopwatch clock;
    {
      // jthread: should starting one fail, those already started are joined, not terminated.
      std::vector<std::jthread> threads;
      for (int i = 0; i < p.files; ++i)
        threads.emplace_back([&, i] {
          try {
            ok[i] = files.matches(i, file_read::read_blocking(files.path(i)));
          } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!error) error = std::current_exception();
          }
        });
    }
    const double elapsed = clock.seconds();
    if (error) std::rethrow_exception(error);
    file_read::report(w, p, files, ok, elapsed);
  });
}
