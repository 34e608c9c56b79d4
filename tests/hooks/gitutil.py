"""git for the hook tests: real commands, failures raised with git's own words."""

from __future__ import annotations

import subprocess
from pathlib import Path

# The rules the hook tests need: a cold compile of the whole catalogue costs more than they do.
CONFIG = 'enable = ["scaleway"]\n'


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done
