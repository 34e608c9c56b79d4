"""Files and directories on disk, and standard input.

Walks without following symbolic links (so no loop can trap it), reads only regular files, and
accounts for everything it passes over: binary, too large, unreadable, vanished, special files.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pathspec

from leakwarden.errors import InputError
from leakwarden.globs import gitignore_spec
from leakwarden.model import Blob, FileProvenance, Skipped, StdinProvenance
from leakwarden.sources.base import BINARY_PROBE, looks_binary

Spec = pathspec.GitIgnoreSpec
DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024
SMALL_FILE = 64 * 1024
SHARD_FILES = 256
SHARD_BYTES = 8 * 1024 * 1024
ALWAYS_PRUNED = frozenset({".git", ".hg", ".svn"})


def _spec(patterns: Sequence[str]) -> Spec | None:
    return gitignore_spec(patterns) if patterns else None


@dataclass
class FileSource:
    paths: Sequence[str]
    exclude: Sequence[str] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    include_binary: bool = False
    respect_gitignore: bool = False
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        missing = [p for p in self.paths if not os.path.lexists(p)]
        if missing:
            raise InputError(f"no such file or directory: {missing[0]}")
        self._exclude = _spec(self.exclude)

    def _skip(self, path: str, reason: str, detail: str = "") -> None:
        self.skipped.append(Skipped(path, reason, detail))

    def _excluded(self, rel: str, is_dir: bool) -> bool:
        if self._exclude is None:
            return False
        return self._exclude.match_file(rel + "/" if is_dir else rel)

    def blobs(self) -> Iterator[Blob]:
        for path, size in self._candidates():
            data = self._read(path, size)
            if data is not None:
                yield Blob(data, (FileProvenance(path.removeprefix("./")),))

    def shards(self) -> Iterator[list[tuple[str, int]]]:
        """Batches of (path, size) to read: a few hundred files or a few MB each."""
        shard: list[tuple[str, int]] = []
        size = 0
        for candidate in self._candidates():
            shard.append(candidate)
            size += candidate[1]
            if len(shard) >= SHARD_FILES or size >= SHARD_BYTES:
                yield shard
                shard, size = [], 0
        if shard:
            yield shard

    def read_shard(self, shard: list[tuple[str, int]]) -> Iterator[Blob]:
        for path, size in shard:
            data = self._read(path, size)
            if data is not None:
                yield Blob(data, (FileProvenance(path.removeprefix("./")),))

    def _candidates(self) -> Iterator[tuple[str, int]]:
        """Every regular file within the size limit, as (path, size); the rest is recorded."""
        for root in self.paths:
            try:
                info = os.lstat(root)
            except OSError as exc:
                self._skip(root, _reason(exc), exc.strerror or "")
                continue
            if stat.S_ISDIR(info.st_mode):
                yield from self._walk(root)
            else:
                yield from self._file(root, info)

    def _walk(self, root: str) -> Iterator[tuple[str, int]]:
        # Each stack entry: directory, its path relative to root, gitignore specs in force.
        stack: list[tuple[str, str, tuple[tuple[str, Spec], ...]]] = [(root, "", ())]
        while stack:
            directory, rel_dir, ignores = stack.pop()
            try:
                with os.scandir(directory) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                self._skip(directory, "unreadable directory", exc.strerror or str(exc))
                continue
            if self.respect_gitignore:
                ignores = ignores + _gitignore(directory, rel_dir)
            subdirs = []
            for entry in entries:
                rel = f"{rel_dir}{entry.name}"
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_link = entry.is_symlink()
                except OSError as exc:
                    self._skip(entry.path, _reason(exc), exc.strerror or "")
                    continue
                if is_dir and entry.name in ALWAYS_PRUNED:
                    continue
                if self._excluded(rel, is_dir) or _ignored(ignores, rel, is_dir):
                    continue
                if is_dir:
                    subdirs.append((entry.path, rel + "/", ignores))
                elif is_link:
                    self._skip(entry.path, "symlink")
                else:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError as exc:
                        self._skip(entry.path, _reason(exc), exc.strerror or "")
                        continue
                    yield from self._file(entry.path, info)
            stack.extend(reversed(subdirs))

    def _file(self, path: str, info: os.stat_result) -> Iterator[tuple[str, int]]:
        if stat.S_ISLNK(info.st_mode):
            self._skip(path, "symlink")
            return
        if not stat.S_ISREG(info.st_mode):
            self._skip(path, "not a regular file", _kind(info.st_mode))
            return
        if info.st_size > self.max_file_size:
            self._skip(path, "too large", f"{info.st_size} bytes")
            return
        yield path, info.st_size

    def _read(self, path: str, size_hint: int) -> bytes | None:
        """The file's bytes, or None after recording why not."""
        try:
            # O_NONBLOCK: a file swapped for a FIFO after the walk saw it must not hang the scan.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            self._skip(path, _reason(exc), exc.strerror or "")
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                self._skip(path, "not a regular file", _kind(os.fstat(fd).st_mode))
                return None
            # Small files in one read; larger ones probed first so a binary costs one small read.
            first = size_hint + 1 if size_hint < SMALL_FILE else BINARY_PROBE
            chunks = [os.read(fd, min(first, self.max_file_size + 1))]
            if not self.include_binary and looks_binary(chunks[0]):
                self._skip(path, "binary")
                return None
            total = len(chunks[0])
            while chunks[-1] and total <= self.max_file_size:  # the file may have grown
                chunks.append(os.read(fd, self.max_file_size + 1 - total))
                total += len(chunks[-1])
            if total > self.max_file_size:
                self._skip(path, "too large", f"over {self.max_file_size} bytes")
                return None
            return b"".join(chunks)
        except OSError as exc:
            self._skip(path, _reason(exc), exc.strerror or "")
            return None
        finally:
            os.close(fd)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "vanished"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "symlink"
    return "unreadable"


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "fifo"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISDIR, "directory"),
    ):
        if test(mode):
            return name
    return "special file"


