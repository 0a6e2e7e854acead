// file-read, sequential: open, read and close each file in turn, comparing it as it comes.
#include "scenario.hpp"

int main(int argc, char** argv) {
  return wl::main(argc, argv, "file-read", [](wl::Workload& w) {
    file_read::Params p(w);
    const file_read::Files files(p);
    std::vector<char> ok(p.files);
    wl::Stopwatch clock;
    for (int i = 0; i < p.files; ++i)
      ok[i] = files.matches(i, file_read::read_blocking(files.path(i)));
    const double elapsed = clock.seconds();
    file_read::report(w, p, files, ok, elapsed);
  });
}
