"""What http-fetch's Python models share (scenario.hpp's Python half): the parameters and the
ideals; the fetches and the checks are network/common/http_client.py's."""
import http_client
import wl


def add_params(w):
    http_client.add_target_params(w)
    w.add("--pages", type=wl.positive_int, default=2)  # the lecture's two pages
    args = w.parse()
    w.params.update(pages=args.pages)
    http_client.record_target(w, args)
    return args


def report(w, args, pages, elapsed, concurrent):
    """http_client.report with this workload's ideals: pages x delay in turn, one delay at once."""
    d = http_client.delay_s(args)
    sequential = args.pages * d
    http_client.report(w, args, pages, elapsed, ideal=d if concurrent else sequential,
                       sequential=sequential, concurrent=d)
