"""The load generator the benchmarks share: keep-alive HTTP clients on threads, and gunicorn.

Each client holds one http.client connection and its cookies, as a browser would; latencies
are wall-clock seconds per request, taken around the request and the full read of the answer.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One browser: a keep-alive connection to 127.0.0.1:`port` and its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(
        self, method: str, path: str, data: dict | None = None, referer: str = ""
    ) -> tuple[int, str, float]:
        """Return the status, the body and the seconds the request took."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{referer or path}"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            # gunicorn closed the idle connection: open a new one, as a browser would.
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            started = time.perf_counter()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, text, elapsed

    def get(self, path: str) -> tuple[int, str, float]:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict, *, form_path: str = "") -> tuple[int, str, float]:
        """Fetch the form at `form_path` (default `path`), then post `data` with its CSRF token."""
        form_path = form_path or path
        _status, page, _elapsed = self.get(form_path)
        match = TOKEN.search(page)
        fields = {"csrfmiddlewaretoken": match.group(1)} if match else {}
        return self.request("POST", path, fields | data, referer=form_path)

    def login(self, path: str, username: str, password: str, **extra: str) -> None:
        fields = {"username": username, "password": password, **extra}
        status, _body, _elapsed = self.post_form(path, fields)
        if status != 302:
            raise RuntimeError(f"could not log in as {username} at {path}: {status}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def concurrent(
    clients: int, per_client: int, task: Callable[[Session, int], float], port: int
) -> tuple[float, list[float], list[Exception]]:
    """Run `task(session, n)` per_client times on each of `clients` threads.

    Return the wall time, the latencies the task returned and the errors it raised.
    """
    latencies: list[float] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        session = Session(port)
        for round_ in range(per_client):
            try:
                elapsed = task(session, number * per_client + round_)
            except Exception as exc:  # noqa: BLE001 - reported after the run
                with lock:
                    errors.append(exc)
                continue
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors


def page_latencies(session: Session, paths: list[str], repeat: int) -> list[float]:
    """Return the seconds to fetch all of `paths` in turn (one page view), `repeat` times."""
    timings = []
    for _ in range(repeat):
        total = 0.0
        for path in paths:
            status, _body, elapsed = session.get(path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            total += elapsed
        timings.append(total)
    return timings


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """Return the CPU seconds (user + system) each live process in `pids` has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    spent = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it exited
        spent[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return spent


def children(pid: int) -> list[int]:
    """Return the child processes of `pid` (gunicorn's workers)."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in listed.split()]


class CpuMeter:
    """The CPU time a server spends: its processes, found afresh at each reading by `pids()`.

    Unlike latency and throughput, this does not depend on what else the machine is doing, so it
    compares two servers fairly on two shared cores.
    """

    def __init__(self, pids: Callable[[], list[int]]) -> None:
        self.pids = pids
        self.start: dict[int, float] = {}

    def reset(self) -> None:
        self.start = cpu_seconds(self.pids())

    def spent(self) -> float:
        now = cpu_seconds(self.pids())
        return sum(seconds - self.start.get(pid, 0.0) for pid, seconds in now.items())


def wait_for(port: int, path: str = "/") -> None:
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


@contextmanager
def gunicorn(
    executable: Path, app: str, *, cwd: Path, env: dict[str, str], port: int, workers: int = 2
):
    """Serve `app` with gunicorn (sync workers) on 127.0.0.1:`port` for the block."""
    server = subprocess.Popen(
        [
            str(executable),
            app,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "300",
        ],
        cwd=cwd,
        env=os.environ | env,
    )
    try:
        wait_for(port)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
