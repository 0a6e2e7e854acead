// Where coroutine frames come from.
//
// Frames are allocated and freed at a high rate (one per co_await of a coroutine, one per task),
// and in a profile of `co_await immediate()` malloc and free took 40 % of the time. Asio recycles
// its awaitable frames through a per-thread cache for the same reason; aio does the same: freed
// frames go to a per-thread free list per 32-byte size class (up to 1 KiB frames, at most 1,024
// kept per class, so a spike of a million tasks is given back to malloc rather than hoarded).
// Under AddressSanitizer or ThreadSanitizer the cache is off, so that a use of a freed frame is
// still reported.
#pragma once

#include <cstddef>

namespace aio::detail {

void* allocate_frame(std::size_t size);
void free_frame(void* p, std::size_t size) noexcept;

}  // namespace aio::detail
