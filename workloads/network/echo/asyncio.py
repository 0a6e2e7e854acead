"""The echo server on asyncio (py-asyncio) and uvloop (py-uvloop), written as asyncio's docs write
one (the TCP Echo Server example under Transports and Protocols, less its close after the first
message): loop.create_server with a Protocol whose data_received writes every chunk straight back
with transport.write.

    asyncio.py --model py-asyncio|py-uvloop [--host 127.0.0.1] [--port 0] [--no-nodelay]

The Protocol API rather than streams (asyncio.start_server): it is the faster idiom, since streams
put a StreamReader, a StreamWriter and a coroutine on top of this same protocol for every
connection. The same file serves uvloop, whose loop runs these protocols on libuv.

The shared knobs (workloads/network/echo/server.hpp): the listen backlog is 1024; TCP_NODELAY is
already on every accepted connection on both loops (asyncio's selector transport calls
base_events._set_nodelay, uvloop's TCPTransport.new calls uv_tcp_nodelay), so --no-nodelay turns
it off and nothing turns it on; the read size is the transport's own, not 16 KiB (asyncio recv()s
up to 256 KiB, uvloop reads into a 256,000-byte loop buffer), as a Protocol cannot choose it.
Flow control: when the transport's write buffer passes its high-water mark (64 KiB on both
loops, the peer not reading), pause_writing pauses reading until resume_writing, so a client that
does not read holds the server's memory to one write buffer, like the C++ models' read-then-write.

Prints "listening <host>:<port>" (the port it got, for --port 0); stops on SIGINT or SIGTERM
(loop.add_signal_handler) by closing the server and every live transport, then exits 0. A taken
port: one line on stderr, exit 1; bad arguments: one line on stderr, exit 2.
"""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402

import wl  # noqa: E402

BACKLOG = 1024  # echo::kBacklog
# How long the stop waits for closed connections to flush what they still have to write before
# dropping them (a peer that does not read would otherwise hold the exit up forever).
CLOSE_GRACE_S = 0.5


class Echo(asyncio.Protocol):
    """One connection. eof_received is Protocol's own (returns None): on the client's EOF the
    transport closes itself, after its write buffer has drained, so no echoed byte is lost."""

    def __init__(self, live, nodelay):
        self.live = live
        self.nodelay = nodelay
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.live.add(transport)
        if not self.nodelay:
            transport.get_extra_info("socket").setsockopt(
                socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)

    def data_received(self, data):
        self.transport.write(data)

    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()

    def connection_lost(self, exc):
        # exc: None after a close, or the reset; either way only this connection ends.
        self.live.discard(self.transport)


class Live(set):
    """The open transports, and an event set whenever the last of them is gone."""

    def __init__(self):
        super().__init__()
        self.empty = asyncio.Event()

    def discard(self, transport):
        super().discard(transport)
        if not self:
            self.empty.set()


async def serve(prog, host, port, nodelay):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    live = Live()
    try:
        # IPv4 only, as the C++ servers: a name that also resolves to ::1 would get two sockets.
        server = await loop.create_server(lambda: Echo(live, nodelay), host, port,
                                          family=socket.AF_INET, backlog=BACKLOG)
    except OSError as e:
        # asyncio wraps the errno's words in a longer sentence: keep the words, as the C++ servers.
        plain = e.errno and not isinstance(e, socket.gaierror)
        reason = os.strerror(e.errno) if plain else (e.strerror or str(e))
        sys.stderr.write(f"{prog}: bind {host}:{port}: {reason}\n")
        return 1
    print(f"listening {host}:{server.sockets[0].getsockname()[1]}", flush=True)

    await stop.wait()
    # Stopping: a second signal is ignored. Left to the loop, the handlers would go back to the
    # defaults when it closes, and a signal during the interpreter's exit (some 20 ms) would kill
    # the process (143, or a KeyboardInterrupt) after a clean stop.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(sig)
        signal.signal(sig, signal.SIG_IGN)
    server.close()  # stops accepting; Python 3.11 leaves the connections to us
    if live:
        live.empty.clear()
        for transport in list(live):
            transport.close()
        try:
            await asyncio.wait_for(live.empty.wait(), CLOSE_GRACE_S)
        except asyncio.TimeoutError:
            for transport in list(live):
                transport.abort()
    await server.wait_closed()
    return 0


def main():
    prog = f"echo ({sys.argv[0]})"
    parser = wl.Parser(prog=prog)  # bad input: one line on stderr, exit 2

    def port_number(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
        if not 0 <= value <= 65535:
            raise argparse.ArgumentTypeError(f"must be 0 to 65535, not {text}")
        return value

    parser.add_argument("--model", required=True, choices=wl.program_models())
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port_number, default=0,
                        help="port to listen on (0: any free port)")
    parser.add_argument("--no-nodelay", dest="nodelay", action="store_false",
                        help="leave Nagle's algorithm on")
    parser.add_argument("--exit-after-s", type=float, default=0,
                        help="end by itself (SIGALRM) this many seconds after starting")
    args = parser.parse_args()
    if args.exit_after_s:
        if not 1 <= args.exit_after_s <= 86400:
            parser.error("--exit-after-s must be from 1 to 86400")
        # As server.hpp: SIGALRM's default action, no handler (the counted profile's backstop).
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(math.ceil(args.exit_after_s))
    # A descriptor per connection: raise the soft limit to the hard one, as server.hpp does.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    wl.install_loop(args.model)
    sys.exit(wl.run_loop(serve(prog, args.host, args.port, args.nodelay), args.model))


main()
