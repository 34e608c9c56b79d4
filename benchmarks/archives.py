"""Throughput of the archive reader (`leakwarden.expand.archives.walk`) on real packages.

The corpus is built reproducibly under benchmarks/work/archives/ (git-ignored) from pinned
PyPI releases: wheels (zip) that `pins.json` already pins for the other corpora, and sdists
(tar.gz) pinned here by sha256. From them, deterministically (sorted members, fixed times,
fixed compression levels), a few shapes real scans meet: a wheelhouse tarball (zips inside a
tar.gz), a stored zip of sdists (tar.gz inside a zip) and Django's sdist recompressed as
tar.bz2 and tar.xz.

Each archive is walked with the default limits, `--runs` times (median reported), against a
floor: the standard library reading every member of the top level once, with no limit checks,
no hashing and no recursion.

    python3 benchmarks/archives.py              # build if needed, measure, print the table
    python3 benchmarks/archives.py --write      # and replace the section in benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import io
import json
import lzma
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

import corpora  # noqa: E402

from leakwarden.expand.archives import ArchiveLimits, Member, Stopped, walk  # noqa: E402

WORK = BENCH / "work" / "archives"
RESULTS = BENCH / "RESULTS.md"
BEGIN = "<!-- archives:begin -->"
END = "<!-- archives:end -->"

# Wheels pinned (name, version and sha256) in pins.json.
WHEELS = (
    ("Django", "5.1.4"),
    ("sympy", "1.13.3"),
    ("plotly", "5.24.1"),
    ("transformers", "4.46.3"),
    ("rich", "13.9.4"),
    ("click", "8.1.7"),
    ("markdown-it-py", "3.0.0"),
)
# Sdists: file name and sha256 of the pinned release.
SDISTS = {
    ("requests", "2.32.3"): (
        "requests-2.32.3.tar.gz",
        "55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760",
    ),
    ("rich", "13.9.4"): (
        "rich-13.9.4.tar.gz",
        "439594978a49a09530cff7ebc4b5c7103ef57baf48d5ea3184f21d9a2befa098",
    ),
    ("Django", "5.1.4"): (
        "Django-5.1.4.tar.gz",
        "de450c09e91879fa5a307f696e57c851955c910a438a35e6b4c895e86bedc82a",
    ),
    ("urllib3", "2.2.3"): (
        "urllib3-2.2.3.tar.gz",
        "e7d814a81dad81e6caf2ec9fdedb284ecc9c73076b62654547cc64ccdcae26e9",
    ),
}
FIXED_TIME = 1_700_000_000


def log(message: str) -> None:
    print(f"[archives] {message}", file=sys.stderr, flush=True)


def fetch_sdist(name: str, version: str) -> Path:
    file_name, sha256 = SDISTS[(name, version)]
    path = corpora.DOWNLOADS / file_name
    if not path.exists():
        log(f"downloading the sdist of {name}=={version}")
        corpora.DOWNLOADS.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*command, "-d", str(corpora.DOWNLOADS), f"{name}=={version}"], check=True)
    actual = corpora.sha256_of(path)
    if actual != sha256:
        raise SystemExit(f"{path.name}: sha256 {actual} does not match the pin {sha256}")
    return path


def _tar(files: list[tuple[str, bytes]], compress: Callable[[bytes], bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), FIXED_TIME, 0o644
            archive.addfile(info, io.BytesIO(data))
    return compress(buffer.getvalue())


def _stored_zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in sorted(files):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def build() -> list[Path]:
    """The corpus: every pinned wheel and sdist, and the derived shapes (rebuilt if missing)."""
    pins = corpora.load_pins()
    wheels = [corpora.fetch(name, version, pins) for name, version in WHEELS]
    sdists = [fetch_sdist(name, version) for name, version in SDISTS]
    WORK.mkdir(parents=True, exist_ok=True)
    derived = {
        "wheelhouse.tar.gz": lambda: _tar(
            [(f"wheelhouse/{w.name}", w.read_bytes()) for w in wheels],
            lambda data: gzip.compress(data, compresslevel=6, mtime=0),
        ),
        "sdists.zip": lambda: _stored_zip([(f"sdists/{s.name}", s.read_bytes()) for s in sdists]),
        "django-5.1.4.tar.bz2": lambda: bz2.compress(_django_tar(sdists), 9),
        "django-5.1.4.tar.xz": lambda: lzma.compress(_django_tar(sdists), preset=6),
    }
    for name, make in derived.items():
        target = WORK / name
        if not target.exists():
            log(f"building {name}")
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes(make())
            partial.rename(target)
    return [*wheels, *sdists, *(WORK / name for name in derived)]


def _django_tar(sdists: list[Path]) -> bytes:
    django = next(s for s in sdists if s.name.startswith("Django-"))
    return gzip.decompress(django.read_bytes())


def floor(data: bytes, name: str) -> int:
    """The standard library reading every top-level member once: what any reader must pay."""
    total = 0
    if name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                with archive.open(info) as member:
                    while chunk := member.read(1 << 18):
                        total += len(chunk)
        return total
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|*") as archive:
        for info in archive:
            handle = archive.extractfile(info) if info.isreg() else None
            while handle is not None and (chunk := handle.read(1 << 18)):
                total += len(chunk)
    return total


def measure(path: Path, runs: int) -> dict[str, object]:
    data = path.read_bytes()
    walk_times: list[float] = []
    walk_cpu: list[float] = []
    floor_times: list[float] = []
    floor_cpu: list[float] = []
    members = stopped = expanded = 0
    reasons: list[str] = []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        members = stopped = expanded = 0
        reasons = []
        for item in walk(data, path.name, ArchiveLimits()):
            if isinstance(item, Member):
                members += 1
                expanded += len(item.data)
            elif isinstance(item, Stopped):
                stopped += 1
                reasons.append(f"{'/'.join(item.path)}: {item.reason}")
        walk_times.append(time.perf_counter() - started)
        walk_cpu.append(time.process_time() - cpu)
        started, cpu = time.perf_counter(), time.process_time()
        floor(data, path.name)
        floor_times.append(time.perf_counter() - started)
        floor_cpu.append(time.process_time() - cpu)
    seconds = statistics.median(walk_times)
    floor_seconds = statistics.median(floor_times)
    return {
        "archive": path.name,
        "size": len(data),
        "members": members,
        "expanded": expanded,
        "stopped": stopped,
        "reasons": reasons[:3],
        "seconds": seconds,
        "floor": floor_seconds,
        "cpu": statistics.median(walk_cpu),
        "floor_cpu": statistics.median(floor_cpu),
    }


def table(rows: list[dict[str, object]], runs: int) -> str:
    def num(row: dict[str, object], key: str) -> float:
        return float(str(row[key]))

    lines = [
        "## Archive reader throughput",
        "",
        f"`python3 benchmarks/archives.py --runs {runs} --write`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, load average at end "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}. One thread; median of {runs} runs; default "
        "limits. *Out* is the bytes of every yielded member at every level (nested archives are "
        "opened, not yielded). MB/s are on CPU time (the process's own), which a busy machine "
        "disturbs far less than wall time. *Floor*: the standard library reading each top-level "
        "member once (no limits, no content ids, no recursion), CPU seconds.",
        "",
        "| archive | MB in | members | MB out | stopped | wall s | CPU s | MB/s in | MB/s out "
        "| floor CPU s | CPU / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cpu = num(r, "cpu")
        lines.append(
            f"| {r['archive']} | {num(r, 'size') / 1e6:.1f} | {r['members']} | "
            f"{num(r, 'expanded') / 1e6:.1f} | "
            f"{r['stopped']} | {num(r, 'seconds'):.3f} | {cpu:.3f} | {num(r, 'size') / cpu / 1e6:.0f} | "
            f"{num(r, 'expanded') / cpu / 1e6:.0f} | {num(r, 'floor_cpu'):.3f} | "
            f"{cpu / max(num(r, 'floor_cpu'), 1e-9):.2f} |"
        )
    size, out = sum(num(r, "size") for r in rows), sum(num(r, "expanded") for r in rows)
    cpu, wall = sum(num(r, "cpu") for r in rows), sum(num(r, "seconds") for r in rows)
    lines.append(
        f"| **all** | {size / 1e6:.1f} | | {out / 1e6:.1f} | | {wall:.3f} | {cpu:.3f} | "
        f"{size / cpu / 1e6:.0f} | {out / cpu / 1e6:.0f} | {sum(num(r, 'floor_cpu') for r in rows):.3f} | |"
    )
    notes = [f"- {r['archive']}: {reason}" for r in rows for reason in r["reasons"]]  # type: ignore[attr-defined]
    if notes:
        lines += ["", "Stopped items (first three per archive):", "", *notes]
    return "\n".join(lines) + "\n"


def write(section: str) -> None:
    text = RESULTS.read_text()
    block = f"{BEGIN}\n{section}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="replace the section in benchmarks/RESULTS.md")
    parser.add_argument("--json", action="store_true", help="print the raw rows as JSON")
    args = parser.parse_args()
    rows = [measure(path, args.runs) for path in build()]
    if args.json:
        print(json.dumps(rows, indent=2))
    section = table(rows, args.runs)
    print(section)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
