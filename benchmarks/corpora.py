"""Build the benchmark corpora from pinned PyPI releases, reproducibly and offline but for PyPI.

Corpora (under benchmarks/work/corpora/, git-ignored):

- ``directory``: the unpacked files of a pinned set of large pure-Python wheels;
- ``history``: a bare git repository made by committing successive pinned releases of several
  projects, one release per commit, with fixed author, committer and dates;
- ``staged``: a clone of ``history`` with its HEAD checked out and a small staged change;
- ``dense``: ``directory`` (hard-linked) with a few thousand fake secrets planted (see fakes.py).

Pure-Python wheels (``py3-none-any``) are used rather than sdists: they are real source trees
(code, JSON, YAML, translations, bundled JavaScript) and unpack without running any build
backend, so a download is all a corpus needs. Every downloaded file is checked against the
sha256 recorded in ``pins.json``; ``python benchmarks/corpora.py lock`` rewrites the pins.

    python benchmarks/corpora.py build [--quick] [--corpus directory,history,staged,dense]
    python benchmarks/corpora.py stats [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import fakes

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
DOWNLOADS = WORK / "downloads"
CORPORA = WORK / "corpora"
PINS_FILE = BENCH / "pins.json"

CORPUS_NAMES = ("directory", "history", "staged", "dense")


@dataclass(frozen=True)
class Spec:
    """What one size of the corpora is made of."""

    label: str
    directory: tuple[tuple[str, str], ...]
    history: tuple[tuple[str, tuple[str, ...]], ...]
    plants: int


FULL = Spec(
    label="full",
    directory=(
        ("ansible", "10.7.0"),
        ("homeassistant", "2024.12.5"),
        ("plotly", "5.24.1"),
        ("transformers", "4.46.3"),
        ("sympy", "1.13.3"),
        ("Django", "5.1.4"),
    ),
    history=(
        ("ansible", ("8.7.0", "9.13.0", "10.7.0")),
        ("homeassistant", ("2024.3.3", "2024.6.4", "2024.9.3", "2024.12.5")),
        ("transformers", ("4.38.2", "4.40.2", "4.42.4", "4.44.2", "4.46.3")),
        ("Django", ("4.2.17", "5.0.10", "5.1.4")),
        ("sympy", ("1.11.1", "1.12.1", "1.13.3")),
        ("plotly", ("5.18.0", "5.22.0", "5.24.1")),
    ),
    plants=3000,
)

QUICK = Spec(
    label="quick",
    directory=(("rich", "13.9.4"), ("click", "8.1.7"), ("markdown-it-py", "3.0.0")),
    history=(("rich", ("13.7.1", "13.8.1", "13.9.4")), ("click", ("8.1.6", "8.1.7"))),
    plants=60,
)

# The HEAD commit the history repository must get from these pins (reproducibility check).
EXPECTED_HEADS = {
    "full": "682e18eb3c51e3ec5956d65d04a215e2bd31bc33",
    "quick": "558062cfaae99f7410bc9e92dd3c7c354b9004cf",
}

# Fixed identity and clock for every commit: the same pins give the same commit ids.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "leakwarden benchmarks",
    "GIT_AUTHOR_EMAIL": "benchmarks@leakwarden.invalid",
    "GIT_COMMITTER_NAME": "leakwarden benchmarks",
    "GIT_COMMITTER_EMAIL": "benchmarks@leakwarden.invalid",
}
EPOCH = 1_700_000_000  # first commit's date; each next commit is one day later
GIT_CONFIG = [
    "-c",
    "core.autocrlf=false",
    "-c",
    "core.fileMode=false",
    "-c",
    "gc.auto=0",
    "-c",
    "commit.gpgSign=false",
    "-c",
    "init.defaultBranch=main",
    "-c",
    "core.hooksPath=/dev/null",
]


def spec_for(quick: bool) -> Spec:
    return QUICK if quick else FULL


def corpus_dir(quick: bool) -> Path:
    return CORPORA / ("quick" if quick else "full")


def corpus_path(name: str, quick: bool) -> Path:
    """Where a corpus is: the directory to scan, or the repository."""
    base = corpus_dir(quick)
    return {
        "directory": base / "directory",
        "history": base / "history.git",
        "staged": base / "staged",
        "dense": base / "dense",
    }[name]


def log(message: str) -> None:
    print(f"[corpora] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Downloads, pinned by sha256
# ---------------------------------------------------------------------------------------------


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def load_pins() -> dict[str, dict[str, str | int]]:
    if not PINS_FILE.exists():
        return {}
    data = json.loads(PINS_FILE.read_text())
    return {f"{canonical(p['name'])}=={p['version']}": p for p in data["files"]}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _find_wheel(name: str, version: str) -> Path | None:
    for candidate in DOWNLOADS.glob("*.whl"):
        parts = candidate.name.split("-")
        if canonical(parts[0]) == canonical(name) and parts[1] == version:
            return candidate
    return None


def fetch(name: str, version: str, pins: dict[str, dict[str, str | int]], locking: bool = False) -> Path:
    """The pinned wheel of NAME==VERSION, downloaded from PyPI with pip when missing."""
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    key = f"{canonical(name)}=={version}"
    pin = pins.get(key)
    if pin is None and not locking:
        raise SystemExit(f"{name}=={version} is not pinned in {PINS_FILE}: run `corpora.py lock`")
    wheel = _find_wheel(name, version)
    if wheel is None:
        log(f"downloading {name}=={version}")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        command += ["--only-binary", ":all:", "--ignore-requires-python", "-d", str(DOWNLOADS)]
        command.append(f"{name}=={version}")
        subprocess.run(command, check=True)
        wheel = _find_wheel(name, version)
        if wheel is None:
            raise SystemExit(f"pip downloaded no wheel for {name}=={version}")
    if pin is not None:
        actual = sha256_of(wheel)
        if actual != pin["sha256"] or wheel.name != pin["file"]:
            raise SystemExit(
                f"{wheel.name}: sha256 {actual} does not match the pin {pin['file']} {pin['sha256']}"
            )
    return wheel


def lock() -> None:
    """Download every release both specs name and record file names, sizes and sha256."""
    releases: set[tuple[str, str]] = set()
    for spec in (FULL, QUICK):
        releases.update(spec.directory)
        for name, versions in spec.history:
            releases.update((name, v) for v in versions)
    files = []
    for name, version in sorted(releases, key=lambda r: (canonical(r[0]), r[1])):
        wheel = fetch(name, version, {}, locking=True)
        files.append(
            {
                "name": name,
                "version": version,
                "file": wheel.name,
                "size": wheel.stat().st_size,
                "sha256": sha256_of(wheel),
            }
        )
    payload = {
        "comment": "PyPI wheels the benchmark corpora are built from; written by `corpora.py lock`.",
        "files": files,
    }
    PINS_FILE.write_text(json.dumps(payload, indent=2) + "\n")
    log(f"pinned {len(files)} files in {PINS_FILE}")


def unpack(wheel: Path, destination: Path) -> None:
    """Extract a wheel's files (no permissions, no timestamps: content only)."""
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            target = destination / info.filename
            if not target.resolve().is_relative_to(destination.resolve()):
                raise SystemExit(f"{wheel.name}: {info.filename} leaves the destination")
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)


