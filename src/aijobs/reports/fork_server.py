"""Imported last by the report workers' fork server, and by nothing else (see
build._worker_context): the fork server ends at once when the build that started it does.

multiprocessing's fork server ends with SystemExit when its build closes its end of their
pipe, and the interpreter then tears down everything worker_imports loaded (papermill,
nbconvert, IPython...): 0.14 s of CPU (measured), for nothing, while the fork server still
holds the build's standard output and error, which a caller that reads them (`make bench`, a
test, a pipe) waits on after the build has ended. It holds no file, buffer or child that needs
the clean-up: its workers have ended (each ends without it, by os._exit, as multiprocessing's
forked children do).
"""

from __future__ import annotations

import atexit
import os
import sys


def _end_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(0)


# registered last, so run first: the handlers registered before (multiprocessing's own) and
# the teardown of every module are skipped
atexit.register(_end_now)
