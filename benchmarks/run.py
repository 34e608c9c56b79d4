"""Benchmark leakwarden against gitleaks, Betterleaks, Kingfisher and detect-secrets, side by side.

    python benchmarks/run.py                    # every corpus, every tool: writes benchmarks/RESULTS.md
    python benchmarks/run.py --quick            # smoke run on a few MB (under a minute once installed)
    python benchmarks/run.py --corpus directory,dense --tools leakwarden,gitleaks --runs 3 --limit 300

Builds the corpora and installs the tools first when needed (see corpora.py and peers.py). On
each corpus every tool runs once untimed (warm-up: page cache, rule caches), then the tools run
interleaved, A B C … A B C …, RUNS times. Each run is timed from spawn to exit: wall time, CPU
time (user + system of the process and its waited-for children, from wait4), peak RSS of its
largest process (ru_maxrss) and the peak proportional set size of its whole process tree
(sampled every 0.1 s from /proc), and the findings of its JSON report.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import corpora
import peers

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
RESULTS_DIR = WORK / "results"
RESULTS_MD = BENCH / "RESULTS.md"
HAND_WRITTEN = "## What the numbers say"

ALL_CORPORA = ("startup", "directory", "dense", "history", "staged")
DEFAULT_RUNS = {"startup": 10, "directory": 5, "dense": 5, "history": 3, "staged": 10}
QUICK_RUNS = {"startup": 3, "directory": 1, "dense": 1, "history": 1, "staged": 1}
FLOORS = {
    "directory": "floor: read every file",
    "dense": "floor: read every file",
    "history": "floor: git cat-file --batch-all-objects --batch",
    "staged": "floor: git diff --cached",
    "startup": "floor: python -c pass",
}


def log(message: str) -> None:
    print(f"[run] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Measuring one run
# ---------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            stack, total = [self.pid], 0
            while stack:
                pid = stack.pop()
                total += _pss_kib(pid)
                stack += _children(pid)
            if total:
                self.samples += 1
                self.peak_kib = max(self.peak_kib, total)


@dataclass
class Sample:
    wall: float
    cpu: float
    user: float
    system: float
    maxrss_mb: float
    tree_pss_mb: float | None
    exit_code: int
    timed_out: bool
    findings: int | None = None


def run_once(invocation: peers.Invocation, report: Path, limit: float, log_path: Path) -> Sample:
    report.unlink(missing_ok=True)
    env = {**os.environ, **invocation.env}
    stdout = report.open("wb") if invocation.stdout_to_report else subprocess.DEVNULL
    with log_path.open("ab") as stderr:
        stderr.write(f"\n$ {invocation.display()}\n".encode())
        stderr.flush()
        start = time.perf_counter()
        process = subprocess.Popen(
            invocation.argv,
            cwd=invocation.cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(limit, kill)
        timer.start()
        sampler = TreeSampler(process.pid)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        sampler.done.set()
        process.returncode = os.waitstatus_to_exitcode(status)
    if not isinstance(stdout, int):
        stdout.close()
    sampler.join()
    return Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        user=usage.ru_utime,
        system=usage.ru_stime,
        maxrss_mb=usage.ru_maxrss / 1024,
        tree_pss_mb=sampler.peak_kib / 1024 if sampler.samples else None,
        exit_code=process.returncode,
        timed_out=expired.is_set(),
    )


# ---------------------------------------------------------------------------------------------
# A corpus: its entries (tools and floor), warm-up, interleaved runs
# ---------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One row of a corpus table: a tool (or the floor) and its command."""

    name: str
    invocation: peers.Invocation | None
    count: object = None  # callable(report) -> int, or None for floors and start-up
    ok_codes: tuple[int, ...] = (0,)
    note: str = ""
    status: str = "ok"  # ok | > limit | failed | n/a
    reason: str = ""
    warmup: Sample | None = None
    samples: list[Sample] = field(default_factory=list)
    is_floor: bool = False
    tool: str = ""
    report: Path | None = None


def _shell(command: str, cwd: Path | None = None) -> peers.Invocation:
    return peers.Invocation(["/bin/sh", "-c", command], cwd=cwd, shell=True)


