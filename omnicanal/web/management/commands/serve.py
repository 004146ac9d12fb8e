"""`omnicanal serve`: the embedded runtime, one ASGI process and its task worker beside it."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnicanal.settings import env_int

logger = logging.getLogger(__name__)

# db_worker finishes the task it is running before it exits; a send waits at most
# OUTBOUND_HTTP_TIMEOUT_SECONDS (10 by default) for its provider, so this leaves it room.
WORKER_STOP_SECONDS = 15
# Open websockets would otherwise hold the shutdown until every agent closes their tab.
GRACEFUL_SHUTDOWN_SECONDS = 5
# How long an idle worker waits before it looks for tasks again (db_worker's default is 1 s):
# a reply waits up to this long before it is sent. Routing needs no worker (it dispatches
# right after each commit, in the process that wrote), but a reply's "delivered" does. An
# idle look is one indexed query: five a second cost nothing measurable.
WORKER_POLL_SECONDS = 0.2


class _StopRequested(Exception):
    pass


def _request_stop(signum: int, frame: FrameType | None) -> None:
    raise _StopRequested(signum)


def _die_with_parent() -> Callable[[], None] | None:
    """A hook for the worker to run between fork and exec (Linux): the kernel then sends it
    SIGTERM when this process dies, even by SIGKILL, so a crashed server leaves no orphan.

    prctl is looked up here, in the parent: the child must not import anything before exec.
    """
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent_pid = os.getpid()
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent_pid:
            # The server died before the request took effect.
            os._exit(1)

    return hook


def start_worker() -> subprocess.Popen[bytes]:
    # --no-reload: with DEBUG on, db_worker would run a reloader parent and the real worker as
    # its child, which the death signal above would not reach.
    command = [
        sys.executable, "-m", "omnicanal.manage", "db_worker", "--queue-name", "*", "--no-reload",
        "--interval", str(WORKER_POLL_SECONDS),
    ]
    return subprocess.Popen(
        command,
        # Its own process group: Ctrl-C in the terminal reaches the server only, which then
        # asks the worker once to stop gracefully (a second signal would make it abort its task).
        process_group=0,
        preexec_fn=_die_with_parent(),
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("The task worker did not stop in %s s; killing it.", WORKER_STOP_SECONDS)
            worker.kill()
            worker.wait()


def check_migrated() -> None:
    """Refuse to serve a database that is missing tables: every page would fail. A first run
    is `omnicanal migrate`, then `omnicanal serve` (its setup page creates the first
    administrator)."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            "The database is not up to date: run `omnicanal migrate` first (after installing "
            "or upgrading), then `omnicanal serve` again."
        )


def _watch_worker(worker: subprocess.Popen[bytes], stopping: threading.Event) -> None:
    code = worker.wait()
    if not stopping.is_set():
        logger.error(
            "The task worker exited with code %s: replies are no longer sent until the server "
            "is restarted.", code,
        )


class Command(BaseCommand):
    help = (
        "Serve HTTP and websockets (uvicorn, static files included) and run the task worker "
        "beside it. Ctrl-C stops both."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1",
            help="Address to listen on (default 127.0.0.1; other hosts need ALLOWED_HOSTS).",
        )
        parser.add_argument(
            "--port", type=int, default=env_int("PORT", 8000),
            help="Port to listen on (default: PORT, else 8000).",
        )
        parser.add_argument(
            "--no-worker", action="store_true",
            help="Do not start the task worker (run `omnicanal db_worker` elsewhere).",
        )
        parser.add_argument(
            "--no-scheduler", action="store_true",
            help="Do not enqueue periodic tasks (run `omnicanal tick` from cron instead).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn
        from django.conf import settings
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.utils.module_loading import import_string

        from omnicanal.web.periodic import Scheduler

        check_migrated()
        # The project's entry point (omnicanal.asgi) wires every app's routes, web's
        # included: named by the setting, it is not an import of web's.
        application = import_string(settings.ASGI_APPLICATION)

        # Installed before anything starts, so that a signal at any moment ends in the same
        # clean stop. uvicorn replaces them while it runs and, once shut down, re-raises the
        # signal it got: it then lands here instead of killing the process before the worker
        # is stopped.
        previous = {sig: signal.signal(sig, _request_stop) for sig in (signal.SIGINT,
                                                                        signal.SIGTERM)}
        stopping = threading.Event()
        worker: subprocess.Popen[bytes] | None = None
        scheduler: Scheduler | None = None
        try:
            if not options["no_worker"]:
                worker = start_worker()
                threading.Thread(
                    target=_watch_worker, args=(worker, stopping), daemon=True
                ).start()
                self.stdout.write(f"Task worker started (pid {worker.pid}).")
                self.stdout.flush()
            if not options["no_scheduler"]:
                scheduler = Scheduler()
                scheduler.start()
            config = uvicorn.Config(
                # Static files (htmx, the workspace's CSS and JS) come from the apps' static
                # folders through Django's finders: no collectstatic, no other server.
                ASGIStaticFilesHandler(application),
                host=options["host"],
                port=options["port"],
                # Channels' router knows no lifespan protocol; "off" spares a startup warning.
                lifespan="off",
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            )
            uvicorn.Server(config).run()
        except _StopRequested:
            pass
        finally:
            stopping.set()
            # A second Ctrl-C must not interrupt the worker's stop and leave it behind.
            for sig in previous:
                signal.signal(sig, signal.SIG_IGN)
            if scheduler is not None:
                scheduler.stop()
            if worker is not None:
                stop_worker(worker)
                self.stdout.write("Task worker stopped.")
            for sig, handler in previous.items():
                signal.signal(sig, handler)
