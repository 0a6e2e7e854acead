// The loop's default executor: the threads behind aio::to_thread.
//
// Sized as asyncio's default ThreadPoolExecutor, min(32, cores + 4), and, like it, started lazily:
// a worker is added only when a job arrives and no worker is idle. Jobs are intrusive nodes that
// live in the awaiting coroutine's frame, so submitting allocates nothing. A finished job is handed
// back to its loop through Loop::post_completion, which wakes the loop through its backend (an
// eventfd write on epoll, a completion on the ring's eventfd read on io_uring).
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace aio::detail {

class Loop;

struct JobNode {
  JobNode* next = nullptr;
  JobNode* prev = nullptr;
  Loop* loop = nullptr;
  const void* owner = nullptr;              // the task it runs for (traces name it)
  bool queued = false;                      // guarded by the pool's mutex
  void (*run)(JobNode*) noexcept = nullptr;       // on a worker thread
  void (*complete)(JobNode*) noexcept = nullptr;  // back on the loop's thread
};

class ThreadPool {
 public:
  explicit ThreadPool(unsigned max_threads);
  ~ThreadPool();  // stops and joins the workers; every job must have completed
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues a job; starts a worker if none is idle and the pool is below its size. Throws
  // std::system_error only if no worker exists and none can be started.
  void submit(JobNode* job);
  // Takes a job back if no worker has picked it up yet. Returns true if it did.
  bool try_remove(JobNode* job) noexcept;

  unsigned max_threads() const noexcept { return m_max; }
  static unsigned default_size() noexcept;

 private:
  void worker();

  std::mutex m_mutex;
  std::condition_variable m_cv;
  JobNode* m_head = nullptr;
  JobNode* m_tail = nullptr;
  std::vector<std::thread> m_threads;
  unsigned m_idle = 0;
  unsigned m_max;
  bool m_stopping = false;
};

}  // namespace aio::detail
