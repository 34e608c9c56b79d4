"""What the archive reader yields and the limits it works under."""

from __future__ import annotations

from dataclasses import dataclass

from leakwarden.errors import ConfigError

MIB = 1024 * 1024
MAX_DEPTH = 64  # each level is a generator frame; real nesting stops at a handful


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Every bound of one walk over one top-level archive.

    Bytes are counted as they are actually produced by a decompressor or read out of a member,
    never as an archive declares them: a central directory may lie.
    """

    # Archives inside archives: the top-level archive is level 1; a nested archive at a deeper
    # level is yielded as plain bytes, unopened, with a Stopped saying so.
    max_depth: int = 4
    # Every byte read out of every member and decompressed stream, all levels together.
    max_total_bytes: int = 512 * MIB
    # Expanded over compressed size, per zip member, per compressed stream and overall.
    max_ratio: float = 100.0
    # Members of one archive (each nested archive counts its own).
    max_entries: int = 100_000
    # One member; a larger one is not scanned.
    max_member_bytes: int = 64 * MIB
    # Wall time for one top-level archive, nested ones included.
    max_seconds: float = 60.0
    # The ratio is judged only past this many expanded bytes: a small file of spaces
    # legitimately deflates a thousandfold, and costs nothing to scan.
    ratio_floor_bytes: int = 1 * MIB

    def __post_init__(self) -> None:
        for name in ("max_depth", "max_total_bytes", "max_entries", "max_member_bytes", "ratio_floor_bytes"):
            value = getattr(self, name)
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or value < (1 if name != "ratio_floor_bytes" else 0)
            ):
                raise ConfigError(f"archive limit {name} must be a positive integer, not {value!r}")
        for name in ("max_ratio", "max_seconds"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"archive limit {name} must be a non-negative number, not {value!r}")
        if self.max_depth > MAX_DEPTH:
            raise ConfigError(f"archive limit max_depth must be at most {MAX_DEPTH}, not {self.max_depth}")
        if self.max_ratio < 1:
            raise ConfigError(f"archive limit max_ratio must be at least 1, not {self.max_ratio!r}")


@dataclass(frozen=True, slots=True)
class Member:
    """A regular file found inside an archive, with the chain of names that leads to it:
    ("dist/app.war", "WEB-INF/lib/core.jar", "application.properties")."""

    path: tuple[str, ...]
    data: bytes


@dataclass(frozen=True, slots=True)
class Stopped:
    """Something that was not scanned, or not entirely, and why (one line, never a secret)."""

    path: tuple[str, ...]
    reason: str
