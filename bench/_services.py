"""Throwaway back-ends for the scale-out benchmark: a PostgreSQL cluster and a
Redis server, each started in a temporary directory on 127.0.0.1 (a free
port) and stopped, with everything it wrote, on exit.

PostgreSQL is started the way ``scripts/test.sh`` starts it for ``make test``
(``initdb`` with trust auth for the ``quiz`` role, the unix socket in the
temporary directory, run as the ``postgres`` account when the bench runs as
root), but with ``fsync`` left on: the figures are for a database that keeps
what it acknowledged. Redis is Debian's ``redis-server`` with no persistence
(it only holds sign-in rate counters). Both report the CPU they used, so that
the benchmark can say what the database costs per phone besides the app.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from _load import HOST, free_port

TICK = os.sysconf("SC_CLK_TCK")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its children: its own time, the time of the children it
    has reaped (``cutime``/``cstime``: a killed gunicorn worker's time lands there), and the
    time of the children still running. 0 when the process is gone."""
    def fields(p: int) -> list[str] | None:
        try:
            return Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None

    own = fields(pid)
    if own is None:
        return 0.0
    total = sum(int(x) for x in own[11:15])
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
    for child in children:
        f = fields(child)
        if f is not None:
            total += int(f[11]) + int(f[12])
    return total / TICK


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")
                                                                             if x.isdigit()])
    if not found:
        raise SystemExit("PostgreSQL is not installed (make test installs Debian's postgresql)")
    return found[-1]


class PostgreSQL:
    """``with PostgreSQL() as pg: pg.url`` -- a fresh cluster and database ``quiz_bench``."""

    def __init__(self, max_connections: int = 200):
        self.max_connections = max_connections
        self.port = free_port()
        self.dir: Path | None = None
        self.bin = _pg_bin()

    def _as_pg(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        if os.getuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, check=True, capture_output=True, timeout=120, **kwargs)

    def __enter__(self) -> PostgreSQL:
        self.dir = Path(tempfile.mkdtemp(prefix="quiz-bench-pg-"))
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        try:
            self._as_pg(str(self.bin / "initdb"), "-D", str(data), "-U", "quiz", "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8")
            options = (f"-c listen_addresses={HOST} -p {self.port} -k {self.dir} "
                       f"-c max_connections={self.max_connections} -c shared_buffers=128MB")
            self._as_pg(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "server.log"), "-w",
                        "start", "-o", options)
            self._as_pg(str(self.bin / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "quiz", "quiz_bench")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    @property
    def url(self) -> str:
        return f"postgresql://quiz@{HOST}:{self.port}/quiz_bench"

    def cpu(self) -> float:
        """CPU seconds used so far by the postmaster and its backends (ended ones included)."""
        try:
            pid = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0.0
        return process_tree_cpu(pid)

    def __exit__(self, *exc) -> None:
        if self.dir is None:
            return
        if (self.dir / "data" / "postmaster.pid").exists():
            try:
                self._as_pg(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
            except (subprocess.SubprocessError, OSError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


class Redis:
    """``with Redis() as r: r.url`` -- Debian's redis-server, no persistence, 127.0.0.1 only."""

    def __init__(self):
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.dir: Path | None = None

    def __enter__(self) -> Redis:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(server).exists():
            raise SystemExit("redis-server is not installed (make test installs Debian's redis-server)")
        self.dir = Path(tempfile.mkdtemp(prefix="quiz-bench-redis-"))
        self._log = open(self.dir / "redis.log", "wb")
        self.proc = subprocess.Popen(
            [server, "--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--protected-mode", "yes", "--daemonize", "no"],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError("redis-server did not answer in 20 s")

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def cpu(self) -> float:
        return process_tree_cpu(self.proc.pid) if self.proc is not None else 0.0

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
