"""Reading a results file, for the report scripts (results_table, lecture_ratios, echo_verdict):
the parsed document, or one line on stderr, "<prog>: <path>: not a results file (<why>)", and
exit 2. It checks only that there is a "results" list to read; validate_results.py checks the
rest against the schema."""
import json
import sys


def load(path, prog):
    try:
        with open(path) as f:
            doc = json.load(f)
        doc["results"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"{prog}: {path}: not a results file ({e})", file=sys.stderr)
        sys.exit(2)
    return doc
