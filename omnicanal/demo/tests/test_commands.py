"""`omnicanal serve` and `omnicanal demo`, run for real as `make demo` runs them."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

# These tests read process states from /proc. The group lets one migration serve the serve
# tests; without it (pytest-xdist#1386 under pytest 9.2) each worker migrates its own copy.
pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc"),
    pytest.mark.xdist_group("demo-commands"),
]

T = TypeVar("T")
STARTUP_SECONDS = 60


def omnicanal() -> list[str]:
    script = Path(sys.executable).with_name("omnicanal")
    return [str(script)] if script.exists() else [sys.executable, "-m", "omnicanal.manage"]


def environment(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "OMNICANAL_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'omnicanal.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Callable[[], T | None], what: str, process: subprocess.Popen[bytes]) -> T:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        result = check()
        if result is not None:
            return result
        if process.poll() is not None:
            raise AssertionError(f"the command exited ({process.returncode}) before {what}")
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {STARTUP_SECONDS} s")


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None  # not listening yet


def is_running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is already dead


def worker_pid(log: Path) -> int | None:
    found = re.search(r"Task worker started \(pid (\d+)\)", log.read_text())
    return int(found.group(1)) if found else None


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("serve")
    subprocess.run(
        [*omnicanal(), "migrate", "--noinput", "--verbosity", "0"],
        env=environment(data_dir), check=True, timeout=120,
    )
    return data_dir


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Callable[..., tuple[subprocess.Popen[bytes], Path]]]:
    """Start an omnicanal command with its output in a file; kill it if the test fails."""
    started: list[subprocess.Popen[bytes]] = []

    def start(data_dir: Path, *arguments: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = tmp_path / f"output-{len(started)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*omnicanal(), *arguments], env=environment(data_dir),
                stdout=output, stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process, log

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
def test_serve_answers_the_login_page_and_leaves_no_worker_behind(
    migrated: Path, run: Callable[..., tuple[subprocess.Popen[bytes], Path]],
    stop_signal: signal.Signals,
) -> None:
    port = free_port()
    server, log = run(migrated, "serve", "--port", str(port))

    worker = wait_for(lambda: worker_pid(log), "worker", server)
    login = wait_for(lambda: http_status(f"http://127.0.0.1:{port}/login/"), "login page", server)
    assert login == 200, log.read_text()
    # Served by the same process, from django-htmx's static folder, without collectstatic.
    static = http_status(f"http://127.0.0.1:{port}/static/django_htmx/django-htmx.js")
    assert static == 200
    assert is_running(worker)
    assert "db_worker" in Path(f"/proc/{worker}/cmdline").read_text()

    server.send_signal(stop_signal)
    assert server.wait(timeout=30) == 0, log.read_text()
    # serve waits for its worker before exiting: gone now, not reparented to init.
    assert not is_running(worker)


def test_serve_enqueues_the_periodic_tasks_and_its_worker_runs_them(
    migrated: Path, run: Callable[..., tuple[subprocess.Popen[bytes], Path]]
) -> None:
    port = free_port()
    server, log = run(migrated, "serve", "--port", str(port))
    periodic = {
        "omnicanal.routing.tasks.sweep_queue", "omnicanal.conversations.tasks.wake_snoozed"
    }

    def periodic_tasks_done() -> set[str] | None:
        with sqlite3.connect(migrated / "omnicanal.sqlite3", timeout=20) as database:
            done = {path for (path,) in database.execute(
                "SELECT task_path FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
            )}
        return done if periodic <= done else None

    wait_for(periodic_tasks_done, "periodic tasks run by the worker", server)
    server.send_signal(signal.SIGINT)
    assert server.wait(timeout=30) == 0, log.read_text()


def test_a_killed_server_takes_its_worker_with_it(
    migrated: Path, run: Callable[..., tuple[subprocess.Popen[bytes], Path]]
) -> None:
    port = free_port()
    server, log = run(migrated, "serve", "--port", str(port))
    worker = wait_for(lambda: worker_pid(log), "worker", server)
    wait_for(lambda: http_status(f"http://127.0.0.1:{port}/login/"), "login page", server)

    # SIGKILL leaves serve no chance to stop the worker: the kernel's parent-death signal must.
    server.kill()
    server.wait()

    deadline = time.monotonic() + 15
    while is_running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not is_running(worker)


def test_serve_without_worker_starts_none(
    migrated: Path, run: Callable[..., tuple[subprocess.Popen[bytes], Path]]
) -> None:
    port = free_port()
    server, log = run(migrated, "serve", "--port", str(port), "--no-worker")

    assert wait_for(lambda: http_status(f"http://127.0.0.1:{port}/login/"), "login", server) == 200
    server.send_signal(signal.SIGINT)
    assert server.wait(timeout=30) == 0
    assert worker_pid(log) is None


def test_demo_migrates_loads_prints_the_logins_and_serves(
    tmp_path: Path, run: Callable[..., tuple[subprocess.Popen[bytes], Path]]
) -> None:
    port = free_port()
    data_dir = tmp_path / "fresh"
    demo, log = run(data_dir, "demo", "--port", str(port), "--scale", "0.02")

    assert wait_for(lambda: http_status(f"http://127.0.0.1:{port}/login/"), "login", demo) == 200
    output = log.read_text()
    password = (data_dir / "demo_password").read_text().strip()
    assert f"http://127.0.0.1:{port}/" in output
    assert f"password for all: {password}" in output
    assert "admin@example.com" in output
    # The English accounts too, and where what the demo sends can be read.
    assert "olivia.carter@example.com" in output and "emma.wilson@example.com" in output
    assert f"http://127.0.0.1:{port}/demo/outbox/" in output
    # The sinks are served (the outbox asks for a login rather than answering 404).
    assert http_status(f"http://127.0.0.1:{port}/demo/outbox/") == 200  # the login page
    worker = worker_pid(log)
    assert worker is not None

    demo.send_signal(signal.SIGINT)
    assert demo.wait(timeout=30) == 0
    assert not is_running(worker)
