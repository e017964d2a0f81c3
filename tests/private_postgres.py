"""A private PostgreSQL server the tests make, stop, start again and destroy.

The machine's shared server (127.0.0.1:5432) is never touched: `initdb` makes a cluster in a
temporary directory, `postgres` serves it on a free port with its socket in that directory,
and the directory is removed afterwards. As root, both run as the `postgres` user (PostgreSQL
refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.stack import free_port, services_missing, wait_for


def _bindir() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian keeps them off PATH)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    dirs = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name or 0)
    )
    return Path(dirs[-1]) if dirs else None


class PrivatePostgres:
    """One cluster on a free port; `stop()` and `start()` as often as a test likes."""

    def __init__(self):
        self.bindir = _bindir()
        if self.bindir is None or not (self.bindir / "postgres").exists():
            services_missing("PostgreSQL's server binaries (initdb, postgres) are not installed")
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="docgen-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.process: subprocess.Popen | None = None
        if self.user:
            try:
                entry = pwd.getpwnam(self.user)
            except KeyError:
                shutil.rmtree(self.root)
                services_missing("running as root, and there is no `postgres` user")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, **kwargs) -> subprocess.Popen:
        return subprocess.Popen(
            [str(self.bindir / args[0]), *args[1:]], user=self.user, cwd=self.root, **kwargs
        )

    def create(self) -> PrivatePostgres:
        """initdb, then start."""
        initdb = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        output, _ = initdb.communicate(timeout=120)
        assert initdb.returncode == 0, output.decode(errors="replace")
        return self.start()

    def start(self) -> PrivatePostgres:
        """Start the server (on the same port as before) and wait until it answers."""
        with self.log.open("ab") as log:
            self.process = self._run(
                "postgres", "-D", str(self.data), "-p", str(self.port), "-k", str(self.root),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for(lambda: self.answers() or self._died(), 30, "the private PostgreSQL")
        assert not self._died(), self.log.read_text(errors="replace")
        return self

    def answers(self) -> bool:
        """Whether the server accepts a connection now."""
        try:
            with psycopg.connect(
                host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                connect_timeout=2,
            ):  # fmt: skip
                return True
        except psycopg.OperationalError:
            return False

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def stop(self) -> None:
        """Fast shutdown, as `pg_ctl stop -m fast`: sessions are ended, the port is closed."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def destroy(self) -> None:
        """Stop the server and remove its files."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateDatabase:
    """A private server as a `tests.stack.Stack` database: made, then destroyed."""

    def __init__(self):
        self.server = PrivatePostgres()

    @property
    def url(self) -> str:
        return self.server.url

    def create(self) -> None:
        self.server.create()

    def drop(self) -> None:
        self.server.destroy()
