"""file-read, sequential Python (py-sync): open().read() each file in turn."""
import os
import sys

# Run as a script, this file's folder would come first on sys.path, where a model file named
# asyncio.py would shadow the standard module: put the shared folder there instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
sys.path.insert(0, os.path.join(_here, "..", "..", "common"))

import wl  # noqa: E402

sys.path.append(_here)  # this workload's scenario.py, after the standard library
import scenario  # noqa: E402


def read_file(filepath):
    with open(filepath, "rb") as file:
        return file.read()


def read_all(files):
    return [files.matches(i, read_file(path)) for i, path in enumerate(files.paths)]


def body(w):
    args = scenario.add_params(w)
    scenario.run(w, args, read_all)


wl.main("file-read", body)