# ---------------------------------------------------------------------------------------------
# Corpora
# ---------------------------------------------------------------------------------------------


def _marker(path: Path) -> Path:
    return path.parent / f"{path.name}.built.json"


def _releases(name: str, spec: Spec) -> list[tuple[str, str]]:
    if name in ("directory", "dense"):
        return list(spec.directory)
    return [(n, v) for n, versions in spec.history for v in versions]


def _fingerprint(name: str, spec: Spec) -> str:
    """What a corpus depends on (its releases' pinned files, the planting); a change rebuilds it."""
    pins = load_pins()
    files = [pins.get(f"{canonical(n)}=={v}", {}).get("sha256") for n, v in _releases(name, spec)]
    text = json.dumps([name, files, spec.plants if name == "dense" else 0, fakes.VERSION, STAGED_FILES])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _is_built(name: str, spec: Spec, quick: bool) -> bool:
    marker = _marker(corpus_path(name, quick))
    if not marker.exists():
        return False
    return json.loads(marker.read_text()).get("fingerprint") == _fingerprint(name, spec)


def _mark_built(name: str, spec: Spec, quick: bool, stats: dict[str, object]) -> None:
    stats = {"corpus": name, "size": spec.label, "fingerprint": _fingerprint(name, spec), **stats}
    _marker(corpus_path(name, quick)).write_text(json.dumps(stats, indent=2) + "\n")


