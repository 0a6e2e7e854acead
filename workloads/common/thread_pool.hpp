// The `threadpool` model's executor: a fixed pool of worker threads with a FIFO queue, what
// concurrent.futures.ThreadPoolExecutor is, sized as its default, min(32, cores + 4).
// submit() returns a std::future; a task that throws sets the future's exception.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace wl {

class ThreadPool {
 public:
  static unsigned default_size() {
    return std::min(32u, std::max(1u, std::thread::hardware_concurrency()) + 4);
  }

  explicit ThreadPool(unsigned workers = default_size()) {
    for (unsigned i = 0; i < workers; ++i) m_threads.emplace_back([this] { work(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_cv.notify_all();
    for (auto& t : m_threads) t.join();
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  unsigned size() const noexcept { return static_cast<unsigned>(m_threads.size()); }

  template <class F>
  auto submit(F f) -> std::future<std::invoke_result_t<F>> {
    using R = std::invoke_result_t<F>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
    std::future<R> fut = task->get_future();
    {
      std::lock_guard lock(m_mutex);
      m_queue.emplace_back([task] { (*task)(); });
    }
    m_cv.notify_one();
    return fut;
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty()) return;
        job = std::move(m_queue.front());
        m_queue.pop_front();
      }
      job();
    }
  }

  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::function<void()>> m_queue;
  std::vector<std::thread> m_threads;
  bool m_stop = false;
};

}  // namespace wl