def floor_entry(corpus: str, target: peers.Target) -> Entry:
    path = shlex.quote(str(target.path))
    if corpus in ("directory", "dense"):
        invocation = _shell(f"find {path} -type f -print0 | xargs -0 cat > /dev/null")
    elif corpus == "history":
        invocation = _shell(f"git -C {path} cat-file --batch-all-objects --batch > /dev/null")
    elif corpus == "staged":
        invocation = _shell(f"git -C {path} diff --cached > /dev/null")
    else:
        python = peers.VENVS / "leakwarden" / "bin" / "python"
        invocation = peers.Invocation([str(python), "-c", "pass"])
    return Entry(FLOORS[corpus], invocation, is_floor=True)


def entries_for(corpus: str, target: peers.Target, tools: list[peers.Tool], reports: Path) -> list[Entry]:
    entries: list[Entry] = []
    if corpus == "startup":
        for tool in tools:
            for label, argv in peers.startup_commands(tool.name):
                entries.append(
                    Entry(label, peers.Invocation(argv, env=_startup_env(tool.name)), tool=tool.name)
                )
    else:
        for tool in tools:
            report = reports / f"{corpus}-{tool.name}.json"
            invocation = tool.command(target, report)
            entry = Entry(
                tool.name, invocation, tool.count, tool.ok_codes, tool.notes.get(corpus, ""), tool=tool.name
            )
            entry.report = report
            if invocation is None:
                entry.status = "n/a"
                entry.reason = tool.unsupported.get(corpus, "no such mode")
            entries.append(entry)
    entries.append(floor_entry(corpus, target))
    return entries


def _startup_env(tool: str) -> dict[str, str]:
    if tool == "leakwarden":
        return {"LEAKWARDEN_CACHE_DIR": str(peers.CACHE / "leakwarden")}
    return {}


def _measure(entry: Entry, corpus: str, reports: Path, limit: float, logs: Path) -> Sample:
    assert entry.invocation is not None
    safe = "".join(c if c.isalnum() else "-" for c in entry.name)
    report = entry.report or reports / f"{corpus}-{safe}.out"
    sample = run_once(entry.invocation, report, limit, logs / f"{corpus}-{safe}.log")
    if callable(entry.count) and not sample.timed_out:
        try:
            sample.findings = entry.count(report)
        except (ValueError, KeyError, TypeError) as error:
            log(f"{entry.name}: unreadable report {report}: {error}")
    return sample


def _ok(entry: Entry, sample: Sample) -> bool:
    return entry.is_floor or entry.tool == "" or sample.exit_code in entry.ok_codes


def run_corpus(
    corpus: str,
    entries: list[Entry],
    runs: int,
    limit: float,
    dirs: tuple[Path, Path],
    *,
    warmup: bool = True,
) -> None:
    reports, logs = dirs
    live = [e for e in entries if e.status == "ok"] if warmup else []
    for entry in live:
        log(f"{corpus}: warm-up {entry.name}")
        sample = _measure(entry, corpus, reports, limit, logs)
        entry.warmup = sample
        if sample.timed_out:
            entry.status = "> limit"
            log(f"{corpus}: {entry.name} did not finish within {limit:.0f} s")
        elif not (_ok(entry, sample) if entry.tool else sample.exit_code == 0):
            entry.status = "failed"
            entry.reason = f"exit code {sample.exit_code} (see {logs.name}/)"
            log(f"{corpus}: {entry.name} failed with exit code {sample.exit_code}")
    for index in range(runs):
        for entry in entries:
            if entry.status != "ok":
                continue
            sample = _measure(entry, corpus, reports, limit, logs)
            entry.samples.append(sample)
            if sample.timed_out:
                entry.status = "> limit"
            elif not _ok(entry, sample):
                entry.status = "failed"
                entry.reason = f"exit code {sample.exit_code}"
        log(f"{corpus}: run {index + 1}/{runs} done")


# ---------------------------------------------------------------------------------------------
# Summaries and RESULTS.md
# ---------------------------------------------------------------------------------------------


