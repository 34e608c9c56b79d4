"""Member names as they may be shown, and the name a decompressed file goes by.

A member name is attacker-controlled text. It is only ever displayed, never joined to a
filesystem path; still, the displayed form must not read as a path outside the archive
(`../../etc/cron.d/x`, `/root/.ssh/authorized_keys`, `C:\\Windows\\...`) nor carry terminal
control characters.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\\/]+")
_DRIVE = re.compile(r"^[A-Za-z]:$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Anything display_name would change; most names have none of it and are returned as they are.
_UNSAFE = re.compile(r"[\\\x00-\x1f\x7f\ud800-\udfff]|^/|^[A-Za-z]:|//|(?:^|/)\.\.?(?:/|$)|/$|^$")

# Single-file compression: the suffix removed to name the one member, and what replaces it.
_STREAM_SUFFIXES = {
    ".tgz": ".tar",
    ".tbz2": ".tar",
    ".tbz": ".tar",
    ".txz": ".tar",
    ".tzst": ".tar",
    ".gz": "",
    ".bz2": "",
    ".xz": "",
    ".zst": "",
}


def display_name(raw: str) -> str:
    """The member name with every way out of the archive defused: separators unified to `/`,
    empty and `.` components and drive letters dropped, `..` shown as `%2E%2E`, control
    characters and undecodable bytes escaped."""
    return _defused(raw) if _UNSAFE.search(raw) else raw


def _defused(raw: str) -> str:
    parts: list[str] = []
    for index, part in enumerate(_SEPARATORS.split(raw)):
        if part in ("", ".") or (index == 0 and _DRIVE.match(part)):
            continue
        if part == "..":
            parts.append("%2E%2E")
            continue
        text = part.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        parts.append(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))
    return "/".join(parts) or "(unnamed)"


def decompressed_name(name: str) -> str:
    """What a single compressed file holds: `app.log.gz` holds `app.log`, `x.tgz` holds
    `x.tar`. A name without a known suffix keeps its name (the chain still shows the level)."""
    base = name.rsplit("/", 1)[-1]
    lowered = base.lower()
    for suffix, replacement in _STREAM_SUFFIXES.items():
        if lowered.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)] + replacement
    return base
