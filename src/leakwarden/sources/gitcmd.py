"""The one place leakwarden runs `git`: finding it, opening a repository, running plumbing
commands, and reading objects through a long-lived `git cat-file --batch`.

Only plumbing is used (rev-list, cat-file, diff-tree, diff-index, rev-parse), whose output
does not change with the user's configuration. Every command runs with `core.quotepath=off`,
no terminal prompt and no lazy fetch in partial clones (a scan must never go to the network).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from leakwarden.errors import InputError
from leakwarden.sources.base import looks_binary

DELTA_BASE_CACHE = "32m"
# Ids written to cat-file ahead of reading its answers: far less than any pipe buffer (16 KiB
# at the least), so the write never blocks however slowly the answers are read.
READ_AHEAD = 128
READ_PIECE = 1 << 20
MAX_RESTARTS = 32
PIPE_BUFFER = 1 << 16

_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_NO_LAZY_FETCH": "1",  # partial clones: report missing objects, never fetch them (git ≥ 2.44)
    "GIT_OPTIONAL_LOCKS": "0",  # a scan must not take the index lock from the user's own git
}


class GitFailed(Exception):
    """A git command exited with an error; `reason` is git's own message, one line."""

    def __init__(self, args: Sequence[str], returncode: int, stderr: bytes) -> None:
        self.returncode = returncode
        self.reason = git_reason(stderr) or f"git {' '.join(args[:2])} exited with {returncode}"
        super().__init__(self.reason)


