"""Shared by the `leakwarden fix` tests: fake credentials of the catalogue's shapes (generated,
never real) and the round trip every test goes through: plan, nothing written, apply, re-parse,
re-scan, environment files checked."""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
import string
import subprocess
import sys
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from leakwarden.fix import FixPlan, apply, plan_fixes
from leakwarden.fix.dotenv import parse
from leakwarden.fix.gitignore import is_ignored
from leakwarden.scan import scan_paths
from tests.conftest import write

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


class Fakes:
    """Deterministic fake credentials: each call gives a new one."""

    def __init__(self, seed: int = 7) -> None:
        self.random = random.Random(seed)

    def _pick(self, alphabet: str, n: int) -> str:
        return "".join(self.random.choice(alphabet) for _ in range(n))

    def alibaba(self) -> tuple[str, str]:
        mixed = string.ascii_letters + string.digits
        secret = self._pick(mixed, 27) + "aZ7"  # every character class, so no allow-list drops it
        return "LTAI" + self._pick(mixed, 20), secret

    def scaleway(self) -> tuple[str, str]:
        access = "SCW" + self._pick(string.ascii_uppercase + string.digits, 17)
        return access, str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    def scalr(self) -> str:
        def part(data: object) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        claims = {"jti": "at-" + self._pick(string.hexdigits.lower(), 16), "iat": 1730000000, "iss": "scalr"}
        signature = self._pick(string.ascii_letters + string.digits + "-_", 43)
        return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{signature}"

    def packagecloud(self) -> str:
        return f"{self.random.getrandbits(192):048x}"

    def github_pat(self) -> str:
        """`ghp_`, 30 random characters and their CRC32 in six base62 digits (GitHub's format)."""
        body = self._pick(BASE62, 30)
        value, check = zlib.crc32(body.encode()), ""
        for _ in range(6):
            value, digit = divmod(value, 62)
            check = BASE62[digit] + check
        return f"ghp_{body}{check}"


@dataclass
class RoundTrip:
    root: Path
    plan: FixPlan
    before: dict[str, bytes]  # every file of the tree before the fix
    env: dict[str, str]
    example: dict[str, str]

    def text(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def outcome(self, name: str) -> tuple[str, str]:
        target = str(self.root / name)
        found = [o for o in self.plan.outcomes if o.path == target]
        assert found, f"no outcome for {name}: {self.plan.outcomes}"
        return found[0].status, found[0].reason


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def roundtrip(
    root: Path,
    files: Mapping[str, str],
    *,
    parses: Callable[[str, str], None] | None = None,
    expect_clean: bool = True,
) -> RoundTrip:
    """Write `files` under `root`, plan (nothing may change), apply, and check the result:
    every changed file still parses (`parses(name, text)`), a re-scan outside the environment
    file finds none of the secrets, `.env` holds them, `.env.example` their names, and git
    ignores `.env`."""
    for name, text in files.items():
        write(root / name, text)
    before = snapshot(root)
    plan = plan_fixes([str(root)], env_file=root / ".env")
    assert plan.findings, "the fixture holds no credential the scanner finds"
    assert snapshot(root) == before, "planning wrote something"
    apply(plan)
    env = parse((root / ".env").read_text()) if (root / ".env").exists() else {}
    example_path = root / ".env.example"
    example = parse(example_path.read_text()) if example_path.exists() else {}
    for change in plan.changes:
        name = str(change.path.relative_to(root))
        if parses is not None and name in files:
            parses(name, change.new)
    if expect_clean:
        rescan = scan_paths([str(root)], exclude=[".env"])
        left = {f.secret for f in rescan.findings} | {v for f in rescan.findings for v in f.parts.values()}
        assert not (left & plan.secrets), [f.occurrences[0].provenance.path for f in rescan.findings]
        assert plan.secrets <= set(env.values())
        assert all(example.get(entry.name) == "" for entry in plan.entries)
        assert is_ignored(root / ".env")
    return RoundTrip(root, plan, before, env, example)


def run_both(
    rt: RoundTrip, command: list[str], extra_path: Path | None = None, cwd_files: Mapping[str, str] = {}
) -> tuple[str, str]:
    """Run `command` over the tree before the fix (a copy) and after it, with the variables of
    `.env` in the environment of the second run; return both outputs."""
    original = rt.root.parent / (rt.root.name + "-original")
    shutil.rmtree(original, ignore_errors=True)
    for name, data in rt.before.items():
        write(original / name, data)
    env = {k: v for k, v in os.environ.items() if k not in rt.env}
    if extra_path is not None:
        env["PYTHONPATH"] = str(extra_path)
        env["NODE_PATH"] = str(extra_path)
    outputs = []
    for where, extra in ((original, {}), (rt.root, rt.env)):
        done = subprocess.run(
            command, cwd=where, env={**env, **extra}, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    return outputs[0], outputs[1]


PYTHON = sys.executable
