"""Real git repositories for the git tests, built in temporary directories and isolated from
the machine's git configuration."""

from __future__ import annotations

import os
import random
import string
import subprocess
import uuid
from pathlib import Path

ISOLATED = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Lovelace",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_TERMINAL_PROMPT": "0",
}


def scw_pair(seed: int) -> tuple[str, str]:
    """A fake Scaleway access key and secret key, distinct per seed."""
    rng = random.Random(seed)
    access = "SCW" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(17))
    return access, str(uuid.UUID(int=rng.getrandbits(128), version=4))


def scw_env(seed: int) -> str:
    access, secret = scw_pair(seed)
    return f"SCW_ACCESS_KEY={access}\nSCW_SECRET_KEY={secret}\n"


class Repo:
    """A repository with a clock: each commit is one day after the previous one."""

    def __init__(self, path: Path, *, bare: bool = False, init: bool = True) -> None:
        self.path = path
        self.day = 0
        if init:
            path.mkdir(parents=True, exist_ok=True)
            self.git("init", "-q", "-b", "main", *(["--bare"] if bare else []))

    def env(self) -> dict[str, str]:
        date = f"2024-01-{self.day + 1:02d}T12:00:00+00:00"
        return {**os.environ, **ISOLATED, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}

    def git(self, *args: str, input: str | None = None) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.path), *args],
            input=input,
            capture_output=True,
            text=True,
            env=self.env(),
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
        return done.stdout.strip()

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def commit(self, message: str, files: dict[str, str | bytes] | None = None) -> str:
        """Write `files`, stage everything and commit; returns the commit id."""
        for name, content in (files or {}).items():
            self.write(name, content)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        self.day += 1
        return self.git("rev-parse", "HEAD")

    def blob(self, rev_path: str) -> str:
        return self.git("rev-parse", rev_path)