def _gitignore(directory: str, rel_dir: str) -> tuple[tuple[str, Spec], ...]:
    try:
        lines = Path(directory, ".gitignore").read_text("utf-8", "replace").splitlines()
    except OSError:
        return ()
    spec = _spec(lines)
    return ((rel_dir, spec),) if spec is not None else ()


def _ignored(ignores: tuple[tuple[str, Spec], ...], rel: str, is_dir: bool) -> bool:
    for base, spec in ignores:
        sub = rel[len(base) :]
        if spec.match_file(sub + "/" if is_dir else sub):
            return True
    return False


@dataclass
class StdinSource:
    """Standard input, however long, in pieces of `piece_size` bytes (binary content is
    scanned: the user chose what to pipe). Each piece after the first starts at a line start
    inside the previous piece's last `overlap` bytes, so that a match is whole in the piece that
    reports it: longer than any match (MAX_MATCH_WIDTH) or pair and context distance."""

    stream: BinaryIO
    label: str = "<stdin>"
    piece_size: int = 64 * 1024 * 1024
    overlap: int = 64 * 1024
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def blobs(self) -> Iterator[Blob]:
        provenance = (StdinProvenance(self.label),)
        buffer, lines, pieces, cut_mid_line = b"", 0, 0, False
        while True:
            buffer += _read_up_to(self.stream, self.piece_size - len(buffer))
            if len(buffer) < self.piece_size:  # the end of the stream
                yield Blob(buffer, provenance, line_base=lines, owned=(0, len(buffer)) if pieces else None)
                break
            limit = self.piece_size - self.overlap
            cut = buffer.rfind(b"\n", 0, limit) + 1
            if cut == 0:  # one line longer than the overlap: cut it (columns restart there)
                cut, cut_mid_line = limit, True
            yield Blob(buffer, provenance, line_base=lines, owned=(0, cut))
            lines += buffer.count(b"\n", 0, cut)
            buffer = buffer[cut:]
            pieces += 1
        if pieces:
            self.notes.append(f"standard input was scanned in {pieces + 1} overlapping pieces")
        if cut_mid_line:
            self.notes.append(
                "standard input has a line longer than a piece: columns on it count from the piece"
            )


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end of the stream (a pipe returns what it has)."""
    parts, remaining = [], size
    while remaining > 0:
        part = stream.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)
