"""The load tool shared by the benchmarks: a small asyncio HTTP/1.1 client
(raw sockets, cookies, keep-alive when the server offers it), latency
statistics, and a gunicorn launcher for a throwaway server.

Only 127.0.0.1 is ever contacted. Every request has a timeout; every loop
that uses this module is bounded in count and in time by its caller.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


# -- HTTP ---------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body or b"null")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """One simulated browser: a cookie jar and at most one connection.

    gunicorn's sync workers close the connection after each response, so
    most requests open a new one; the client reuses it when the server keeps
    it open. Not safe for concurrent use (a phone sends one request at a time).
    """

    def __init__(self, port: int, timeout: float = 30.0):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        self.drop()

    def drop(self) -> None:
        """Close the connection now (without waiting: a wait can itself be cancelled by a timeout)."""
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def request(self, method: str, path: str, *, json_body=None, form: dict | None = None,
                      headers: dict[str, str] | None = None) -> Response:
        """Send one request; raises ``OSError``/``asyncio.TimeoutError`` on a
        broken connection or no answer within the timeout."""
        body = b""
        head = {"Host": f"{HOST}:{self.port}", "User-Agent": "quiz-bench", "Accept": "*/*"}
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            head["Content-Type"] = "application/json"
            head["Accept"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
        if body or method == "POST":
            head["Content-Length"] = str(len(body))
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head.update(headers or {})
        raw = (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items())
               + "\r\n").encode() + body
        started = time.perf_counter()
        try:
            response = await asyncio.wait_for(self._exchange(raw), self.timeout)
        except BaseException:
            self.drop()
            raise
        response.seconds = time.perf_counter() - started
        return response

    async def _exchange(self, raw: bytes) -> Response:
        reused = self._writer is not None
        if not reused:
            self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
        try:
            self._writer.write(raw)
            await self._writer.drain()
            status_line = await self._reader.readline()
            if not status_line and reused:  # the server closed an idle kept-alive connection
                await self.close()
                return await self._exchange(raw)
        except (ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            await self.close()
            return await self._exchange(raw)
        if not status_line:
            raise ConnectionResetError("connection closed before a response")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = await self._reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _sep, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._cookie(value)
            headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self._reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self._reader.readline()
                    break
                chunks.append(await self._reader.readexactly(size))
                await self._reader.readexactly(2)
            body = b"".join(chunks)
        elif "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"]))
        else:
            body = await self._reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, headers, body, 0.0)

    def _cookie(self, value: str) -> None:
        pair, *attrs = value.split(";")
        name, _sep, val = pair.strip().partition("=")
        expired = any(a.strip().lower() in ("max-age=0",) for a in attrs) or (
            not val and any(a.strip().lower().startswith("expires=thu, 01 jan 1970") for a in attrs))
        if expired:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = val


_CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str | None:
    match = _CSRF_META.search(html) or _CSRF_INPUT.search(html)
    if not match:
        return None
    return next(g for g in match.groups() if g)


# -- statistics ------------------------------------------------------------------------

@dataclass
class Latencies:
    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds)

    def pct(self, p: float) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        index = min(len(ordered) - 1, max(0, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
        return ordered[index]

    def summary(self) -> dict:
        ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
        return {"n": len(self.samples), "p50_ms": ms(self.pct(50)), "p95_ms": ms(self.pct(95)),
                "p99_ms": ms(self.pct(99)), "max_ms": ms(max(self.samples) if self.samples else None)}


# -- the server ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as ``make run`` starts it (sync workers, ``--timeout 120``),
    on a free port of 127.0.0.1, serving ``bench/_wsgi.py`` (the app with the
    bench endpoints registered). Stopped, with its workers, on exit."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2, threads: int = 1, preload: bool = False):
        self.env = env
        self.preload = preload
        self.log_path = log
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        command = [str(GUNICORN), "--workers", str(self.workers), "--bind", f"{HOST}:{self.port}",
                   "--timeout", "120", "--pythonpath", f"{BENCH_DIR},{REPO}", "--chdir", str(REPO)]
        if self.threads > 1:
            command += ["--threads", str(self.threads)]
        if self.preload:  # workers forked from a master that imported the app: a respawn costs ms, not ~1.7 s
            command.append("--preload")
        # QUIZ_BENCH_APP=module:app (on PYTHONPATH) serves another app, e.g. to try a patch
        command.append(self.env.get("QUIZ_BENCH_APP") or "_wsgi:app")
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log_path}")
            if self._healthy() and len(self.worker_pids()) >= self.workers:
                return self
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not come up in 60 s; see {self.log_path}")

    def _healthy(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=2) as s:
                s.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
                return s.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        """The gunicorn master's children (its workers), from /proc."""
        if self.proc is None:
            return []
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def worker_cpu(self) -> float:
        """CPU seconds (user + system) used so far by the current workers."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / tick

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None


def rusage_cpu() -> float:
    """CPU seconds used by this process so far (the load tool's own cost)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]
