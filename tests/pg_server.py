"""A throwaway PostgreSQL server for the store tests: the distribution's own binaries
(Debian's `postgresql` package puts them in /usr/lib/postgresql/<version>/bin), a cluster made
by `initdb` in a temporary directory, listening on 127.0.0.1 at a free port with its unix socket
in that directory. One server per test session; one fresh database per test.

PostgreSQL refuses to run as root, so when the suite runs as root (CI containers do) the
cluster belongs to an unprivileged system user made for it. The superuser logs in with a random
password (SCRAM) even on loopback: other users of the machine cannot reach the test data.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

OS_USER = "lwpg"  # owns the cluster when the suite runs as root
SUPERUSER = "leakwarden"
BIN_GLOB = "/usr/lib/postgresql/*/bin"


class ServerUnavailable(RuntimeError):
    """No PostgreSQL binaries, or a server that would not start: the message says what to do."""


def find_bin_dir() -> Path:
    """The newest installed version's bin directory (the one holding initdb and pg_ctl)."""

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(part) for part in name.split(".") if part.isdigit())

    found = [
        d for d in glob.glob(BIN_GLOB) if (Path(d) / "initdb").is_file() and (Path(d) / "pg_ctl").is_file()
    ]
    if not found:
        raise ServerUnavailable(
            f"no PostgreSQL server binaries (initdb, pg_ctl) under {BIN_GLOB}: the store tests run on a "
            "real PostgreSQL; install it (Debian: apt-get install -y postgresql; .ci/run does)"
        )
    return Path(max(found, key=version))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ensure_os_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(OS_USER)
    except KeyError:
        pass
    done = subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            OS_USER,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:  # another pytest worker may have made it between our look-up and useradd
        return pwd.getpwnam(OS_USER)
    except KeyError:
        raise ServerUnavailable(f"cannot create the system user {OS_USER!r}: {done.stderr.strip()}") from None


@dataclass
class PgServer:
    bin_dir: Path
    root: Path  # the temporary directory: cluster, socket, log
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    run_as: pwd.struct_passwd | None = None
    _databases: int = 0
    _running: bool = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as.pw_name, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    def _check(self, done: subprocess.CompletedProcess[str], what: str) -> None:
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ServerUnavailable(f"{what} failed ({done.returncode}): {done.stderr.strip()}\n{log}")

    def init(self) -> None:
        secret = self.root / "pwfile"
        secret.write_text(self.password + "\n")
        secret.chmod(0o600)
        if self.run_as is not None:
            for path in (self.root, secret):
                os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)
        done = self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--pwfile",
            str(secret),
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",  # a test cluster: durability is not the point, speed is
        )
        secret.unlink()
        self._check(done, "initdb")

    def start(self) -> None:
        for _attempt in range(3):  # the free port may be taken between the probe and the bind
            self.port = _free_port()
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-c port={self.port}",
                    f"-c unix_socket_directories={self.root}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                ]
            )
            done = self._run(
                "pg_ctl",
                "start",
                "--wait",
                "--timeout=60",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
            )
            if done.returncode == 0:
                self._running = True
                return
            if "could not bind" not in self.log.read_text(errors="replace"):
                break
        self._check(done, "pg_ctl start")

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "--wait")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        import psycopg

        self._databases += 1
        name = f"lw_test_{self._databases}"
        deadline = time.monotonic() + 10
        while True:
            try:
                with psycopg.connect(
                    host="127.0.0.1",
                    port=self.port,
                    user=SUPERUSER,
                    password=self.password,
                    dbname="postgres",
                    autocommit=True,
                ) as admin:
                    admin.execute(f'CREATE DATABASE "{name}"')
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # the server may still be opening for connections
        return self.url(name)


@contextlib.contextmanager
def running_server() -> Iterator[PgServer]:
    """A started server in a new temporary directory, stopped and removed on leaving (also when
    the tests in between failed)."""
    bin_dir = find_bin_dir()
    run_as = _ensure_os_user() if os.geteuid() == 0 else None
    # Not pytest's tmp_path: its parent is private to the test user, and the cluster's owner
    # must reach its own directory.
    root = Path(tempfile.mkdtemp(prefix="leakwarden-pg-"))
    server = PgServer(bin_dir, root, run_as=run_as)
    try:
        server.init()
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
