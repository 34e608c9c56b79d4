"""What decoding costs: leakwarden with `--decode-depth 0` against the default, interleaved.

    python benchmarks/decode_cost.py --runs 3 DIR [DIR...] --git REPO [--git REPO...]

For each target, every run scans it once with decoding off and once at the default depth (in
alternating order), and prints the median wall time of the whole command and the median scan
duration the JSON summary reports, and their ratio. Standard library only; leakwarden is run as
`python -m leakwarden` with the interpreter given (default: this one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _once(python: str, command: list[str], depth: int, out: Path) -> tuple[float, float, dict[str, object]]:
    started = time.perf_counter()
    argv = [python, "-m", "leakwarden", *command, "--decode-depth", str(depth), "--format", "json"]
    subprocess.run([*argv, "-o", str(out), "-q"], check=False, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    summary = json.loads(out.read_text())["summary"]
    return wall, float(summary["duration_s"]), summary


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", help="directories for `scan path`")
    parser.add_argument("--git", action="append", default=[], help="repositories for `scan git`")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    targets = [["scan", "path", p] for p in args.paths] + [["scan", "git", g] for g in args.git]
    print(
        "| command | decode-depth 0: wall s / scan s | default (2): wall s / scan s "
        "| ratio wall / scan | decoded |"
    )
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        for command in targets:
            _once(args.python, command, 0, out)  # warm-up: caches, page cache
            times: dict[int, list[tuple[float, float]]] = {0: [], 2: []}
            summary: dict[str, object] = {}
            for run in range(args.runs):
                for depth in (0, 2) if run % 2 == 0 else (2, 0):
                    wall, scan, result = _once(args.python, command, depth, out)
                    times[depth].append((wall, scan))
                    if depth == 2:
                        summary = result
            med = {
                d: (statistics.median(w for w, _ in t), statistics.median(s for _, s in t))
                for d, t in times.items()
            }
            decoding = summary.get("decoding", {})
            assert isinstance(decoding, dict)
            print(
                f"| `leakwarden {' '.join(command)}` | {med[0][0]:.2f} / {med[0][1]:.2f} | "
                f"{med[2][0]:.2f} / {med[2][1]:.2f} | "
                f"{med[2][0] / med[0][0]:.2f} / {med[2][1] / med[0][1]:.2f} | "
                f"{decoding.get('pieces')} pieces, {int(str(decoding.get('bytes', 0))) / 1e6:.1f} MB, "
                f"of {int(str(summary.get('bytes', 0))) / 1e6:.1f} MB scanned |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
