"""`scan image` throughput on a synthetic image built here: N layers of text files (some with
fake credentials, one deleted by a later layer's whiteout), gzipped like a real registry layer.

    PYTHONPATH=src:. python benchmarks/image_bench.py [--layers 5] [--files 4000] [--size 5000]

Prints the image's compressed and expanded size, blobs scanned, wall time and MB/s (expanded).
"""

from __future__ import annotations

import argparse
import random
import string
import tempfile
import time
from pathlib import Path

from tests.fix_support import Fakes
from tests.image_builders import Image, Layout, Step, layer_tar

from leakwarden.scan.image import scan_image

WORDS = ("the", "of", "and", "to", "in", "is", "for", "on", "that", "with", "config", "value", "port", "host")


def text(rng: random.Random, size: int) -> bytes:
    out: list[str] = []
    total = 0
    while total < size:
        line = " ".join(rng.choice(WORDS) for _ in range(8)) + f" = {rng.randrange(10**6)}\n"
        out.append(line)
        total += len(line)
    return "".join(out).encode()


def build(root: Path, layers: int, files: int, size: int) -> tuple[Path, int]:
    rng = random.Random(1)
    fakes = Fakes(seed=1)
    steps = []
    expanded = 0
    for n in range(layers):
        entries: list[tuple[str, bytes | None]] = []
        for i in range(files):
            data = text(rng, size)
            if i % 1000 == 0:
                data += f"token: {fakes.github_pat()}\n".encode()
            entries.append((f"srv/l{n}/{''.join(rng.choices(string.ascii_lowercase, k=6))}/{i}.cfg", data))
            expanded += len(data)
        if n == 1:
            entries.append(("srv/.env", f"GITHUB_TOKEN={fakes.github_pat()}\n".encode()))
        if n == layers - 1:
            entries.append(("srv/.wh..env", b""))
        steps.append(Step(f"COPY layer{n} /srv/l{n}", layer_tar(entries)))
    layout = Layout()
    layout.add(Image(steps=steps), ref="bench:1")
    return layout.write_dir(root / "oci"), expanded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=5)
    parser.add_argument("--files", type=int, default=4000)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path, expanded = build(Path(tmp), options.layers, options.files, options.size)
        compressed = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        scan_image(str(path), jobs=1)  # warm: compile (or load) the rule database once
        started = time.perf_counter()
        result = scan_image(str(path), jobs=options.jobs)
        elapsed = time.perf_counter() - started
    hidden = sum(
        1 for f in result.findings for o in f.occurrences if getattr(o.provenance, "hidden_by_index", None)
    )
    print(
        f"{options.layers} layers x {options.files} files: {compressed / 1e6:.1f} MB compressed, "
        f"{expanded / 1e6:.1f} MB expanded; {result.summary.blobs} blobs, {len(result.findings)} findings "
        f"({hidden} deleted but shipped) in {elapsed:.2f} s = {expanded / 1e6 / elapsed:.1f} MB/s"
    )


if __name__ == "__main__":
    main()
