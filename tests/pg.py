"""A throwaway PostgreSQL cluster for the test run: initdb in a temp dir, on a free loopback port.

The server binaries refuse to run as root, so as root they run as the `postgres` user.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayPostgres:
    def __init__(self) -> None:
        self.initdb = _find_bin("initdb")
        self.pg_ctl = _find_bin("pg_ctl")
        self.tmp: str | None = None
        self.port = 0

    @property
    def available(self) -> bool:
        return bool(self.initdb and self.pg_ctl)

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        assert self.initdb and self.pg_ctl
        self.tmp = tempfile.mkdtemp(prefix="payung-pg-")
        os.chmod(self.tmp, 0o777)
        data = os.path.join(self.tmp, "data")
        self.port = _free_port()
        self._run(self.initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        opts = f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(self.pg_ctl, "-D", data, "-o", opts, "-l", os.path.join(self.tmp, "log"), "-w", "start")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self.tmp and self.pg_ctl:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(self.pg_ctl, "-D", os.path.join(self.tmp, "data"), "-m", "immediate", "stop")
            shutil.rmtree(self.tmp, ignore_errors=True)
