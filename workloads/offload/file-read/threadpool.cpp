// file-read on a fixed pool of worker threads (ThreadPoolExecutor's way): a read of one file,
// compared on the worker, submitted per file; the futures are awaited in turn.
#include <future>
#include <vector>

#include "common/thread_pool.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "file-read", [](wl::Workload& w) {
    file_read::Params p(w);
    const file_read::Files files(p);
    wl::ThreadPool pool;
    w.params()["workers"] = pool.size();
    std::vector<char> ok(p.files);
    wl::Stopwatch clock;
    std::vector<std::future<bool>> pending;
    for (int i = 0; i < p.files; ++i)
      pending.push_back(pool.submit(
          [&files, i] { return files.matches(i, file_read::read_blocking(files.path(i))); }));
    for (int i = 0; i < p.files; ++i) ok[i] = pending[i].get();
    const double elapsed = clock.seconds();
    file_read::report(w, p, files, ok, elapsed);
  });
}