def git_reason(stderr: bytes, oid: str | None = None) -> str:
    """The most telling line of git's stderr (the fatal one, or the one naming `oid`)."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    if oid is not None:
        lines = [ln for ln in lines if oid in ln] or lines
    for prefix in ("fatal: ", "error: "):
        for line in lines:
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return lines[-1] if lines else ""


def find_git() -> str:
    found = shutil.which("git")
    if found is None:
        raise InputError("git is not installed (or not on PATH); scanning a repository needs it")
    return found


@dataclass
class Git:
    """A repository and how to run git in it."""

    path: str
    executable: str
    git_dir: str
    bare: bool
    shallow: bool
    object_format: str = "sha1"
    _partial: bool | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: str) -> Git:
        """The repository at `path` (a work tree, any directory in it, or a bare repository)."""
        executable = find_git()
        if not os.path.isdir(path):
            raise InputError(f"{path}: no such directory")
        probe = cls(path, executable, "", False, False)
        try:
            out = probe.run(
                "rev-parse",
                "--absolute-git-dir",
                "--is-bare-repository",
                "--is-shallow-repository",
                "--show-object-format",
            )
        except GitFailed as exc:
            if "not a git repository" in exc.reason:
                raise InputError(f"{path}: not a git repository") from None
            raise InputError(f"{path}: cannot open the git repository ({exc.reason})") from None
        lines = out.decode("utf-8", "surrogateescape").splitlines()
        if len(lines) < 4:
            raise InputError(f"{path}: not a git repository (unexpected answer from git rev-parse)")
        return cls(path, executable, lines[0], lines[1] == "true", lines[2] == "true", lines[3])

    @property
    def hex_length(self) -> int:
        return 64 if self.object_format == "sha256" else 40

    @property
    def partial(self) -> bool:
        """A partial clone: objects may be missing on purpose, to be fetched on demand."""
        if self._partial is None:
            out = self.run(
                "config", "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$", check=False
            )
            self._partial = any(
                line.split(b" ", 1)[-1].strip() not in (b"", b"false") for line in out.splitlines()
            )
        return self._partial

    def command(self, *args: str) -> list[str]:
        return [self.executable, "-C", self.path, "-c", "core.quotepath=off", *args]

    def env(self) -> dict[str, str]:
        return {**os.environ, **_ENV}

    def run(self, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
        """Run to completion and return stdout; GitFailed (with git's reason) on error."""
        done = subprocess.run(
            self.command(*args),
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            env=self.env(),
            check=False,
        )
        if check and done.returncode != 0:
            raise GitFailed(args, done.returncode, done.stderr)
        return done.stdout

    def popen(self, *args: str, stdin: Any = subprocess.DEVNULL) -> Proc:
        """Start a command whose stdout is read as a stream; stderr goes to a temporary file so
        that an error message can never block it."""
        errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Proc.finish or Proc.kill
        proc = subprocess.Popen(
            self.command(*args),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=self.env(),
            bufsize=PIPE_BUFFER,
        )
        return Proc(proc, errors, args)

    def empty_tree(self) -> str:
        return self.run("hash-object", "-t", "tree", "--stdin", input=b"").decode().strip()


@dataclass
class Proc:
    """A running git command: its process, and the file its stderr goes to."""

    proc: subprocess.Popen[bytes]
    errors: IO[bytes]
    args: Sequence[str]

    @property
    def stdout(self) -> IO[bytes]:
        assert self.proc.stdout is not None
        return self.proc.stdout

    def stderr_text(self) -> bytes:
        self.errors.flush()
        self.errors.seek(0)
        return self.errors.read(1 << 16)

    def finish(self) -> str | None:
        """Wait for the command; None if it succeeded, else git's reason."""
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        code = self.proc.wait()
        reason = git_reason(self.stderr_text()) if code != 0 else None
        self.errors.close()
        if code != 0:
            return reason or f"git {self.args[0]} exited with {code}"
        return None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        self.errors.close()


@dataclass(frozen=True)
class Unread:
    """Why an object's content was not returned."""

    reason: str  # missing object, corrupt object, unreadable object, binary, too large, not a blob
    detail: str = ""


class _Died(Exception):
    pass


class CatFile:
    """Reads objects through one long-lived `git cat-file --batch`, restarting it when an object
    kills it (a corrupt object makes git exit): that object is reported, the rest are read."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self._proc: Proc | None = None
        self._pid = os.getpid()
        self.restarts = 0

    def _ensure(self) -> Proc:
        if self._proc is not None and self._pid != os.getpid():
            self._proc = None  # inherited across a fork: this process starts its own
        if self._proc is None:
            # One reader runs per worker; git's default 96 MiB delta-base cache in each of them
            # is most of a history scan's memory, and a smaller one measured no slower here.
            self._proc = self.git.popen(
                "-c",
                f"core.deltaBaseCacheLimit={DELTA_BASE_CACHE}",
                "cat-file",
                "--batch",
                stdin=subprocess.PIPE,
            )
            self._pid = os.getpid()
        return self._proc

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or self._pid != os.getpid():
            return
        try:
            if proc.proc.stdin is not None:
                proc.proc.stdin.close()
            proc.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        proc.kill()

    def read(
        self,
        oids: Sequence[str],
        max_size: int = 1 << 62,
        include_binary: bool = True,
        kind: str = "blob",
    ) -> Iterator[tuple[str, bytes | Unread]]:
        """Each of `oids` with its content, or why not, in order. Objects not of `kind`, larger
        than `max_size` or (unless `include_binary`) binary are not returned."""
        finished = False
        try:
            yield from self._read(oids, max_size, include_binary, kind.encode())
            finished = True
        finally:
            if not finished:  # abandoned midway: answers left in the pipe would be misread later
                self.close()

    def _read(
        self, oids: Sequence[str], max_size: int, include_binary: bool, kind: bytes
    ) -> Iterator[tuple[str, bytes | Unread]]:
        done = 0
        while done < len(oids):
            if self.restarts > MAX_RESTARTS:
                for oid in oids[done:]:
                    yield oid, Unread("unreadable object", "git cat-file keeps failing in this repository")
                return
            chunk = oids[done : done + READ_AHEAD]
            proc = self._ensure()
            try:
                assert proc.proc.stdin is not None
                proc.proc.stdin.write(b"".join(oid.encode("ascii") + b"\n" for oid in chunk))
                proc.proc.stdin.flush()
                for oid in chunk:
                    result = self._one(proc, oid, max_size, include_binary, kind)
                    done += 1
                    yield oid, result
            except (_Died, OSError):
                failed = oids[done]
                reason = git_reason(proc.stderr_text(), failed)
                self._proc = None
                proc.kill()
                self.restarts += 1
                done += 1
                yield failed, Unread("corrupt object" if reason else "unreadable object", reason)

    def _one(self, proc: Proc, oid: str, max_size: int, include_binary: bool, kind: bytes) -> bytes | Unread:
        out = proc.stdout
        header = out.readline()
        if not header.endswith(b"\n"):
            raise _Died
        parts = header.split()
        if len(parts) == 2 and parts[1] == b"missing":
            reason = git_reason(proc.stderr_text(), oid)
            if oid in reason:
                return Unread("corrupt object", reason)
            return Unread("missing object", "not fetched (partial clone)" if self.git.partial else "")
        if len(parts) != 3 or parts[0].decode("ascii", "replace") != oid:
            raise _Died  # out of step with git: restart rather than misattribute content
        size = int(parts[2])
        if parts[1] != kind or size > max_size:
            _drain(out, size + 1)
            if parts[1] != kind:
                return Unread(f"not a {kind.decode()}", parts[1].decode("ascii", "replace"))
            return Unread("too large", f"{size} bytes")
        # The body in one read and its newline in another: joining or trimming would copy every
        # blob once more, and a history is gigabytes of blobs.
        data = _exact(out, size)
        if out.read(1) != b"\n":
            raise _Died
        if not include_binary and looks_binary(data):
            return Unread("binary")
        return data


def _exact(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise _Died
    return data


def _drain(stream: IO[bytes], size: int) -> None:
    while size > 0:
        piece = stream.read(min(size, READ_PIECE))
        if not piece:
            raise _Died
        size -= len(piece)
