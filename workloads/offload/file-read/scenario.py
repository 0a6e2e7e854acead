"""What file-read's Python models share (scenario.hpp's Python half): the parameters, the files
(written on entry, removed on exit, also on failure), the checks and the metrics."""
import os
import random
import resource
import tempfile

import wl


def add_params(w):
    w.add("--files", type=wl.positive_int, default=500)
    w.add("--size-kb", type=wl.positive_int, default=64)
    args = w.parse()
    w.params.update(files=args.files, size_kb=args.size_kb)
    return args


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


class Files:
    """The run's files, as scenario.hpp writes them: one random block stored twice; file i is the
    window that starts at byte (i * 977) % size, checked with one comparison against it. Under
    $TMPDIR if set, else /dev/shm if there is one, else the system's temporary directory."""

    def __init__(self, files, size):
        self.size = size
        self.pattern = random.Random(1).randbytes(size) * 2
        self.offsets = [i * 977 % size for i in range(files)]
        base = os.environ.get("TMPDIR") or ("/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK)
                                            else None)
        self._dir = tempfile.TemporaryDirectory(prefix="asyncbench-file-read-", dir=base)
        self.base = os.path.dirname(self._dir.name)
        self.paths = [os.path.join(self._dir.name, f"f{i}") for i in range(files)]
        for path, off in zip(self.paths, self.offsets):
            with open(path, "wb") as f:
                f.write(self.pattern[off:off + size])
        self.faults_at_start = minor_faults()

    def matches(self, i, data):
        """Whether `data` is file i, whole."""
        return len(data) == self.size and self.pattern.startswith(data, self.offsets[i])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._dir.cleanup()


def raise_open_file_limit(files):
    """Every file in flight has a descriptor open: raise the soft limit to the hard one, as
    scenario.hpp does, so that 2000 files fit under a soft 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < files + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(w, args, read_all):
    """Writes the files, times read_all(files) -> [ok per file], removes the files, reports the
    same checks and metrics as scenario.hpp's file_read::report."""
    raise_open_file_limit(args.files)
    with Files(args.files, args.size_kb * 1024) as files:
        s = wl.Stopwatch()
        ok = read_all(files)
        elapsed = s.seconds()
        faults = minor_faults() - files.faults_at_start
        base = files.base
    w.elapsed(elapsed)
    bad = [i for i, good in enumerate(ok) if not good]
    w.metrics.update(files=args.files, mb_per_s=args.files * args.size_kb * 1024 / elapsed / 1e6,
                     peak_rss_kb=wl.peak_rss_kb(), page_faults=faults, dir=base)
    w.check(len(ok) == args.files, "not every file was read")
    w.check(not bad, f"{len(bad)} files differ from what was written (first: f{(bad or [''])[0]})")
