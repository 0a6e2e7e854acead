#include "aio/detail/frame_allocator.hpp"

#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AIO_FRAME_CACHE 0
#else
#define AIO_FRAME_CACHE 1
#endif

namespace aio::detail {

#if AIO_FRAME_CACHE

namespace {

constexpr std::size_t granule = 32;
constexpr std::size_t max_cached_size = 1024;
constexpr std::size_t classes = max_cached_size / granule;
constexpr unsigned max_per_class = 1024;

struct FreeBlock {
  FreeBlock* next;
};

struct Cache {
  FreeBlock* heads[classes] = {};
  unsigned counts[classes] = {};
  ~Cache() {
    for (std::size_t c = 0; c < classes; ++c)
      while (FreeBlock* b = heads[c]) {
        heads[c] = b->next;
        ::operator delete(b);
      }
  }
};

thread_local Cache t_cache;

}  // namespace

void* allocate_frame(std::size_t size) {
  if (size > max_cached_size || size == 0) return ::operator new(size);
  const std::size_t c = (size - 1) / granule;
  Cache& cache = t_cache;
  if (FreeBlock* b = cache.heads[c]) {
    cache.heads[c] = b->next;
    --cache.counts[c];
    return b;
  }
  return ::operator new((c + 1) * granule);
}

void free_frame(void* p, std::size_t size) noexcept {
  if (size <= max_cached_size && size != 0) {
    const std::size_t c = (size - 1) / granule;
    Cache& cache = t_cache;
    if (cache.counts[c] < max_per_class) {
      auto* b = static_cast<FreeBlock*>(p);
      b->next = cache.heads[c];
      cache.heads[c] = b;
      ++cache.counts[c];
      return;
    }
  }
  ::operator delete(p);
}

#else

void* allocate_frame(std::size_t size) { return ::operator new(size); }
void free_frame(void* p, std::size_t) noexcept { ::operator delete(p); }

#endif

}  // namespace aio::detail
