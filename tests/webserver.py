"""``newssearch serve`` as a real process on a free loopback port, for tests that speak HTTP to it.

No test client stands in for the server: the process is the one a user
starts (``python -m newssearch serve --port 0``), its port read from the
"Serving on" line, its readiness from a real answer. :meth:`Served.stop`
sends SIGTERM, as a service manager does, and checks that it exits 0 and
that no worker process is left behind. Use the ``served`` fixture (conftest)
or ``with Served(index) as server:`` for one with other options.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
_SERVING = re.compile(r"on http://127\.0\.0\.1:(\d+)/")


class Answer:
    """One HTTP response: ``status``, ``headers`` (lower-cased names), ``body`` bytes, and :meth:`json`."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"Answer({self.status}, {self.body[:200]!r})"


class Served:
    """A ``newssearch serve`` process over ``index`` (extra command-line ``options``)."""

    def __init__(self, index: Path, *options: str, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        self.index = Path(index)
        self.log = log or self.index.parent / f"serve-{os.getpid()}-{time.monotonic_ns()}.log"
        self._log_file = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newssearch", "serve", "--index", str(self.index), "--port", "0", *options],
            stdout=subprocess.DEVNULL,
            stderr=self._log_file,
            env=environment,
            cwd=ROOT,
        )
        self.stopped = False
        self.port = 0
        self.port = self._wait_for_port()

    def _wait_for_port(self, timeout: float = 60.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = _SERVING.search(self.stderr())
            if found:
                self.port = int(found.group(1))
                while time.monotonic() < deadline:  # listening from the start; answering once a worker is up
                    try:
                        if self.get("/api/openapi.json").status == 200:
                            return self.port
                    except OSError:
                        pass
                    time.sleep(0.05)
            if self.process.poll() is not None:
                raise AssertionError(f"newssearch serve exited {self.process.returncode}: {self.stderr()}")
            time.sleep(0.05)
        self.process.kill()
        raise AssertionError(f"newssearch serve did not start in {timeout} s: {self.stderr()}")

    def stderr(self) -> str:
        """Everything the server wrote on stderr so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def request(self, method: str, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                body: bytes | None = None, timeout: float = 30.0) -> Answer:
        """One request on a new connection."""
        target = path + ("?" + urlencode(params, doseq=True) if params else "")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, target, body=body, headers=headers or {})
            response = conn.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()

    def get(self, path: str, params: dict[str, Any] | None = None, **options: Any) -> Answer:
        return self.request("GET", path, params, **options)

    def children(self) -> list[int]:
        """The ids of the server's child processes (its workers), from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def stop(self, timeout: float = 45.0) -> int:
        """SIGTERM, then wait: the exit status (0 when it stopped cleanly). Kills it if it does not stop."""
        if self.stopped:
            return self.process.returncode
        self.stopped = True
        children = self.children()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"newssearch serve did not stop within {timeout} s of SIGTERM: {self.stderr()}") from None
        finally:
            self._log_file.close()
        # multiprocessing's resource tracker (a child of a server with --workers) exits when it sees the
        # server's end of its pipe close: a moment after the server, longer on a busy machine
        left = still_running(children, 10)
        assert not left, f"worker processes left running after the server stopped: {left}"
        return code

    def kill(self) -> list[int]:
        """SIGKILL, as the OOM killer sends it (the server runs no clean-up): the ids of the child processes it had."""
        children = self.children()
        self.stopped = True
        self.process.kill()
        self.process.wait(10)
        self._log_file.close()
        return children

    def __enter__(self) -> Served:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        code = self.stop()
        if kind is None:
            assert code == 0, f"newssearch serve exited {code} after SIGTERM: {self.stderr()}"


def still_running(pids: list[int], seconds: float) -> list[int]:
    """Those of ``pids`` still running (not gone, not a zombie) after waiting up to ``seconds`` for them to end."""
    deadline = time.monotonic() + seconds
    while (left := [pid for pid in pids if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
