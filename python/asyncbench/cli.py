"""What the scripts' command lines share: an argparse parser whose errors are one line on
stderr ("<prog>: <why>") and exit 2, as every other failure of a script is."""
import argparse
import os
import sys


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        fail(self.prog, message)


def fail(prog, message):
    """One line on stderr, exit 2."""
    print(f"{os.path.basename(prog).removesuffix('.py')}: {message}", file=sys.stderr)
    sys.exit(2)
