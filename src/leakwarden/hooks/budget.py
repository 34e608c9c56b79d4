"""A time budget for the server-side scan: a push must not hang on a huge import. The scan runs
in a forked child leading its own process group, so that when time is up the whole of it — its
worker processes and git commands too — is stopped at once, and nothing is left running on the
server."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable

EXIT_BUG = 128


def run_within(work: Callable[[], int], seconds: float) -> int | None:
    """`work()`'s exit code, or None if it did not finish within `seconds` (0: no limit). Where
    there is no fork (Windows), the work runs here without a limit."""
    if seconds <= 0 or not hasattr(os, "fork"):
        return work()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = EXIT_BUG
        try:
            os.setpgid(0, 0)
            code = work()
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    with contextlib.suppress(OSError):  # also here: whichever runs first, the group exists in time
        os.setpgid(pid, pid)
    deadline = time.monotonic() + seconds
    pause = 0.002
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else EXIT_BUG
        if time.monotonic() >= deadline:
            break
        time.sleep(min(pause, max(deadline - time.monotonic(), 0.0)))
        pause = min(pause * 2, 0.05)
    with contextlib.suppress(OSError):  # it may have just finished
        os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None
