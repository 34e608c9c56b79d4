"""Many matches on one long line against the same matches on lines of their own.

    python benchmarks/long_line.py                       # the default sizes, this checkout
    python benchmarks/long_line.py --count 300000 --runs 1
    python benchmarks/long_line.py --src /tmp/other/src  # another tree's leakwarden, same inputs

For each kind of value (AWS access key ids; passwords in connection URIs) it writes two files
holding the same values, once separated by spaces on a single line and once one per line, runs
`leakwarden scan path FILE --format json -o /dev/null` on each (the leakwarden of `--src`, run by
`--python`), and prints the wall times and the ratio one-line / many-line. Per-match work that
grows with the length of the line or with the number of matches sharing it shows as a ratio
well above 1; the target is at most 1.5. Standard library only; the values are random, of the
real alphabet and length, and were never issued by anyone.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TARGET = 1.5
BASE32 = string.ascii_uppercase + "234567"
PASSWORD = string.ascii_letters + string.digits + "-_"


def aws_key_ids(r: random.Random, count: int) -> list[str]:
    # AKIA, then 16 characters of the base32 alphabet: the shape of a long-term access key id.
    return ["AKIA" + "".join(r.choice(BASE32) for _ in range(16)) for _ in range(count)]


def uri_passwords(r: random.Random, count: int) -> list[str]:
    def one() -> str:
        user = "svc" + "".join(r.choice(string.ascii_lowercase) for _ in range(5))
        password = "".join(r.choice(PASSWORD) for _ in range(18))
        host = "db-" + "".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(8))
        return f"postgres://{user}:{password}@{host}.eu-west-1.rds.amazonaws.com:5432/app"

    return [one() for _ in range(count)]


KINDS: dict[str, Callable[[random.Random, int], list[str]]] = {
    "aws-key-ids": aws_key_ids,
    "uri-passwords": uri_passwords,
}


def run(python: str, src: Path, path: Path, cache: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(src), LEAKWARDEN_CACHE_DIR=str(cache))
    command = [python, "-m", "leakwarden", "scan", "path", str(path), "--format", "json", "-o", os.devnull]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: findings, as expected here
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=20000, help="values per file (default 20000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per file; the median is shown")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of: {', '.join(KINDS)}")
    parser.add_argument("--src", type=Path, default=BENCH.parent / "src", help="the leakwarden tree to run")
    parser.add_argument("--python", default=sys.executable, help="the interpreter that has its dependencies")
    args = parser.parse_args()
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="leakwarden-long-line-") as tmp:
        work = Path(tmp)
        cache = work / "cache"
        print(f"{'kind':<14} {'count':>8} {'MB':>6} {'one line s':>11} {'many lines s':>13} {'ratio':>6}")
        for kind in args.kinds.split(","):
            values = KINDS[kind](random.Random(f"long-line:{kind}"), args.count)
            one, many = work / f"{kind}-one.txt", work / f"{kind}-many.txt"
            one.write_text(" ".join(values) + "\n")
            many.write_text("\n".join(values) + "\n")
            run(args.python, args.src, many, cache)  # warm-up: the compiled rule database, page cache
            times: dict[Path, list[float]] = {one: [], many: []}
            for _ in range(args.runs):
                for path in (one, many):  # interleaved, so a busy moment hits both
                    times[path].append(run(args.python, args.src, path, cache))
            t_one, t_many = statistics.median(times[one]), statistics.median(times[many])
            ratio = t_one / t_many
            worst = max(worst, ratio)
            size = one.stat().st_size / 1e6
            print(f"{kind:<14} {args.count:>8} {size:>6.1f} {t_one:>11.2f} {t_many:>13.2f} {ratio:>6.2f}")
    print(f"worst ratio {worst:.2f} (target ≤ {TARGET})")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
