// The lecture scenarios, written as an outside program would write them against SPEC §4, at a
// 0.1 time scale. Checks the order of events and the elapsed time of each; prints them as the
// lectures do. Usage: lectures epoll|io_uring. Exit 0: all good; 1: a check failed; 77: the
// backend is not available here.
#include <aio/aio.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr double scale = 0.1;
int failures = 0;
std::vector<std::string> events;

std::chrono::duration<double> secs(double s) { return std::chrono::duration<double>(s * scale); }

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

void say(std::string s) {
  std::printf("  %s\n", s.c_str());
  events.push_back(std::move(s));
}

aio::Task<void> count() {
  say("One");
  co_await aio::sleep(secs(1));
  say("Two");
}

aio::Task<void> say_after(double delay, std::string what) {
  co_await aio::sleep(secs(delay));
  say(what);
}

aio::Task<long> factorial(std::string name, int number) {
  long f = 1;
  for (int i = 2; i <= number; ++i) {
    say("Task " + name + ": Compute factorial(" + std::to_string(i) + ")...");
    co_await aio::sleep(secs(1));
    f *= i;
  }
  say("Task " + name + ": factorial(" + std::to_string(number) + ") = " + std::to_string(f));
  co_return f;
}

aio::Task<std::pair<int, long>> factorial_of(int number) {
  long f = 1;
  for (int i = 2; i <= number; ++i) {
    co_await aio::sleep(secs(1));
    f *= i;
  }
  co_return std::pair{number, f};
}

aio::Task<void> eternity() {
  co_await aio::sleep(1h);
  say("yay!");
}

void blocking_io() { std::this_thread::sleep_for(secs(1)); }

template <class F>
double timed(const char* name, F&& body) {
  events.clear();
  std::printf("%s\n", name);
  const auto t0 = std::chrono::steady_clock::now();
  body();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("  exec in %.2f seconds (%.2f at full scale)\n", s, s / scale);
  return s;
}

bool within(double s, double lo, double hi) { return s >= lo && s < hi; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::string(argv[1]) != "epoll" && std::string(argv[1]) != "io_uring")) {
    std::fprintf(stderr, "usage: lectures epoll|io_uring\n");
    return 2;
  }
  const aio::Backend b = std::string(argv[1]) == "epoll" ? aio::Backend::epoll : aio::Backend::io_uring;
  try {
    aio::run(aio::sleep(0s), b);
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "%s: not available: %s\n", argv[1], e.what());
    return 77;
  }

  double t = timed("count", [&] {
    aio::run([]() -> aio::Task<void> { co_await aio::gather(count(), count(), count()); }(), b);
  });
  check(events == std::vector<std::string>{"One", "One", "One", "Two", "Two", "Two"}, "count order");
  check(within(t, 0.1, 0.2), "count takes 1 unit");

  t = timed("say_after, awaited in turn", [&] {
    aio::run([]() -> aio::Task<void> {
      co_await say_after(1, "hello");
      co_await say_after(2, "world");
    }(), b);
  });
  check(events == std::vector<std::string>{"hello", "world"}, "say_after order");
  check(within(t, 0.3, 0.4), "say_after in turn takes 3 units");

  t = timed("say_after, as two tasks", [&] {
    aio::run([]() -> aio::Task<void> {
      auto task1 = aio::create_task(say_after(1, "hello"));
      auto task2 = aio::create_task(say_after(2, "world"));
      co_await task1;
      co_await task2;
    }(), b);
  });
  check(events == std::vector<std::string>{"hello", "world"}, "say_after tasks order");
  check(within(t, 0.2, 0.3), "say_after as tasks takes 2 units");

  std::tuple<long, long, long> facts{};
  t = timed("gather factorial", [&] {
    facts = aio::run([]() -> aio::Task<std::tuple<long, long, long>> {
      co_return co_await aio::gather(factorial("A", 2), factorial("B", 3), factorial("C", 4));
    }(), b);
  });
  check(facts == std::tuple<long, long, long>{2, 6, 24}, "gather factorial results");
  check(events.size() == 9 && events[3] == "Task A: factorial(2) = 2" &&
            events[8] == "Task C: factorial(4) = 24",
        "gather factorial order");
  check(within(t, 0.3, 0.45), "gather factorial takes 3 units");

  std::vector<std::pair<int, long>> done;
  t = timed("as_completed", [&] {
    aio::run([](std::vector<std::pair<int, long>>* out) -> aio::Task<void> {
      std::vector<aio::Task<std::pair<int, long>>> ts;
      for (int n : {4, 3, 5, 2}) ts.push_back(factorial_of(n));
      for (auto next : aio::as_completed(std::move(ts))) {
        auto r = co_await next;
        say("Factorial(" + std::to_string(r.first) + ") = " + std::to_string(r.second));
        out->push_back(r);
      }
    }(&done), b);
  });
  check(done == std::vector<std::pair<int, long>>{{2, 2}, {3, 6}, {4, 24}, {5, 120}},
        "as_completed order");
  check(within(t, 0.4, 0.55), "as_completed takes 4 units");

  t = timed("wait_for", [&] {
    aio::run([]() -> aio::Task<void> {
      try {
        co_await aio::wait_for(eternity(), secs(1));
      } catch (const aio::TimeoutError&) {
        say("timeout!");
      }
    }(), b);
  });
  check(events == std::vector<std::string>{"timeout!"}, "wait_for times out");
  check(within(t, 0.1, 0.2), "wait_for takes 1 unit");

  t = timed("blocking_io three times, inline", [&] {
    aio::run([]() -> aio::Task<void> {
      blocking_io();
      blocking_io();
      blocking_io();
      co_return;
    }(), b);
  });
  check(within(t, 0.3, 0.4), "inline blocking takes 3 units");
  t = timed("blocking_io three times, to_thread", [&] {
    aio::run([]() -> aio::Task<void> {
      co_await aio::gather(aio::to_thread(blocking_io), aio::to_thread(blocking_io),
                           aio::to_thread(blocking_io));
    }(), b);
  });
  check(within(t, 0.1, 0.2), "to_thread blocking takes 1 unit");

  int sem_result = aio::run([]() -> aio::Task<int> {
    aio::Semaphore sem(2);
    {
      auto held = co_await sem.acquire();
      if (sem.value() != 1) co_return -1;
    }
    auto compute = [](int a, int b) -> aio::Task<int> {
      co_await aio::sleep(1ms);
      co_return a + b;
    };
    auto task = aio::create_task(compute(1, 2));
    int v = co_await task;
    int w = co_await aio::to_thread(+[](int x) { return x * 2; }, v);
    co_return static_cast<int>(sem.value()) + w;
  }(), b);
  check(sem_result == 8, "semaphore guard, create_task, to_thread");

  std::printf("%s: %s\n", argv[1], failures ? "FAILED" : "all lecture scenarios passed");
  return failures ? 1 : 0;
}