def _finished(entry: Entry) -> list[Sample]:
    return [s for s in entry.samples if not s.timed_out]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summary(entry: Entry, size_bytes: int | None) -> dict[str, object]:
    done = _finished(entry)
    walls = [s.wall for s in done]
    result: dict[str, object] = {
        "status": entry.status,
        "runs": len(done),
        "wall_median": _median(walls),
        "wall_min": min(walls) if walls else None,
        "wall_max": max(walls) if walls else None,
        "cpu_median": _median([s.cpu for s in done]),
        "cpu_min": min((s.cpu for s in done), default=None),
        "cpu_max": max((s.cpu for s in done), default=None),
        "maxrss_median": _median([s.maxrss_mb for s in done]),
        "tree_pss_median": _median([s.tree_pss_mb for s in done if s.tree_pss_mb is not None]),
        "findings": sorted({s.findings for s in done if s.findings is not None}),
    }
    if size_bytes and walls:
        rates = [size_bytes / 1e6 / w for w in walls]
        result["mbs_median"] = statistics.median(rates)
        result["mbs_min"] = min(rates)
        result["mbs_max"] = max(rates)
    if entry.warmup is not None and entry.warmup.findings is not None and not result["findings"]:
        result["findings"] = [entry.warmup.findings]
    return result


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _spread(s: dict[str, object], key: str, digits: int = 2) -> str:
    median = s.get(f"{key}_median")
    if median is None:
        return "–"
    low, high = s.get(f"{key}_min"), s.get(f"{key}_max")
    if low is None or low == high:
        return _fmt(median, digits)
    return f"{_fmt(median, digits)} ({_fmt(low, digits)}–{_fmt(high, digits)})"


def _wall_cell(s: dict[str, object], limit: float) -> str:
    if s["status"] == "> limit":
        return f"> {limit:.0f} s" + (f" ({s['runs']} runs finished)" if s["runs"] else "")
    if s["status"] in ("n/a", "failed"):
        return str(s["status"])
    return _spread(s, "wall", 3 if (s.get("wall_median") or 1) < 1 else 2)