def read_stats(name: str, quick: bool) -> dict[str, object]:
    marker = _marker(corpus_path(name, quick))
    return json.loads(marker.read_text()) if marker.exists() else {}


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def tree_stats(root: Path, skip_git: bool = True) -> dict[str, int]:
    files = 0
    size = 0
    for directory, subdirs, names in os.walk(root):
        if skip_git and ".git" in subdirs:
            subdirs.remove(".git")
        for filename in names:
            st = os.lstat(os.path.join(directory, filename))
            files += 1
            size += st.st_size
    return {"files": files, "bytes": size}


def build_directory(spec: Spec, quick: bool) -> None:
    target = corpus_path("directory", quick)
    pins = load_pins()
    _remove(target)
    partial = target.with_name(target.name + ".partial")
    _remove(partial)
    for name, version in spec.directory:
        wheel = fetch(name, version, pins)
        log(f"unpacking {wheel.name}")
        unpack(wheel, partial / f"{canonical(name)}-{version}")
    partial.rename(target)
    stats = tree_stats(target)
    _mark_built("directory", spec, quick, {**stats, "releases": [f"{n}=={v}" for n, v in spec.directory]})
    log(f"directory: {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB")


def git(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        ["git", *GIT_CONFIG, *args], cwd=cwd, env=full_env, check=True, capture_output=True, text=True
    )
    return result.stdout


def history_stats(repo: Path) -> dict[str, int]:
    out = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objecttype) %(objectsize)",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    blobs = blob_bytes = objects = 0
    for line in out.splitlines():
        kind, size = line.split()
        objects += 1
        if kind == "blob":
            blobs += 1
            blob_bytes += int(size)
    commits = int(git(["-C", str(repo), "rev-list", "--count", "--all"]).strip())
    pack_bytes = sum(p.stat().st_size for p in (repo / "objects").rglob("*") if p.is_file())
    return {
        "commits": commits,
        "objects": objects,
        "blobs": blobs,
        "blob_bytes": blob_bytes,
        "repository_bytes_on_disk": pack_bytes,
    }


