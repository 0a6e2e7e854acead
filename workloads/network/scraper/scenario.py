"""What scraper's Python models share (scenario.hpp's Python half): the parameters and the
ideals; the fetches and the checks are network/common/http_client.py's."""
import http_client
import wl


def add_params(w):
    http_client.add_target_params(w)
    w.add("--urls", type=wl.positive_int, default=32)
    w.add("--limit", type=wl.positive_int, default=4)
    args = w.parse()
    w.params.update(urls=args.urls, limit=args.limit)
    http_client.record_target(w, args)
    return args


def require_one_in_flight(w, args):
    """Sequential code has one request in flight: a larger limit is not its to honour."""
    if args.limit > 1:
        w.unsupported("sequential code has one request in flight: it runs --limit 1 only, "
                      f"not {args.limit}")


def report(w, args, pages, max_in_flight, elapsed, sequential_model):
    """http_client.report with this workload's ideals (urls x delay in turn; ceil(urls / limit)
    waves of one delay with the limit), and the limit itself: never more than --limit requests
    in flight (metric max_in_flight)."""
    d = http_client.delay_s(args)
    sequential = args.urls * d
    limited = -(-args.urls // args.limit) * d
    http_client.report(w, args, pages, elapsed, ideal=sequential if sequential_model else limited,
                       sequential=sequential, concurrent=limited)
    w.metrics["max_in_flight"] = max_in_flight
    w.check(max_in_flight <= args.limit,
            f"{max_in_flight} requests were in flight at once, over the limit of {args.limit}")