def _ratio(lw: dict[str, object], other: dict[str, object], limit: float) -> tuple[float | None, str]:
    """leakwarden's median wall over OTHER's (None when it cannot be said)."""
    a, b = lw.get("wall_median"), other.get("wall_median")
    if lw["status"] == "ok" and other["status"] == "> limit" and isinstance(a, float):
        return a / limit, f"< {a / limit:.3f}×"
    if lw["status"] == "> limit" and isinstance(b, float):
        return None, f"> {limit / b:.1f}×"
    if isinstance(a, float) and isinstance(b, float) and b > 0:
        return a / b, f"{a / b:.3f}×"
    return None, "–"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    git_version = subprocess.run(
        ["git", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "git": git_version,
    }


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def leakwarden_source() -> str:
    """The leakwarden under test: the commit, and a digest of the working tree's sources and rules."""
    repo = BENCH.parent
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    digest = hashlib.sha256()
    for path in sorted((repo / "src" / "leakwarden").rglob("*")):
        if path.suffix in (".py", ".yaml", ".json") and path.is_file():
            digest.update(str(path.relative_to(repo)).encode() + b"\0" + path.read_bytes())
    digest.update((repo / "pyproject.toml").read_bytes())
    return f"commit {head or 'unknown'}, sources digest {digest.hexdigest()[:12]}"


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _rel(text: str) -> str:
    return text.replace(str(BENCH.parent) + "/", "")


TARGETS = [
    # corpus, description, peer (or special), maximum ratio
    ("directory", "wall ≤ 0.5× Kingfisher's", "kingfisher", 0.5),
    ("directory", "wall ≤ 0.15× gitleaks'", "gitleaks", 0.15),
    ("directory", "wall within 2× of the read floor", "floor", 2.0),
    ("history", "wall ≤ 0.5× Kingfisher's", "kingfisher", 0.5),
    ("history", "wall within 2× of the cat-file floor", "floor", 2.0),
    ("history", "peak memory ≤ 400 MB", "memory", 400.0),
    ("staged", "wall ≤ 0.2 s (warm cache)", "absolute", 0.2),
    ("staged", "faster than `gitleaks git --pre-commit --staged`", "gitleaks", 1.0),
    ("dense", "wall ≤ 1.5× its directory wall", "directory", 1.5),
    ("startup", "`leakwarden --version` ≤ 0.15 s", "version", 0.15),
    ("startup", "`leakwarden rules list` ≤ 0.15 s", "rules", 0.15),
]


def evaluate_targets(results: dict[str, dict[str, object]], limit: float) -> list[tuple[str, str, str, str]]:
    rows = []
    for corpus, text, against, maximum in TARGETS:
        table = results.get(corpus)
        if not table:
            continue
        rows_by_name = table["summaries"]
        lw = rows_by_name.get("leakwarden")
        measured, verdict = "–", "not measured"
        if corpus == "startup":
            key = "leakwarden --version" if against == "version" else "leakwarden rules list"
            lw = rows_by_name.get(key)
            if lw and isinstance(lw.get("wall_median"), float):
                measured = f"{lw['wall_median']:.3f} s"
                verdict = "met" if lw["wall_median"] <= maximum else "not met"
        elif lw is None or lw["status"] == "n/a":
            verdict = "not measured (leakwarden has no such mode yet)"
        elif against == "absolute":
            if isinstance(lw.get("wall_median"), float):
                measured = f"{lw['wall_median']:.3f} s"
                verdict = "met" if lw["wall_median"] <= maximum else "not met"
        elif against == "memory":
            peak = max(v for v in (lw.get("maxrss_median"), lw.get("tree_pss_median"), 0.0) if v is not None)
            if peak:
                measured = f"{peak:.0f} MB"
                verdict = "met" if peak <= maximum else "not met"
        elif against == "directory":
            base = results.get("directory", {}).get("summaries", {}).get("leakwarden")
            if base is not None:
                ratio, measured = _ratio(lw, base, limit)
                verdict = "met" if ratio is not None and ratio <= maximum else "not met"
        else:
            other_name = FLOORS[corpus] if against == "floor" else against
            other = rows_by_name.get(other_name)
            if other is not None and other["status"] not in ("n/a", "failed"):
                ratio, measured = _ratio(lw, other, limit)
                if ratio is None:
                    verdict = "not met" if lw["status"] == "> limit" else "–"
                else:
                    verdict = "met" if ratio <= maximum else "not met"
        rows.append((corpus, text, measured, verdict))
    return rows


def _corpus_description(corpus: str, stats: dict[str, object]) -> str:
    if corpus in ("directory", "dense"):
        text = f"{stats.get('files')} files, {int(stats.get('bytes', 0)) / 1e6:.1f} MB"
        planted = stats.get("planted")
        if isinstance(planted, dict):
            text += (
                f"; {planted['secrets']} fake secrets planted ({planted['plants']} plants) "
                f"in {planted['files']} files"
            )
        return text
    if corpus == "history":
        return (
            f"{stats.get('commits')} commits, {stats.get('blobs')} distinct blobs, "
            f"{int(stats.get('blob_bytes', 0)) / 1e6:.1f} MB of distinct blob content, "
            f"{int(stats.get('repository_bytes_on_disk', 0)) / 1e6:.1f} MB packed; "
            f"HEAD {str(stats.get('head'))[:12]}"
        )
    if corpus == "staged":
        staged = stats.get("staged_files") or []
        files = stats.get("files")
        return f"clone of history with HEAD checked out ({files} files); staged: {len(staged)} files"
    return "no corpus: the command alone"


def write_markdown(payload: dict[str, object], path: Path) -> None:
    limit = float(payload["limit"])  # type: ignore[arg-type]
    results: dict[str, dict[str, object]] = payload["results"]  # type: ignore[assignment]
    lines = [
        "# Benchmark results",
        "",
        "<!-- Generated by `python benchmarks/run.py`: everything above the hand-written section "
        "is rewritten. -->",
        "",
        f"- Date: {payload['date']} ({payload['size']} corpora)",
        f"- Machine: {payload['machine']['cores']} cores, {payload['machine']['memory']} memory, "  # type: ignore[index]
        f"{payload['machine']['cpu']}; Linux {payload['machine']['kernel']}; "  # type: ignore[index]
        f"Python {payload['machine']['python']}; {payload['machine']['git']}",  # type: ignore[index]
        f"- Load average (1, 5, 15 min) at start: {payload['load_start']}; at end: {payload['load_end']}",
        f"- leakwarden under test: {_source_line(payload)}",
        f"- Runs: {payload['runs']} per tool per corpus, interleaved (A B C … A B C …), "
        + (
            "after one untimed warm-up run of each tool on each corpus"
            if payload["warmup"]
            else "no warm-up (quick)"
        )
        + f"; limit {limit:.0f} s per run.",
        "- Page cache: warm (caches cannot be dropped here; every corpus fits in memory), and each tool's "
        "rule cache is warm (leakwarden's compiled database, Kingfisher's Vectorscan cache).",
        f"- Tools: {', '.join(f'{k} ({v})' for k, v in payload['versions'].items())}",  # type: ignore[union-attr]
        f"- Packages: {', '.join(payload['packages'].values())}",  # type: ignore[union-attr]
        "",
    ]
    for note in payload.get("notes") or [payload.get("note")]:  # type: ignore[union-attr]
        if note:
            lines += [f"> {note}", ""]
    lines += [
        "## Targets (ratios of medians measured in the same run)",
        "",
        "| corpus | target | measured | verdict |",
        "|---|---|---|---|",
    ]
    lines += [f"| {c} | {t} | {m} | {v} |" for c, t, m, v in evaluate_targets(results, limit)]
    lines.append("")
    for corpus, table in results.items():
        summaries: dict[str, dict[str, object]] = table["summaries"]  # type: ignore[assignment]
        lines += [f"## {corpus}", "", f"Corpus: {table['description']}.", ""]
        if table.get("measured"):
            lines += [f"Measured {table['measured']}; {table.get('runs')} timed runs.", ""]
        lw_key = "leakwarden" if corpus != "startup" else None
        header = "| tool | wall s, median (min–max) | CPU s | MB/s | peak RSS MB (largest process) | "
        header += "peak PSS MB (process tree) | findings |"
        if lw_key:
            header += " leakwarden ÷ this |"
        lines += [header, "|---" * (header.count("|") - 1) + "|"]
        for name, s in summaries.items():
            cells = [
                name,
                _wall_cell(s, limit),
                _spread(s, "cpu"),
                _spread(s, "mbs", 1),
                _fmt(s.get("maxrss_median"), 0),
                _fmt(s.get("tree_pss_median"), 0),
                ", ".join(str(f) for f in s["findings"]) or "–",  # type: ignore[union-attr]
            ]
            if lw_key:
                lw = summaries.get(lw_key)
                cells.append("–" if lw is None or name == lw_key else _ratio(lw, s, limit)[1])
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        notes = table.get("notes") or {}
        for name, note in notes.items():  # type: ignore[union-attr]
            lines.append(f"- {name}: {note}")
        if notes:
            lines.append("")
    lines += [
        "## Commands",
        "",
        "Paths are relative to the repository root; REPORT is the tool's JSON report.",
        "",
    ]
    for corpus, table in results.items():
        lines.append(f"### {corpus}")
        lines.append("")
        lines.append("```sh")
        for name, command in table["commands"].items():  # type: ignore[union-attr]
            lines.append(f"# {name}")
            lines.append(command)
        lines.append("```")
        lines.append("")
    previous = path.read_text() if path.exists() else ""
    kept = (
        previous[previous.index(HAND_WRITTEN) :]
        if HAND_WRITTEN in previous
        else HAND_WRITTEN + "\n\n(To be written.)\n"
    )
    path.write_text("\n".join(lines) + "\n" + kept)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def _source_line(payload: dict[str, object]) -> str:
    source = payload.get("leakwarden_source")
    if not isinstance(source, dict):
        return "not recorded"
    mode = payload.get("leakwarden_mode", "editable")
    if source["start"] == source["end"]:
        return f"{source['start']} ({mode} install; the tree did not change during the run)"
    if mode == "snapshot":
        return f"{source['start']} (snapshot installed at the start; the tree changed later, not measured)"
    return f"{source['start']} at start, {source['end']} at end: the live tree CHANGED during the run"


def render_merged(files: list[Path], output: Path) -> None:
    """One RESULTS.md from several runs' results.json: a later run's corpora replace an earlier's."""
    payloads = [json.loads(f.read_text()) for f in files]
    merged = {key: value for key, value in payloads[-1].items() if key != "raw"}
    results: dict[str, object] = {}
    notes = []
    for payload in payloads:
        for corpus, table in payload["results"].items():
            table.setdefault("measured", f"in the run of {payload['date']}")
            earlier = results.get(corpus)
            if not isinstance(earlier, dict):
                results[corpus] = table
                continue
            # Row by row: the later run's tools replace the earlier run's; the others are kept.
            rows = ", ".join(table["summaries"])
            kept = [name for name in earlier["summaries"] if name not in table["summaries"]]
            for key in ("summaries", "commands", "notes"):
                earlier[key] = {**earlier[key], **table[key]}
            earlier["measured"] = (
                f"{rows}: {table['measured']}; "
                + (f"{', '.join(kept)}: {earlier['measured']}" if kept else "")
            ).rstrip("; ")
            earlier["runs"] = table.get("runs")
        note = payload.get("note")
        notes.append(f"Run of {payload['date']} ({', '.join(payload['results'])}): {note or 'no note'}")
    merged["results"] = results
    merged["notes"] = notes
    merged["date"] = " and ".join(dict.fromkeys(p["date"] for p in payloads))
    merged["runs"] = "; ".join(str(p["runs"]) for p in payloads)
    merged["load_start"] = "; ".join(str(p["load_start"]) for p in payloads)
    merged["load_end"] = "; ".join(str(p["load_end"]) for p in payloads)
    write_markdown(merged, output)


def target_for(corpus: str, quick: bool) -> tuple[peers.Target, int | None, str]:
    if corpus == "startup":
        return peers.Target("startup", BENCH), None, _corpus_description(corpus, {})
    stats = corpora.read_stats(corpus, quick)
    path = corpora.corpus_path(corpus, quick)
    staged_stats = corpora.read_stats("staged", quick)
    worktree = corpora.corpus_path("staged", quick) if corpus == "history" and staged_stats else None
    target = peers.Target(corpus, path, worktree, list(staged_stats.get("staged_files", [])))  # type: ignore[arg-type]
    size = int(stats.get("blob_bytes" if corpus == "history" else "bytes", 0)) or None  # type: ignore[call-overload]
    if corpus == "staged":
        size = None
    return target, size, _corpus_description(corpus, stats)


def self_check(results: dict[str, dict[str, object]]) -> list[str]:
    """What a smoke run must show: every supported tool finished, and leakwarden found the plants."""
    problems = []
    for corpus, table in results.items():
        for name, s in table["summaries"].items():  # type: ignore[union-attr]
            if s["status"] in ("failed", "> limit"):
                problems.append(f"{corpus}: {name} {s['status']}")
    dense = results.get("dense", {}).get("summaries", {}).get("leakwarden")
    if dense and dense["status"] == "ok" and not any(dense["findings"]):  # type: ignore[arg-type]
        problems.append("dense: leakwarden found nothing")
    return problems


def measure_all(
    chosen: list[str],
    tools: list[peers.Tool],
    runs: dict[str, int],
    limit: float,
    dirs: tuple[Path, Path],
    *,
    quick: bool,
) -> tuple[dict[str, dict[str, object]], dict[str, object]]:
    """Every chosen corpus in turn: its summaries (for the markdown) and raw samples."""
    results: dict[str, dict[str, object]] = {}
    raw: dict[str, object] = {}
    for corpus in chosen:
        target, size, description = target_for(corpus, quick)
        entries = entries_for(corpus, target, tools, dirs[0])
        started, load_before = _now(), _loadavg()
        run_corpus(corpus, entries, runs[corpus], limit, dirs, warmup=not quick)
        results[corpus] = {
            "description": description,
            "summaries": {e.name: summary(e, size) for e in entries},
            "commands": {e.name: _rel(e.invocation.display()) for e in entries if e.invocation is not None},
            "notes": {e.name: e.note or e.reason for e in entries if (e.note or e.reason)},
            "measured": f"{started} to {_now()}, load average {load_before} → {_loadavg()}",
            "runs": runs[corpus],
        }
        raw[corpus] = {
            e.name: {"warmup": e.warmup and asdict(e.warmup), "samples": [asdict(s) for s in e.samples]}
            for e in entries
        }
    return results, raw


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", default="all", help=f"comma-separated among {','.join(ALL_CORPORA)}, or all"
    )
    parser.add_argument("--tools", default=",".join(peers.ORDER), help="comma-separated tool names")
    parser.add_argument(
        "--runs",
        help="timed runs per tool and corpus: N for all, or CORPUS=N,... (default: startup=10,staged=10,"
        "directory=5,dense=5,history=3; 1 each with --quick)",
    )
    parser.add_argument(
        "--limit",
        type=float,
        help="seconds a run may take before it is reported as '> limit' (default 600; 60 with --quick)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small corpora (about 1.5 MB), one run and no "
        "warm-up: a smoke test of the harness, not a measurement",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="markdown file to write (default benchmarks/RESULTS.md; "
        "benchmarks/work/RESULTS-quick.md with --quick)",
    )
    parser.add_argument(
        "--note", default="", help="a line to print at the top of the results (e.g. machine state)"
    )
    parser.add_argument(
        "--leakwarden",
        choices=("snapshot", "editable"),
        default="snapshot",
        help="snapshot (default): install the working tree as it is at the start of the run, so "
        "edits during the run are not measured; editable: measure the live tree (pip install -e)",
    )
    parser.add_argument("--reinstall", action="store_true", help="reinstall every tool's venv")
    parser.add_argument(
        "--render",
        nargs="+",
        type=Path,
        metavar="RESULTS_JSON",
        help="write the markdown from earlier runs' results.json instead of running (a later run's "
        "corpora replace an earlier's): e.g. to re-measure one corpus",
    )
    return parser