def build_history(spec: Spec, quick: bool) -> None:
    repo = corpus_path("history", quick)
    pins = load_pins()
    _remove(repo)
    partial = repo.with_name(repo.name + ".partial")
    worktree = repo.with_name("history-worktree.tmp")
    _remove(partial)
    _remove(worktree)
    worktree.mkdir(parents=True)
    git(["init", "--quiet", "--bare", str(partial)])
    base = ["--git-dir", str(partial), "--work-tree", str(worktree)]
    day = 0
    for name, versions in spec.history:
        for version in versions:
            wheel = fetch(name, version, pins)
            log(f"committing {wheel.name}")
            folder = worktree / canonical(name)
            _remove(folder)
            unpack(wheel, folder)
            stamp = f"@{EPOCH + day * 86400} +0000"
            env = {**GIT_IDENTITY, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
            git([*base, "add", "--all", "--force", "."], cwd=worktree)
            git([*base, "commit", "--quiet", "--no-verify", "-m", f"{name} {version}"], cwd=worktree, env=env)
            day += 1
    _remove(worktree)
    (partial / "index").unlink(missing_ok=True)
    log("packing (git gc)")
    git(["-C", str(partial), "-c", "pack.threads=0", "gc", "--quiet"])
    partial.rename(repo)
    stats = history_stats(repo)
    stats["head"] = git(["-C", str(repo), "rev-parse", "HEAD"]).strip()
    expected = EXPECTED_HEADS.get(spec.label)
    if expected and stats["head"] != expected:
        log(f"WARNING: history HEAD is {stats['head']}, not {expected}: not the pinned corpus")
    stats["releases"] = [f"{n}=={v}" for n, vs in spec.history for v in vs]
    _mark_built("history", spec, quick, stats)
    log(
        f"history: {stats['commits']} commits, {stats['blobs']} distinct blobs, "
        f"{stats['blob_bytes'] / 1e6:.1f} MB of blob content, "
        f"{stats['repository_bytes_on_disk'] / 1e6:.1f} MB packed"
    )


STAGED_FILES = 3  # existing files changed, plus one new file


def build_staged(spec: Spec, quick: bool) -> None:
    repo = corpus_path("history", quick)
    target = corpus_path("staged", quick)
    _remove(target)
    partial = target.with_name(target.name + ".partial")
    _remove(partial)
    log("cloning the history repository and checking out HEAD")
    git(["clone", "--quiet", "--local", str(repo), str(partial)])
    tracked = sorted(
        p for p in git(["-C", str(partial), "ls-files"]).splitlines() if p.endswith((".py", ".yaml", ".yml"))
    )
    rng = fakes.rng("staged")
    changed = [tracked[rng.randrange(len(tracked))] for _ in range(STAGED_FILES)]
    for relative in changed:
        path = partial / relative
        snippet = fakes.snippet_for(rng, path.suffix, fakes.pick_kind(rng))
        path.write_bytes(path.read_bytes().rstrip(b"\n") + b"\n" + snippet.encode())
    new_file = "deploy/staging.env"
    (partial / "deploy").mkdir(exist_ok=True)
    (partial / new_file).write_text(fakes.env_file(rng, 3))
    paths = [*changed, new_file]
    git(["-C", str(partial), "add", "--force", "--", *paths])
    partial.rename(target)
    staged = git(["-C", str(target), "diff", "--cached", "--name-only"]).split()
    stats = {
        **tree_stats(target),
        "staged_files": staged,
        "head": git(["-C", str(target), "rev-parse", "HEAD"]).strip(),
    }
    _mark_built("staged", spec, quick, stats)
    log(f"staged: checkout of {stats['files']} files; staged: {', '.join(staged)}")


def build_dense(spec: Spec, quick: bool) -> None:
    source = corpus_path("directory", quick)
    target = corpus_path("dense", quick)
    _remove(target)
    partial = target.with_name(target.name + ".partial")
    _remove(partial)
    log("hard-linking the directory corpus")
    shutil.copytree(source, partial, copy_function=os.link)
    planted = fakes.plant(partial, spec.plants)
    partial.rename(target)
    manifest = target.with_name("dense-planted.json")
    manifest.write_text(json.dumps(planted, indent=2) + "\n")
    stats = {**tree_stats(target), "planted": planted["summary"]}
    _mark_built("dense", spec, quick, stats)
    log(
        f"dense: {stats['files']} files, {planted['summary']['secrets']} fake secrets "
        f"in {planted['summary']['files']} files"
    )


BUILDERS = {
    "directory": build_directory,
    "history": build_history,
    "staged": build_staged,
    "dense": build_dense,
}
DEPENDS = {"staged": "history", "dense": "directory"}


def ensure(names: list[str], quick: bool, force: bool = False) -> None:
    """Build each named corpus (and what it is made from) unless it is already up to date."""
    spec = spec_for(quick)
    corpus_dir(quick).mkdir(parents=True, exist_ok=True)
    wanted: list[str] = []
    for name in names:
        parent = DEPENDS.get(name)
        if parent and parent not in wanted:
            wanted.append(parent)
        if name not in wanted:
            wanted.append(name)
    rebuilt: set[str] = set()
    for name in wanted:
        stale = force or not _is_built(name, spec, quick) or DEPENDS.get(name) in rebuilt
        if stale:
            BUILDERS[name](spec, quick)
            rebuilt.add(name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the corpora (skips those already up to date)")
    build.add_argument("--quick", action="store_true", help="the small corpora (a few MB) for a smoke run")
    build.add_argument(
        "--corpus", default="all", help="comma-separated: directory,history,staged,dense or all"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    stats = sub.add_parser("stats", help="print the sizes of the built corpora")
    stats.add_argument("--quick", action="store_true")
    sub.add_parser("lock", help="download every pinned release and rewrite pins.json")
    args = parser.parse_args()
    if args.command == "lock":
        lock()
    elif args.command == "build":
        names = list(CORPUS_NAMES) if args.corpus == "all" else args.corpus.split(",")
        ensure(names, args.quick, args.force)
    else:
        for name in CORPUS_NAMES:
            print(json.dumps(read_stats(name, args.quick), indent=2))


if __name__ == "__main__":
    main()
