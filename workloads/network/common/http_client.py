"""What the Python models of http-fetch and scraper share (http_client.hpp and http_workload.hpp's
Python half): the options naming the server and the page, the lecture's two fetch functions
with the checks of every response, the in-flight count, and the report.

    fetch_sync(url, expected)                  requests.get, as the lecture's fetch_sync
    await fetch_async(session, url, expected)  session.get on one aiohttp.ClientSession, as the
                                               lecture's fetch_async

The model files import requests or aiohttp themselves, at their top, so that the import is done
before their clock starts (the functions here only look the module up).

Each checks the response as the C++ models' ResponseParser does: status 200, a Content-Length
header equal to the body size asked for, and body byte i equal to 'a' + i % 26. Either returns the
body's size or raises PageError ("GET <url>: <what went wrong>"). Every request has a deadline of
TIMEOUT_S: requests' timeout (for the connect and for each read), aiohttp's ClientTimeout(total).
"""
import argparse
import asyncio
import http.client
import ipaddress
import os

TIMEOUT_S = 30
TIMEOUT_TEXT = f"no complete response within {TIMEOUT_S} s"
MAX_BYTES = 64 << 20  # the delay server's limit


class PageError(Exception):
    """A failed fetch: the URL and what went wrong."""


def _ipv4(text):
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a numeric IPv4 address: {text!r}") from None


def _int_in(lo, hi):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be in {lo}..{hi}, not {text}")
        return value
    return parse


def add_target_params(w):
    """--host, --port (required), --delay-ms, --bytes; call before w.parse()."""
    w.add("--host", type=_ipv4, default="127.0.0.1")
    w.add("--port", type=_int_in(1, 65535), required=True)
    w.add("--delay-ms", type=_int_in(0, 600 * 1000), default=100)  # the server's limit
    w.add("--bytes", type=_int_in(0, MAX_BYTES), default=1256)


def record_target(w, args):
    """The page's parameters, as given (not the server's address: its port changes every run)."""
    w.params.update(delay_ms=args.delay_ms, bytes=args.bytes)


def url(args):
    return f"http://{args.host}:{args.port}/delay/{args.delay_ms}/{args.bytes}"


def expected_body(n):
    """The body every page must have: byte i is 'a' + i % 26."""
    letters = bytes(range(ord("a"), ord("z") + 1))
    return (letters * (n // 26 + 1))[:n]


def check_page(url, status, content_length, body, expected):
    """Raises PageError unless the response is the page asked for; returns the body's size."""
    if status != 200:
        raise PageError(f"GET {url}: status {status}, expected 200")
    if content_length is None:
        raise PageError(f"GET {url}: no Content-Length header")
    if content_length != str(len(expected)):
        raise PageError(f"GET {url}: Content-Length {content_length}, expected {len(expected)}")
    if body != expected:
        if len(body) != len(expected):
            raise PageError(f"GET {url}: {len(body)} body bytes, expected {len(expected)}")
        i = next(k for k in range(len(body)) if body[k] != expected[k])
        raise PageError(f"GET {url}: body byte {i} is {chr(body[i])!r}, "
                        f"expected {chr(expected[i])!r}")
    return len(body)


def _reason(e):
    """What went wrong, said as the C++ models say it ("connect: Connection refused"), from the
    exceptions that requests and aiohttp wrap around the one that matters."""
    chain = [e]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    # urllib3 keeps the underlying error in its exceptions' arguments, not as their cause.
    found = chain + [a for c in chain for a in c.args if isinstance(a, BaseException)]
    if any(isinstance(c, TimeoutError) or type(c).__name__.endswith("Timeout") for c in found):
        return TIMEOUT_TEXT
    step = "connect: " if any(type(c).__name__ in ("NewConnectionError", "ClientConnectorError")
                              for c in found) else ""
    for c in found:
        if isinstance(c, OSError) and c.errno:
            return step + os.strerror(c.errno)
    for c in found:
        if isinstance(c, http.client.HTTPException):
            return f"{type(c).__name__}: {str(c).strip()}"
    return step + (str(e) or type(e).__name__)


def fetch_sync(url, expected):
    """The lecture's fetch_sync: requests.get (a new connection each time: requests.get makes a
    Session of its own and closes it). Returns the body's size; raises PageError."""
    import requests
    try:
        r = requests.get(url, timeout=TIMEOUT_S)
    except requests.RequestException as e:
        raise PageError(f"GET {url}: {_reason(e)}") from e
    return check_page(url, r.status_code, r.headers.get("Content-Length"), r.content, expected)


async def fetch_async(session, url, expected):
    """The lecture's fetch_async: session.get on the run's one aiohttp.ClientSession (which keeps
    connections alive for reuse). Returns the body's size; raises PageError."""
    import aiohttp
    try:
        async with session.get(url) as response:
            body = await response.read()
    except (aiohttp.ClientError, asyncio.TimeoutError) as e:
        raise PageError(f"GET {url}: {_reason(e)}") from e
    return check_page(url, response.status, response.headers.get("Content-Length"), body,
                      expected)


def client_session():
    """The run's one aiohttp.ClientSession, with the deadline of every request."""
    import aiohttp
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))


class InFlight:
    """How many requests are in flight now, and the most there ever were (one thread: plain
    counters)."""

    def __init__(self):
        self.now = 0
        self.max = 0

    def __enter__(self):
        self.now += 1
        self.max = max(self.max, self.now)
        return self

    def __exit__(self, *exc):
        self.now -= 1


def report(w, args, pages, elapsed, ideal, sequential, concurrent):
    """The same checks and metrics as http_workload.hpp's http::report: every page fetched, each
    body args.bytes long, no run faster than the server's delays (1 % aside); ideal_s,
    ideal_sequential_s, ideal_concurrent_s, bytes_total."""
    n = len(pages)
    w.elapsed(elapsed)
    w.metrics.update(ideal_s=ideal, ideal_sequential_s=sequential, ideal_concurrent_s=concurrent,
                     bytes_total=sum(p for p in pages if p is not None))
    fetched = sum(1 for p in pages if p is not None)
    wrong = sum(1 for p in pages if p is not None and p != args.bytes)
    w.check(fetched == n, f"{fetched} of {n} pages fetched")
    w.check(wrong == 0, f"{wrong} bodies were not {args.bytes} bytes long")
    w.check(elapsed >= ideal * 0.99, "finished before the server's delays could")


def delay_s(args):
    return args.delay_ms / 1e3

