// Waiting until a descriptor the caller owns is readable or writable (asyncio's loop.add_reader /
// loop.add_writer, as something to await): for libraries that do their own non-blocking I/O on a
// socket or pipe and only need to know when to try again, such as libpq's PQconsumeInput/PQflush.
//
//   while (PQflush(conn) == 1) co_await aio::wait_writable(PQsocket(conn));
//   co_await aio::wait_readable(PQsocket(conn));
//   PQconsumeInput(conn);
//
// Each wait is one-shot, with poll(2)'s meaning: it completes once the descriptor is readable
// (writable), or has an error or hang-up condition, which the caller's next read or write then
// reports. Nothing is read or written, and nothing stays registered afterwards: on epoll the
// descriptor is added to the loop's epoll set when a wait on it begins (edge-triggered, checked
// with a zero-timeout poll(2) so that a stale edge is not taken for readiness) and deleted when
// the last wait on it ends; on io_uring each wait is one IORING_OP_POLL_ADD, without MULTI.
//
// The descriptor stays the caller's: aio never closes it and never changes its flags (it may be
// blocking; only the caller's own reads and writes care). It must not be closed while a wait on
// it is pending (cancel the wait first), and it must not be a descriptor that aio itself operates
// on (a TcpStream's or TcpListener's native_handle(): use their operations; epoll refuses it
// with EEXIST).
//
// Cancellation (Task::cancel, wait_for's timeout, a TaskGroup's failure) throws CancelledError
// (TimeoutError) at the co_await once the interest is gone: the descriptor is unregistered on
// epoll, and on io_uring the poll is cancelled in the kernel and its completion reaped before the
// task resumes. Afterwards the same descriptor can be waited on again, or closed. A wait whose
// readiness arrived before the cancellation completes normally, and the cancellation comes at the
// task's next suspension point (as for every aio operation).
//
// One read-wait and one write-wait may be pending at once on a descriptor (from different tasks,
// like a stream's read and write). A second wait in the same direction while one is pending is a
// std::logic_error, as asyncio's add_reader replaces rather than adds.
#pragma once

#include "aio/task.hpp"

namespace aio {

// Completes when `fd` is readable, or at an error or hang-up (a peer that closed, a pipe whose
// write end is closed). Throws std::system_error with the errno and "wait_readable fd N":
// EBADF for a descriptor that is not open; EPERM for a regular file, a directory or a block
// device (always "ready" to poll(2), so waiting on one is a mistake; asyncio and libuv refuse
// them too). Another descriptor that the kernel cannot poll (a character device without a poll
// method, such as /dev/null) is always ready, as poll(2) reports it: the wait completes at once.
// The same on both backends. Throws std::logic_error if another task already waits for `fd` to
// be readable, or outside a running loop.
Task<void> wait_readable(int fd);

// The same for writable (room in the send buffer or the pipe; or an error or hang-up).
Task<void> wait_writable(int fd);

}  // namespace aio
