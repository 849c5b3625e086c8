"""A throwaway PostgreSQL server in a temporary folder, for tests, the benchmark and trying out.

``python -m viewer.review.localpg`` starts one, prints the II_DATABASE_URL to use, and stops
it (deleting its data) on Ctrl-C. It needs Debian's ``postgresql`` package (or ``initdb`` on
PATH); as root, the server runs as the ``postgres`` user, since PostgreSQL refuses root.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import URL

USER = "postgres"
PASSWORD = "local-only-password"  # noqa: S105 - a throwaway server on loopback


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None when it is not installed."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalPostgres:
    """One server on 127.0.0.1 with password authentication; ``stop()`` removes everything.

    Use as a context manager. ``fsync`` is off unless ``durable``: a test server need not
    survive a power cut, only its clients being killed.
    """

    def __init__(self, bin_dir: Path, durable: bool = False) -> None:
        self.bin_dir = bin_dir
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="viewer-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []
        return subprocess.run(  # noqa: S603 - our own PostgreSQL binaries and arguments
            [*prefix, *args], capture_output=True, text=True, timeout=120, check=True
        )

    def start(self) -> LocalPostgres:
        if os.geteuid() == 0:
            shutil.chown(self.root, USER, USER)
        password_file = self.root / "password"
        password_file.write_text(PASSWORD, encoding="utf-8")
        if os.geteuid() == 0:
            shutil.chown(password_file, USER, USER)
        try:
            self._run(
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                USER,
                "--pwfile",
                str(password_file),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
                "-E",
                "UTF8",
            )
            options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
            if not self.durable:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            self._run(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "server.log"),
                "-o",
                options,
                "-w",
                "start",
            )
        except subprocess.CalledProcessError as error:
            log = self.root / "server.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            self.stop()
            raise RuntimeError(
                f"PostgreSQL did not start: {error.stderr[-2000:]}{detail}"
            ) from None
        self.started = True
        return self

    def url(self, database: str = "postgres", password: str = PASSWORD) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=USER,
            password=password,
            host="127.0.0.1",
            port=self.port,
            database=database,
        )

    def create_database(self, name: str) -> URL:
        """A new empty database; ``name`` is made of letters, digits and underscores."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        self._run(
            str(self.bin_dir / "createdb"),
            "-h",
            str(self.root),
            "-p",
            str(self.port),
            "-U",
            USER,
            name,
        )
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (pg_ctl stop, which signals its pid) and delete its folder."""
        if self.started:
            self._run(
                str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
            )
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def main() -> int:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        print("PostgreSQL is not installed: apt-get install postgresql")
        return 1
    with LocalPostgres(bin_dir, durable=True) as server:
        url = server.create_database("viewer")
        print(f"II_DATABASE_URL={url.render_as_string(hide_password=False)}")
        print("PostgreSQL is running; press Ctrl-C to stop it and delete its data.")
        try:
            signal.pause()
        except KeyboardInterrupt:
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
