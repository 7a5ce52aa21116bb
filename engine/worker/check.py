"""Can this file be a lesson? `python -m asyncplay.engine.worker.check PATH` imports it as
the worker would and looks for its `main`: silent with status 0 if all is well, else the
reason in one line on stdout and status 2 (no main, or one that cannot be called with
the job alone).

A child process of its own, like a run's worker: importing a lesson may monkey-patch the
standard library (gevent), or run any code at all.
"""

from __future__ import annotations

import contextlib
import sys

from .worker import load_file, unfit_entry


def main() -> None:
    path = sys.argv[1]
    try:
        with contextlib.redirect_stdout(sys.stderr):  # stdout is for the reason alone
            module = load_file(path)
    except SystemExit as stop:
        sys.exit(_say(str(stop.code)))
    except BaseException as error:  # whatever importing it raised is the reason
        sys.exit(_say(f"importing it raised {type(error).__name__}: {error}"))
    main = getattr(module, "main", None)
    if not callable(main):
        sys.exit(_say("no main(job): a lesson needs a function `main` that takes the job"))
    unfit = unfit_entry(main, "main")
    if unfit is not None:
        sys.exit(_say(unfit))


def _say(reason: str) -> int:
    print(reason.splitlines()[0] if reason else "it would not load")
    return 2


if __name__ == "__main__":
    main()
