// aio: asyncio for C++20. One include for the whole API.
//
// Tasks and the loop (task.hpp, loop.hpp): Task<T>, create_task, run, sleep, Backend.
// Combinators (gather.hpp, wait.hpp, task_group.hpp): gather, wait_for, shield, as_completed,
// TaskGroup. Synchronisation (sync.hpp, queue.hpp, future.hpp): Event, Lock, Semaphore, Queue,
// Future. Async generators (generator.hpp). Blocking calls off the loop (thread.hpp): to_thread.
// I/O (net.hpp, file.hpp, signal.hpp, ready.hpp): TcpListener, TcpStream, File, read_file,
// wait_signal, and wait_readable / wait_writable for descriptors the caller owns.
// Tracing (trace.hpp): each task's life as Chrome trace events, off unless AIO_TRACE is set.
// Errors (errors.hpp): CancelledError, TimeoutError, IncompleteReadError, InvalidStateError,
// QueueEmpty, QueueFull.
#pragma once

#include "aio/errors.hpp"
#include "aio/file.hpp"
#include "aio/future.hpp"
#include "aio/gather.hpp"
#include "aio/generator.hpp"
#include "aio/loop.hpp"
#include "aio/net.hpp"
#include "aio/queue.hpp"
#include "aio/ready.hpp"
#include "aio/signal.hpp"
#include "aio/sync.hpp"
#include "aio/task.hpp"
#include "aio/task_group.hpp"
#include "aio/thread.hpp"
#include "aio/trace.hpp"
#include "aio/wait.hpp"
