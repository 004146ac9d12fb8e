"""How long a web chat visitor waits for an agent's reply, measured from the outside.

Usage (from the repository root):
    .venv/bin/python bench/webchat_push.py [--trials 20]             # embedded runtime
    .venv/bin/python bench/webchat_push.py --redis [--trials 20]     # Redis channel layer

Embedded runtime: starts `omnicanal demo` (one ASGI process, its db_worker subprocess, the
in-memory channel layer, SQLite). With `--redis`: starts a throwaway redis-server on a free
port, the demo with REDIS_URL, and a second web process (`omnicanal serve --no-worker`) on
another port: the visitor's socket is on the second process and the agent posts to the first,
so the push crosses processes through Redis.

A visitor (a websocket client, like the widget) says hello and writes; an administrator logged
in over HTTP answers from the workspace (POST /conversations/<id>/reply/, what the composer
posts). Measured: from just before the agent's POST to the visitor's socket receiving the
reply as a `message` frame (the widget's ping, every 10 s, is never sent here: a figure under
10 s is the push). Prints the median, p95 and max.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from demo_latency import Browser, free_port  # noqa: E402

SITE = "http://bench.example"
TOKEN = "demo-chat-du-site-0001"
ADMIN = "admin@example.com"


def start(command: list[str], log_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=log_path.open("wb"),
                            stderr=subprocess.STDOUT)


def wait_for_text(process: subprocess.Popen[bytes], log_path: Path, text: str) -> None:
    deadline = time.monotonic() + 180
    while text not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(log_path.read_text(errors="replace"))
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--redis", action="store_true")
    options = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="omnicanal-webchat-bench-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMNICANAL_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        if options.redis:
            redis_port = free_port()
            processes.append(start(
                ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                data_dir / "redis.log", env))
            wait_for_text(processes[-1], data_dir / "redis.log", "Ready to accept")
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        agent_port = free_port()
        processes.append(start(
            [sys.executable, "-m", "omnicanal.manage", "demo", "--port", str(agent_port),
             "--scale", "0.02"], data_dir / "demo.log", env))
        wait_for_text(processes[-1], data_dir / "demo.log", "Uvicorn running")
        visitor_port = agent_port
        if options.redis:
            visitor_port = free_port()
            processes.append(start(
                [sys.executable, "-m", "omnicanal.manage", "serve", "--port", str(visitor_port),
                 "--no-worker", "--no-scheduler"], data_dir / "serve.log", env))
            wait_for_text(processes[-1], data_dir / "serve.log", "Uvicorn running")
        os.environ.update({"OMNICANAL_DATA_DIR": str(data_dir)})
        if options.redis:
            os.environ["REDIS_URL"] = env["REDIS_URL"]
        latencies = run(f"http://127.0.0.1:{agent_port}", f"ws://127.0.0.1:{visitor_port}",
                        data_dir, options.trials)
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    runtime = ("Redis channel layer, socket and reply in two web processes" if options.redis
               else "embedded runtime (one ASGI process + db_worker, in-memory layer)")
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"{runtime}: reply to visitor's socket median "
          f"{statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms "
          f"(n={len(ordered)})")


def run(base: str, socket_base: str, data_dir: Path, trials: int) -> list[float]:
    import django
    from websockets.sync.client import connect
    from websockets.typing import Origin

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    django.setup()
    from omnicanal.conversations.models import Inbox

    inbox = Inbox.objects.get(settings__site_token=TOKEN)
    inbox.settings = {**inbox.settings, "allowed_origins": [SITE]}
    inbox.save()

    agent = Browser(base)
    agent.log_in(ADMIN, (data_dir / "demo_password").read_text().strip())
    latencies: list[float] = []
    with connect(f"{socket_base}/ws/webchat/{TOKEN}/", origin=Origin(SITE)) as socket:
        def frame(kind: str, timeout: float = 15) -> dict[str, Any]:
            deadline = time.monotonic() + timeout
            while True:
                raw = socket.recv(timeout=deadline - time.monotonic())
                data: dict[str, Any] = json.loads(raw)
                if data["type"] == kind:
                    return data

        socket.send(json.dumps({"type": "hello", "visitor_id": "vbench0123456789abcd",
                                "since": 0}))
        frame("welcome")
        socket.send(json.dumps({"type": "message", "client_id": "bench-0001",
                                "text": "Bonjour, une question sur ma commande."}))
        conversation_id = frame("ack")["conversation_id"]
        for trial in range(trials):
            text = f"Réponse {trial}"
            started = time.monotonic()
            agent.post(f"/conversations/{conversation_id}/reply/", {"text": text})
            while True:
                pushed = frame("message")
                if pushed["message"]["from"] == "agent" and pushed["message"]["text"].startswith(
                        text):
                    break
            latencies.append((time.monotonic() - started) * 1000)
            time.sleep(0.2)
    return latencies


if __name__ == "__main__":
    main()
