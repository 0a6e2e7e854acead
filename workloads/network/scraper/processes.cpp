// scraper with one fork()ed process per URL, at most --limit of them fetching at once: a
// process-shared POSIX semaphore (sem_init with pshared = 1) in MAP_SHARED memory mapped before
// the forks holds the permits, and the in-flight count lives beside it. Each child stores the
// body's size in its slot of a shared array; a child that fails writes its error into a pipe the
// parent reads after.
#include <semaphore.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "scenario.hpp"

namespace {

struct Shared {
  sem_t permits;
  http::InFlight in_flight;
  http::FailFast fail_fast;  // a URL whose turn comes after a failure is skipped
};

// Holds a permit of a process-shared semaphore while it lives.
class Permit {
 public:
  explicit Permit(sem_t& s) : m_s(s) {
    while (::sem_wait(&m_s) < 0)
      if (errno != EINTR) throw std::system_error(errno, std::system_category(), "sem_wait");
  }
  ~Permit() { ::sem_post(&m_s); }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;

 private:
  sem_t& m_s;
};

}  // namespace

int main(int argc, char** argv) {
  return wl::main(argc, argv, "scraper", [](wl::Workload& w) {
    const scraper::Params p(w);
    const std::string request = p.target.request();
    http::SharedArray<std::size_t> pages(p.urls, http::kNotFetched);
    http::SharedArray<Shared> shared(1);
    Shared& s = shared[0];
    if (::sem_init(&s.permits, 1, static_cast<unsigned>(p.limit)) < 0)
      throw std::system_error(errno, std::system_category(), "sem_init");
    wl::PipeEventLog errors;
    wl::Stopwatch clock;
    bool all_ok;
    {
      wl::Children children;
      for (std::size_t i = 0; i < pages.size(); ++i)
        children.spawn([&, i] {
          const Permit permit(s.permits);
          const http::InFlight::Count counted(s.in_flight);
          pages[i] =
              http::fetch_in_child(errors, [&] { return s.fail_fast.fetch(p.target, request); });
        });
      all_ok = children.wait_all();
    }
    const double elapsed = clock.seconds();
    ::sem_destroy(&s.permits);
    if (const auto e = errors.collect(); !e.empty()) throw std::runtime_error(e.front());
    w.check(all_ok, "a child process failed");
    scraper::report(w, p, pages.span(), s.in_flight.max(), elapsed, p.ideal_limited());
  });
}