def main() -> int:
    parser = _parser()
    args = parser.parse_args()
    if args.render:
        output = args.output or RESULTS_MD
        render_merged(args.render, output)
        log(f"wrote {output}")
        return 0

    chosen = list(ALL_CORPORA) if args.corpus == "all" else args.corpus.split(",")
    unknown = set(chosen) - set(ALL_CORPORA)
    if unknown:
        parser.error(f"unknown corpus: {', '.join(sorted(unknown))}")
    names = args.tools.split(",")
    if "leakwarden" not in names:
        names.insert(0, "leakwarden")
    limit = args.limit or (60.0 if args.quick else 600.0)
    runs = {c: (QUICK_RUNS if args.quick else DEFAULT_RUNS)[c] for c in chosen}
    for item in (args.runs or "").split(","):
        if item.isdigit():
            runs = dict.fromkeys(chosen, int(item))
        elif "=" in item:
            corpus, count = item.split("=", 1)
            runs[corpus] = int(count)
    output = args.output or (WORK / "RESULTS-quick.md" if args.quick else RESULTS_MD)

    corpora.ensure([c for c in chosen if c != "startup"], args.quick)
    if "history" in chosen:
        corpora.ensure(["staged"], args.quick)  # detect-secrets scans its checkout of HEAD
    tools = peers.tools(names, args.reinstall, args.leakwarden)

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = RESULTS_DIR / f"{stamp}-{'quick' if args.quick else 'full'}"
    reports, logs = run_dir / "reports", run_dir / "logs"
    reports.mkdir(parents=True)
    logs.mkdir()
    load_start = _loadavg()
    source_start = leakwarden_source()
    results, raw = measure_all(chosen, tools, runs, limit, (reports, logs), quick=args.quick)
    payload: dict[str, object] = {
        "date": _now(),
        "size": "quick" if args.quick else "full",
        "leakwarden_source": {"start": source_start, "end": leakwarden_source()},
        "leakwarden_mode": args.leakwarden,
        "machine": machine(),
        "load_start": load_start,
        "load_end": _loadavg(),
        "runs": ", ".join(f"{c} {n}" for c, n in runs.items()),
        "limit": limit,
        "warmup": not args.quick,
        "versions": {t.name: t.version for t in tools},
        "packages": peers.package_versions(),
        "note": args.note,
        "results": results,
    }
    (run_dir / "results.json").write_text(json.dumps({**payload, "raw": raw}, indent=2) + "\n")
    write_markdown(payload, output)
    log(f"wrote {output} (raw samples in {run_dir})")
    if args.quick:
        problems = self_check(results)
        for problem in problems:
            log(f"self-check: {problem}")
        log("self-check: " + ("FAILED" if problems else "ok"))
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
