#include "aio/detail/thread_pool.hpp"

#include <algorithm>
#include <system_error>

#include "aio/detail/config.hpp"
#include "aio/detail/loop.hpp"

namespace aio::detail {

unsigned ThreadPool::default_size() noexcept {
  // asyncio's default executor: min(32, os.cpu_count() + 4).
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return std::min(32u, cores + 4);
}

ThreadPool::ThreadPool(unsigned max_threads) : m_max(std::max(1u, max_threads)) {}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(m_mutex);
    AIO_ASSERT(m_head == nullptr, "thread pool destroyed with queued jobs");
    m_stopping = true;
  }
  m_cv.notify_all();
  for (auto& t : m_threads) t.join();
}

void ThreadPool::submit(JobNode* job) {
  std::unique_lock lock(m_mutex);
  job->next = nullptr;
  job->prev = m_tail;
  if (m_tail)
    m_tail->next = job;
  else
    m_head = job;
  m_tail = job;
  job->queued = true;
  if (m_idle > 0) {
    --m_idle;  // claimed: a second submit before the worker wakes must not count it again
    lock.unlock();
    m_cv.notify_one();
    return;
  }
  if (m_threads.size() < m_max) {
    try {
      m_threads.emplace_back([this] { worker(); });
    } catch (const std::system_error&) {
      // No new worker; the existing ones will get to the job. With none at all, give it back.
      if (m_threads.empty()) {
        m_head = m_tail = nullptr;
        job->queued = false;
        throw;
      }
    }
  }
}

bool ThreadPool::try_remove(JobNode* job) noexcept {
  std::lock_guard lock(m_mutex);
  if (!job->queued) return false;
  if (job->prev)
    job->prev->next = job->next;
  else
    m_head = job->next;
  if (job->next)
    job->next->prev = job->prev;
  else
    m_tail = job->prev;
  job->queued = false;
  job->next = job->prev = nullptr;
  return true;
}

void ThreadPool::worker() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    while (m_head == nullptr && !m_stopping) {
      ++m_idle;
      m_cv.wait(lock);
      // A submit that found us idle already took us off the count; a spurious or stop wakeup did not.
      if (m_head == nullptr && m_idle > 0) --m_idle;
    }
    if (m_head == nullptr) return;  // stopping, nothing left
    JobNode* job = m_head;
    m_head = job->next;
    if (m_head)
      m_head->prev = nullptr;
    else
      m_tail = nullptr;
    job->queued = false;
    lock.unlock();
    if (Tracer* tracer = job->loop->tracer()) [[unlikely]] {
      const std::int64_t begin = trace_clock_ns();
      job->run(job);
      trace_job(tracer, job->owner, begin, trace_clock_ns());
    } else {
      job->run(job);
    }
    job->loop->post_completion(job);
    lock.lock();
  }
}

}  // namespace aio::detail
