// Internal helpers shared by every aio header: the invariant check.
//
// A broken invariant inside the runtime is a bug, not an error a caller can handle, so it aborts
// with a message naming the place (STYLE: "A broken invariant aborts with a message").
#pragma once

namespace aio::detail {

[[noreturn]] void invariant_failed(const char* what, const char* file, int line) noexcept;

}  // namespace aio::detail

#define AIO_ASSERT(cond, what)                                          \
  do {                                                                  \
    if (!(cond)) ::aio::detail::invariant_failed((what), __FILE__, __LINE__); \
  } while (false)
